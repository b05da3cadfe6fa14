//! JSON:API documents as Atlas's services write them: `data` (one or a list), `included`,
//! `relationships` for hydration, and a field reader as tolerant as Go's `encoding/json`.
//!
//! Shared by the client (decoding answers, encoding bodies) and the simulator (the reverse).
//! Pure: no I/O.

use serde::Serialize;
use serde_json::{json, Map, Value};

use super::error::RestError;
use super::fields::Fields;

/// A parsed JSON:API document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Document {
    pub data: Data,
    pub included: Vec<Resource>,
}

/// The primary data of a document.
#[derive(Clone, Debug, Default)]
pub(crate) enum Data {
    One(Resource),
    Many(Vec<Resource>),
    #[default]
    Null,
}

/// One resource object: type, id, attributes and relationship linkage.
#[derive(Clone, Debug, Default)]
pub(crate) struct Resource {
    pub kind: String,
    pub id: String,
    pub attributes: Map<String, Value>,
    pub relationships: Vec<(String, Vec<Identifier>)>,
}

/// A resource identifier `{type, id}` inside a relationship.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Identifier {
    pub kind: String,
    pub id: String,
}

impl Document {
    /// Parses a body; `expected` (the resource type asked for) only names errors.
    pub fn parse(expected: &str, body: &[u8]) -> Result<Document, RestError> {
        let root: Value =
            serde_json::from_slice(body).map_err(|e| RestError::decode(expected, "document", e))?;
        let Value::Object(mut root) = root else {
            return Err(RestError::decode(expected, "document", "not an object"));
        };
        let data = match root.remove("data") {
            None => return Err(RestError::decode(expected, "data", "missing")),
            Some(Value::Null) => Data::Null,
            Some(Value::Array(items)) => Data::Many(resources(expected, items)?),
            Some(one) => Data::One(Resource::parse(expected, one)?),
        };
        let included = match root.remove("included") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(items)) => resources(expected, items)?,
            Some(_) => return Err(RestError::decode(expected, "included", "not a list")),
        };
        Ok(Document { data, included })
    }

    /// The single primary resource.
    pub fn one(&self, expected: &str) -> Result<&Resource, RestError> {
        match &self.data {
            Data::One(resource) => Ok(resource),
            Data::Many(items) if items.len() == 1 => Ok(&items[0]),
            Data::Many(_) => Err(RestError::decode(
                expected,
                "data",
                "a list, not one resource",
            )),
            Data::Null => Err(RestError::decode(expected, "data", "null")),
        }
    }

    /// The primary resources as a list (a single object counts as a list of one).
    pub fn many(&self) -> &[Resource] {
        match &self.data {
            Data::One(resource) => std::slice::from_ref(resource),
            Data::Many(items) => items,
            Data::Null => &[],
        }
    }

    /// The included resources a relationship of `resource` points at, in linkage order;
    /// linkage without an included resource is skipped.
    pub fn related<'a>(&'a self, resource: &Resource, name: &str) -> Vec<&'a Resource> {
        let Some((_, ids)) = resource.relationships.iter().find(|(n, _)| n == name) else {
            return Vec::new();
        };
        ids.iter()
            .filter_map(|i| {
                self.included
                    .iter()
                    .find(|r| r.kind == i.kind && r.id == i.id)
            })
            .collect()
    }
}

fn resources(expected: &str, items: Vec<Value>) -> Result<Vec<Resource>, RestError> {
    items
        .into_iter()
        .map(|v| Resource::parse(expected, v))
        .collect()
}

impl Resource {
    fn parse(expected: &str, value: Value) -> Result<Resource, RestError> {
        let Value::Object(mut object) = value else {
            return Err(RestError::decode(
                expected,
                "data",
                "a resource is not an object",
            ));
        };
        let kind = match object.remove("type") {
            Some(Value::String(kind)) => kind,
            _ => expected.to_string(),
        };
        let id = id_text(object.remove("id"));
        let attributes = match object.remove("attributes") {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(map)) => map,
            Some(_) => return Err(RestError::decode(&kind, "attributes", "not an object")),
        };
        let relationships = match object.remove("relationships") {
            Some(Value::Object(map)) => map.into_iter().map(linkage).collect(),
            _ => Vec::new(),
        };
        Ok(Resource {
            kind,
            id,
            attributes,
            relationships,
        })
    }

    /// A resource from a flat object (`{"id":…, attribute…}`), as the simulator's data file
    /// writes them; every member but `id` is an attribute.
    pub fn flat(kind: &str, value: Value) -> Result<Resource, RestError> {
        let Value::Object(mut attributes) = value else {
            return Err(RestError::decode(kind, "data", "an entry is not an object"));
        };
        let id = id_text(attributes.remove("id"));
        Ok(Resource {
            kind: kind.to_string(),
            id,
            attributes,
            relationships: Vec::new(),
        })
    }

    /// A reader over this resource's attributes.
    pub fn fields(&self) -> Fields<'_> {
        Fields::new(&self.kind, &self.attributes)
    }

    /// The id parsed as a number (Atlas writes numeric ids as decimal strings).
    pub fn numeric_id<T: std::str::FromStr>(&self) -> Result<T, RestError> {
        self.id
            .parse()
            .map_err(|_| RestError::decode(&self.kind, "id", "not a number in range"))
    }
}

fn id_text(value: Option<Value>) -> String {
    match value {
        Some(Value::String(id)) => id,
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

fn linkage((name, value): (String, Value)) -> (String, Vec<Identifier>) {
    let data = match value {
        Value::Object(mut rel) => rel.remove("data").unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let items = match data {
        Value::Array(items) => items,
        Value::Null => Vec::new(),
        one => vec![one],
    };
    let ids = items
        .into_iter()
        .filter_map(|item| match item {
            Value::Object(mut o) => Some(Identifier {
                kind: id_text(o.remove("type")),
                id: id_text(o.remove("id")),
            }),
            _ => None,
        })
        .collect();
    (name, ids)
}

/// A resource object `{type, id, attributes}` from a serialisable attribute struct.
pub(crate) fn resource<T: Serialize>(kind: &str, id: &str, attributes: &T) -> Value {
    let attributes = serde_json::to_value(attributes).unwrap_or_default();
    json!({ "type": kind, "id": id, "attributes": attributes })
}

/// A document around primary data (one resource or a list).
pub(crate) fn document(data: Value) -> Value {
    json!({ "data": data })
}

#[cfg(test)]
mod tests {
    use super::*;

    const WORLD: &str = r#"{"data":{"type":"worlds","id":"0","attributes":{"name":"Scania"},
      "relationships":{"channels":{"data":[{"type":"channels","id":"b"},{"type":"channels","id":"a"},
      {"type":"channels","id":"missing"}]}}},
      "included":[{"type":"channels","id":"a","attributes":{"channelId":0}},
                  {"type":"channels","id":"b","attributes":{"channelId":1}},
                  {"type":"other","id":"a"}]}"#;

    #[test]
    fn related_follows_linkage_order_and_skips_missing() {
        let doc = Document::parse("worlds", WORLD.as_bytes()).expect("parse");
        let world = doc.one("worlds").expect("one");
        let ids: Vec<_> = doc
            .related(world, "channels")
            .iter()
            .map(|r| r.id.clone())
            .collect();
        assert_eq!(ids, ["b", "a"]);
        assert!(doc.related(world, "nothing").is_empty());
    }

    #[test]
    fn a_document_without_data_or_with_garbage_is_a_decode_error() {
        for body in [
            r#"{}"#,
            "[]",
            "not json",
            r#"{"data":1}"#,
            r#"{"data":[],"included":3}"#,
        ] {
            let err = Document::parse("worlds", body.as_bytes()).expect_err(body);
            assert!(matches!(err, RestError::Decode { .. }), "{body}: {err}");
        }
    }

    #[test]
    fn one_and_many_accept_either_shape() {
        let list = Document::parse("x", br#"{"data":[{"type":"x","id":7}]}"#).expect("list");
        assert_eq!(list.one("x").expect("single").id, "7");
        let empty = Document::parse("x", br#"{"data":[]}"#).expect("empty");
        assert!(empty.many().is_empty());
        assert!(empty.one("x").is_err());
    }
}
