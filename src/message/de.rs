//! Message box, decoding helpers: Go `encoding/json` tolerance for the consumed wire types.
//!
//! Use a helper on every consumed field as `#[serde(default, deserialize_with = "…")]`: `default`
//! covers a missing field, the helper covers a JSON `null`. Both give the zero value, as Go does
//! (a nil UUID for a `uuid.UUID`, since [`uuid::Uuid::default`] is the nil UUID). Unknown fields
//! are ignored by serde already. Integer fields need no helper: serde_json rejects a negative,
//! out-of-range or non-integral number (`1.5`, `1e2`) for `u8`/`u16`/`u32`/`u64`, as Go does.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, Error, Unexpected, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;

/// Deserialises `T`, or its zero value ([`Default`]) for a JSON `null`.
pub fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// Deserialises a string borrowed from the input when it has no escapes, else owned; `""` for
/// a JSON `null`. The borrowing twin of [`null_default`] for `Cow<'a, str>` fields.
pub fn null_default_cow<'de: 'a, 'a, D>(d: D) -> Result<Cow<'a, str>, D::Error>
where
    D: Deserializer<'de>,
{
    d.deserialize_option(OptionCowVisitor)
}

/// Decodes a whole message (or body) into a struct; the JSON literal `null` decodes as the zero
/// value of `T`, as `json.Unmarshal` leaves its target untouched for `null`. A JSON array is an
/// error, as in Go (serde's derive would otherwise read it as a tuple of the fields).
pub fn from_slice_or_default<'a, T>(bytes: &'a [u8]) -> Result<T, serde_json::Error>
where
    T: Default + Deserialize<'a>,
{
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(serde_json::Error::invalid_type(
            Unexpected::Seq,
            &"a json object",
        ));
    }
    serde_json::from_slice::<Option<T>>(bytes).map(Option::unwrap_or_default)
}

/// Decodes a raw body into a struct; an absent or `null` body is the zero value, as in Go.
pub fn body_or_default<'a, T>(raw: Option<&'a RawValue>) -> Result<T, serde_json::Error>
where
    T: Default + Deserialize<'a>,
{
    raw.map_or_else(
        || Ok(T::default()),
        |raw| from_slice_or_default(raw.get().as_bytes()),
    )
}

struct OptionCowVisitor;

impl<'de> Visitor<'de> for OptionCowVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string or null")
    }

    fn visit_none<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(""))
    }

    fn visit_unit<E: Error>(self) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(""))
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(CowVisitor)
    }
}

struct CowVisitor;

impl<'de> Visitor<'de> for CowVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E: Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E: Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use uuid::Uuid;

    #[derive(Debug, Default, Deserialize)]
    struct Ints {
        #[serde(default, deserialize_with = "null_default")]
        a: u32,
        #[serde(default, deserialize_with = "null_default")]
        b: u8,
        #[serde(default, deserialize_with = "null_default")]
        c: u64,
        #[serde(default, deserialize_with = "null_default")]
        d: u16,
    }

    #[derive(Debug, Default, Deserialize)]
    struct Borrowing<'a> {
        #[serde(default, borrow, deserialize_with = "null_default_cow")]
        s: Cow<'a, str>,
        #[serde(default, deserialize_with = "null_default")]
        id: Uuid,
        #[serde(default, deserialize_with = "null_default")]
        name: String,
    }

    fn ints(v: serde_json::Value) -> Result<Ints, serde_json::Error> {
        serde_json::from_value(v)
    }

    #[test]
    fn null_and_missing_integers_are_zero() {
        let got = ints(json!({"a": null, "b": null})).expect("nulls decode");
        assert_eq!((got.a, got.b, got.c, got.d), (0, 0, 0, 0));
    }

    #[test]
    fn integers_at_their_maximum_decode() {
        let got = ints(json!({"a": 4294967295u32, "b": 255, "c": u64::MAX, "d": 65535}))
            .expect("maxima decode");
        assert_eq!(
            (got.a, got.b, got.c, got.d),
            (u32::MAX, 255, u64::MAX, 65535)
        );
    }

    #[test]
    fn out_of_range_integers_are_errors() {
        for text in [
            r#"{"a":4294967296}"#,
            r#"{"b":256}"#,
            r#"{"c":18446744073709551616}"#,
            r#"{"d":65536}"#,
        ] {
            assert!(serde_json::from_str::<Ints>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn negative_integers_are_errors() {
        for text in [r#"{"a":-1}"#, r#"{"b":-1}"#, r#"{"c":-1}"#, r#"{"d":-1}"#] {
            assert!(serde_json::from_str::<Ints>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn non_integral_numbers_are_errors() {
        for text in [
            r#"{"a":1.5}"#,
            r#"{"a":1e2}"#,
            r#"{"a":1.0}"#,
            r#"{"b":2E0}"#,
        ] {
            assert!(serde_json::from_str::<Ints>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn integers_written_as_strings_or_bools_are_errors() {
        for text in [r#"{"a":"1"}"#, r#"{"b":true}"#, r#"{"c":[]}"#] {
            assert!(serde_json::from_str::<Ints>(text).is_err(), "{text}");
        }
    }

    #[test]
    fn unknown_fields_are_ignored() {
        let got: Ints = serde_json::from_str(r#"{"a":7,"extra":{"x":[1,2]},"A":9}"#)
            .expect("unknown fields ignored");
        assert_eq!(got.a, 7);
    }

    #[test]
    fn null_strings_and_uuids_are_zero_values() {
        let got: Borrowing =
            serde_json::from_str(r#"{"s":null,"id":null,"name":null}"#).expect("nulls decode");
        assert_eq!(got.s, "");
        assert_eq!(got.id, Uuid::nil());
        assert_eq!(got.name, "");
    }

    #[test]
    fn missing_uuid_is_nil() {
        let got: Borrowing = serde_json::from_str("{}").expect("empty object decodes");
        assert!(got.id.is_nil());
    }

    #[test]
    fn plain_strings_are_borrowed_and_escaped_ones_owned() {
        let got: Borrowing = serde_json::from_str(r#"{"s":"admin"}"#).expect("decodes");
        assert!(matches!(got.s, Cow::Borrowed("admin")));
        let got: Borrowing = serde_json::from_str(r#"{"s":"a\"b"}"#).expect("decodes");
        assert!(matches!(got.s, Cow::Owned(ref s) if s == "a\"b"));
    }

    #[test]
    fn string_field_given_a_number_is_an_error() {
        assert!(serde_json::from_str::<Borrowing>(r#"{"s":1}"#).is_err());
        assert!(serde_json::from_str::<Borrowing>(r#"{"name":1}"#).is_err());
    }

    #[test]
    fn absent_or_null_body_is_the_zero_value() {
        let raw: Box<RawValue> = serde_json::from_str(r#"{"a":3}"#).expect("raw value");
        assert_eq!(body_or_default::<Ints>(Some(&raw)).expect("decodes").a, 3);
        assert_eq!(body_or_default::<Ints>(None).expect("zero value").a, 0);
        let raw: Box<RawValue> = serde_json::from_str("[3]").expect("raw value");
        assert!(body_or_default::<Ints>(Some(&raw)).is_err());
    }

    #[test]
    fn a_null_message_is_the_zero_value() {
        let got: Ints = from_slice_or_default(b" null ").expect("null message decodes");
        assert_eq!(got.a, 0);
    }

    #[test]
    fn a_message_that_is_not_an_object_is_an_error() {
        for text in [
            "[]",
            " [1,2,3,4]",
            "1",
            r#""x""#,
            "true",
            "not json",
            "",
            "{} {}",
        ] {
            assert!(
                from_slice_or_default::<Ints>(text.as_bytes()).is_err(),
                "{text}"
            );
        }
    }
}
