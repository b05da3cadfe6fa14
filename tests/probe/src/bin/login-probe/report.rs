//! Step reporting: one text line or one JSON object per step, with latency; never a secret.

use std::fmt::Write as _;
use std::time::Duration;

/// Prints step results to stdout as text or JSON lines.
pub struct Reporter {
    json: bool,
}

impl Reporter {
    /// A reporter printing JSON lines when `json` is set.
    pub fn new(json: bool) -> Self {
        Reporter { json }
    }

    /// Reports a step; `ok` false means it failed.
    pub fn step(&self, step: &str, elapsed: Duration, ok: bool, detail: &str) {
        println!("{}", self.line(step, elapsed, ok, detail));
    }

    /// Formats one step line.
    pub fn line(&self, step: &str, elapsed: Duration, ok: bool, detail: &str) -> String {
        let ms = elapsed.as_millis();
        if self.json {
            format!(
                "{{\"step\":{},\"ok\":{ok},\"ms\":{ms},\"detail\":{}}}",
                json_string(step),
                json_string(detail)
            )
        } else {
            let status = if ok { "ok" } else { "FAIL" };
            format!("{step:<11} {ms:>6} ms  {status:<4}  {detail}")
        }
    }
}

/// A JSON string literal with the escapes RFC 8259 requires.
pub fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_lines_escape_quotes_and_controls() {
        assert_eq!(json_string("a\"b\\c\n\u{1}"), "\"a\\\"b\\\\c\\n\\u0001\"");
        let line = Reporter::new(true).line("login", Duration::from_millis(12), true, "x");
        assert_eq!(
            line,
            "{\"step\":\"login\",\"ok\":true,\"ms\":12,\"detail\":\"x\"}"
        );
    }

    #[test]
    fn text_lines_align() {
        let line = Reporter::new(false).line("login", Duration::from_millis(12), false, "no");
        assert_eq!(line, "login           12 ms  FAIL  no");
    }
}
