//! Opcode strings as Go's `strconv.ParseUint(s, 0, 16)` reads them: `0x`/`0o`/`0b` prefixes,
//! a leading `0` for octal, decimal otherwise, `_` digit separators (§4).

/// Parses `s` like Go's `strconv.ParseUint(s, 0, 16)`; `None` on a syntax or range error.
pub fn parse_go_uint16(s: &str) -> Option<u16> {
    let b = s.as_bytes();
    let (base, digits) = match b {
        [] => return None,
        [b'0', p, rest @ ..] if !rest.is_empty() && matches!(p | 0x20, b'x' | b'o' | b'b') => {
            let base = match p | 0x20 {
                b'x' => 16,
                b'o' => 8,
                _ => 2,
            };
            (base, rest)
        }
        [b'0', rest @ ..] => (8, rest),
        _ => (10, b),
    };
    let mut value: u32 = 0;
    let mut underscores = false;
    for &c in digits {
        if c == b'_' {
            underscores = true;
            continue;
        }
        let d = digit_value(c).filter(|d| *d < base)?;
        value = value.checked_mul(base)?.checked_add(d)?;
        if value > u32::from(u16::MAX) {
            return None;
        }
    }
    if underscores && !underscore_ok(b) {
        return None;
    }
    u16::try_from(value).ok()
}

fn digit_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'a'..=b'z' => Some(u32::from(c - b'a') + 10),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// Go's rule: an underscore must sit between digits (a base prefix counts as a digit).
fn underscore_ok(s: &[u8]) -> bool {
    let prefixed = matches!(s, [b'0', p, ..] if matches!(p | 0x20, b'x' | b'o' | b'b'));
    let hex = matches!(s, [b'0', p, ..] if p | 0x20 == b'x');
    let (mut saw_digit, mut saw_underscore) = (prefixed, false);
    for &c in s.iter().skip(if prefixed { 2 } else { 0 }) {
        let is_digit = c.is_ascii_digit() || (hex && c.is_ascii_hexdigit());
        if is_digit {
            (saw_digit, saw_underscore) = (true, false);
        } else if c == b'_' {
            if !saw_digit {
                return false;
            }
            (saw_digit, saw_underscore) = (false, true);
        } else {
            if saw_underscore {
                return false;
            }
            saw_digit = false;
        }
    }
    !saw_underscore
}

#[cfg(test)]
mod tests {
    use super::parse_go_uint16 as p;

    #[test]
    fn parses_the_go_base_prefixes() {
        assert_eq!(p("0x1A"), Some(26));
        assert_eq!(p("0X1a"), Some(26));
        assert_eq!(p("26"), Some(26));
        assert_eq!(p("0o17"), Some(15));
        assert_eq!(p("017"), Some(15));
        assert_eq!(p("0b101"), Some(5));
        assert_eq!(p("0"), Some(0));
        assert_eq!(p("0xFFFF"), Some(0xFFFF));
        assert_eq!(p("0x_1A"), Some(26));
        assert_eq!(p("1_000"), Some(1000));
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in [
            "", "0x", "0x10000", "65536", "-1", "+1", "1A", "0b2", "08", "1__0", "_1", "1_", " 1",
            "0x1G",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }
}
