//! Compact JSON exactly as Go's `encoding/json` writes it: serde_json's compact form, except
//! that `<`, `>` and `&` are written `\u003c`, `\u003e`, `\u0026`, and U+2028 / U+2029 as
//! `\u2028` / `\u2029` (Go escapes them for HTML safety), so a produced message is byte for
//! byte what the Go service would have produced, whatever a client typed.

use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter};

struct GoFormatter;

impl Formatter for GoFormatter {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            let escaped = match c {
                '<' => "\\u003c",
                '>' => "\\u003e",
                '&' => "\\u0026",
                '\u{2028}' => "\\u2028",
                '\u{2029}' => "\\u2029",
                _ => continue,
            };
            writer.write_all(&fragment.as_bytes()[start..i])?;
            writer.write_all(escaped.as_bytes())?;
            start = i + c.len_utf8();
        }
        CompactFormatter.write_string_fragment(writer, &fragment[start..])
    }
}

/// Serialises `value` as Go would.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    let mut out = Vec::with_capacity(192);
    value.serialize(&mut serde_json::Serializer::with_formatter(
        &mut out,
        GoFormatter,
    ))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_sensitive_characters_are_escaped_like_go() {
        let v = serde_json::json!({"p": "a<b>&c\u{2028}d\u{2029}e\"f\\g\n"});
        assert_eq!(
            String::from_utf8(to_vec(&v).unwrap()).unwrap(),
            r#"{"p":"a\u003cb\u003e\u0026c\u2028d\u2029e\"f\\g\n"}"#
        );
    }

    #[test]
    fn a_create_with_html_characters_in_the_password_matches_go() {
        use crate::message::account_session::{Command, CreateBody};
        let body = CreateBody {
            account_name: "a&b".into(),
            password: "<pw>".into(),
            ip_address: "127.0.0.1".into(),
            hwid: String::new(),
        };
        let json = Command::create(uuid::Uuid::nil(), 0, body).to_json();
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"sessionId":"00000000-0000-0000-0000-000000000000","accountId":0,"author":"LOGIN","type":"CREATE","body":{"accountName":"a\u0026b","password":"\u003cpw\u003e","ipAddress":"127.0.0.1","hwid":""}}"#
        );
    }

    #[test]
    fn everything_else_is_serde_json_compact() {
        let v = serde_json::json!({"a": [1, 2.5, null, true], "b": "é😀", "c": "\u{1}"});
        assert_eq!(to_vec(&v).unwrap(), serde_json::to_vec(&v).unwrap());
    }
}
