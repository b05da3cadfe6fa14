//! Reading JSON:API attributes as tolerantly as Go's `encoding/json`, with errors that name
//! the resource type and the field (and never echo a secret). Pure.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::RestError;

/// Reads attributes like Go's `encoding/json`: unknown fields ignored, a missing field or `null`
/// gives the zero value, a wrong type or an out-of-range number is an error naming the field.
#[derive(Clone, Copy)]
pub(crate) struct Fields<'a> {
    kind: &'a str,
    map: &'a Map<String, Value>,
}

impl<'a> Fields<'a> {
    pub fn new(kind: &'a str, map: &'a Map<String, Value>) -> Fields<'a> {
        Fields { kind, map }
    }

    /// A typed field; nested objects are read with nulls treated as missing.
    pub fn get<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, RestError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(T::default()),
            Some(value) => {
                let mut value = value.clone();
                strip_nulls(&mut value);
                serde_json::from_value(value).map_err(|e| RestError::decode(self.kind, name, e))
            }
        }
    }

    /// A typed field that must be present: as [`Fields::get`], but a missing field or `null` is
    /// an error naming it rather than the zero value (what a configuration cannot do without).
    pub fn required<T: DeserializeOwned + Default>(&self, name: &str) -> Result<T, RestError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Err(RestError::decode(self.kind, name, "missing")),
            Some(_) => self.get(name),
        }
    }

    /// A string field whose content must never reach a message (password, PIN, PIC).
    pub fn secret(&self, name: &str) -> Result<String, RestError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(text)) => Ok(text.clone()),
            Some(_) => Err(RestError::decode(self.kind, name, "expected a string")),
        }
    }

    /// A field exactly as sent (`None` when missing or `null`), for the caller to parse.
    pub fn raw(&self, name: &str) -> Option<Value> {
        self.map.get(name).filter(|v| !v.is_null()).cloned()
    }

    /// A field kept as text whether the service writes a string or a number (timestamps).
    pub fn text(&self, name: &str) -> Result<String, RestError> {
        match self.map.get(name) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(text)) => Ok(text.clone()),
            Some(Value::Number(n)) => Ok(n.to_string()),
            Some(_) => Err(RestError::decode(
                self.kind,
                name,
                "expected a string or number",
            )),
        }
    }
}

/// Removes every `null` member of every object, so `#[serde(default)]` fills the zero value.
pub(crate) fn strip_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(strip_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_nulls),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn missing_and_null_are_zero_values_but_bad_numbers_are_errors() {
        let map = json!({"a": null, "b": 300, "c": 1.5, "d": "x", "e": {"x": null, "y": 2}});
        let Value::Object(map) = map else {
            unreachable!()
        };
        let f = Fields::new("things", &map);
        assert_eq!(f.get::<u8>("a").expect("null"), 0);
        assert_eq!(f.get::<u8>("absent").expect("missing"), 0);
        let err = f.get::<u8>("b").expect_err("out of range").to_string();
        assert!(err.starts_with("cannot decode things.b:"), "{err}");
        assert!(f.get::<u32>("c").is_err(), "non-integral");
        assert!(f.get::<u32>("d").is_err(), "wrong type");
        assert_eq!(f.get::<String>("d").expect("text"), "x");
        assert_eq!(f.text("b").expect("number as text"), "300");
    }

    #[test]
    fn a_required_field_must_be_present_and_of_its_type() {
        let Value::Object(map) = json!({"a": null, "b": 83, "c": "83"}) else {
            unreachable!()
        };
        let f = Fields::new("tenants", &map);
        assert_eq!(f.required::<u16>("b").expect("present"), 83);
        for name in ["a", "absent"] {
            let err = f.required::<u16>(name).expect_err(name).to_string();
            assert_eq!(err, format!("cannot decode tenants.{name}: missing"));
        }
        let err = f.required::<u16>("c").expect_err("type").to_string();
        assert!(
            err.starts_with("cannot decode tenants.c: invalid type"),
            "{err}"
        );
    }

    #[test]
    fn secret_errors_do_not_echo_the_value() {
        let Value::Object(map) = json!({"pin": 1234}) else {
            unreachable!()
        };
        let err = Fields::new("accounts", &map)
            .secret("pin")
            .expect_err("type");
        assert!(!err.to_string().contains("1234"), "{err}");
    }
}
