//! Parsing of a tenant's `socket` configuration section (§4):
//! `{"handlers":[{opCode, validator, handler, options}], "writers":[{opCode, writer, options}]}`.
//! Bad entries are skipped and reported as warnings (unknown names are normal: the template is
//! shared with atlas-channel); only a section that is not an object is an error.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::names::{Handler, Validator, WriterKind};
use super::parse_go_uint16;
use super::table::{CodeMap, HandlerEntry, OpcodeTable, WriterEntry};
use crate::gateway::maple::rules::{OpcodeWidth, Rules};
use crate::gateway::maple::version::VersionError;

/// Why a socket section cannot be used at all.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The text is not JSON.
    #[error("socket section is not valid json: {0}")]
    Json(#[from] serde_json::Error),
    /// The value is not an object (with optional `handlers`/`writers` arrays).
    #[error("socket section must be an object with handlers and writers arrays")]
    Shape,
    /// No section was given and the version has no built-in table.
    #[error(transparent)]
    Version(#[from] VersionError),
}

/// A skipped or adjusted entry of a socket section (the caller logs these).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigWarning {
    /// A handler name this service does not know.
    #[error("handlers[{index}]: unknown handler {name:?}, skipped")]
    UnknownHandler {
        /// Entry index.
        index: usize,
        /// The name.
        name: String,
    },
    /// A validator name this service does not know.
    #[error("handlers[{index}]: unknown validator {name:?}, skipped")]
    UnknownValidator {
        /// Entry index.
        index: usize,
        /// The name.
        name: String,
    },
    /// A writer name this service does not know.
    #[error("writers[{index}]: unknown writer {name:?}, skipped")]
    UnknownWriter {
        /// Entry index.
        index: usize,
        /// The name.
        name: String,
    },
    /// An `opCode` that is missing, not a string, not a u16, or too wide for u8 opcodes.
    #[error("{list}[{index}]: bad opCode {value}, skipped")]
    BadOpcode {
        /// `handlers` or `writers`.
        list: &'static str,
        /// Entry index.
        index: usize,
        /// The JSON value.
        value: String,
    },
    /// A handler opcode listed twice; the later entry wins.
    #[error("handlers[{index}]: opCode {opcode:#06x} listed again, later entry wins")]
    DuplicateOpcode {
        /// Entry index.
        index: usize,
        /// The opcode.
        opcode: u16,
    },
    /// A code that is not an integer 0..=255, or an option that is not a code map.
    #[error("writers[{index}]: option {option}.{key} is not a code byte, skipped")]
    BadCode {
        /// Entry index.
        index: usize,
        /// Option name.
        option: String,
        /// Key within the option (empty when the option itself is not an object).
        key: String,
    },
}

/// A parsed section: the table and what was skipped.
type Parsed = (OpcodeTable, Vec<ConfigWarning>);

impl OpcodeTable {
    /// A tenant's table: its `socket` section when present (replacing the built-in table
    /// wholesale), else the built-in table of its version.
    pub fn for_tenant(rules: &Rules, socket: Option<&Value>) -> Result<Parsed, ConfigError> {
        match socket {
            Some(section) if !section.is_null() => {
                Self::from_socket_value(section, rules.opcode_width)
            }
            _ => Ok((Self::builtin(rules.version)?, Vec::new())),
        }
    }

    /// Parses a socket section given as JSON text.
    pub fn from_socket_json(text: &str, width: OpcodeWidth) -> Result<Parsed, ConfigError> {
        Self::from_socket_value(&serde_json::from_str(text)?, width)
    }

    /// Parses a socket section; `width` rejects opcodes over 0xFF for u8-opcode versions.
    pub fn from_socket_value(section: &Value, width: OpcodeWidth) -> Result<Parsed, ConfigError> {
        let obj = section.as_object().ok_or(ConfigError::Shape)?;
        let list = |key| match obj.get(key) {
            None | Some(Value::Null) => Ok(&[][..]),
            Some(Value::Array(a)) => Ok(a.as_slice()),
            Some(_) => Err(ConfigError::Shape),
        };
        let mut parser = Parser {
            width,
            warnings: Vec::new(),
            table: OpcodeTable::default(),
        };
        for (index, entry) in list("handlers")?.iter().enumerate() {
            parser.handler(index, entry);
        }
        for (index, entry) in list("writers")?.iter().enumerate() {
            parser.writer(index, entry);
        }
        Ok((parser.table, parser.warnings))
    }
}

struct Parser {
    width: OpcodeWidth,
    warnings: Vec<ConfigWarning>,
    table: OpcodeTable,
}

impl Parser {
    fn opcode(&mut self, list: &'static str, index: usize, entry: &Value) -> Option<u16> {
        let raw = entry.get("opCode");
        let op = raw.and_then(Value::as_str).and_then(parse_go_uint16);
        let op = op.filter(|op| self.width == OpcodeWidth::U16 || *op <= 0xFF);
        if op.is_none() {
            let value = raw.map_or_else(|| "missing".to_owned(), Value::to_string);
            self.warnings
                .push(ConfigWarning::BadOpcode { list, index, value });
        }
        op
    }

    fn handler(&mut self, index: usize, entry: &Value) {
        let name = |key| {
            entry
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let Some(opcode) = self.opcode("handlers", index, entry) else {
            return;
        };
        let Some(handler) = Handler::from_atlas_name(&name("handler")) else {
            let name = name("handler");
            return self
                .warnings
                .push(ConfigWarning::UnknownHandler { index, name });
        };
        let Some(validator) = Validator::from_atlas_name(&name("validator")) else {
            let name = name("validator");
            return self
                .warnings
                .push(ConfigWarning::UnknownValidator { index, name });
        };
        let entry = HandlerEntry { handler, validator };
        if self.table.handlers.insert(opcode, entry).is_some() {
            self.warnings
                .push(ConfigWarning::DuplicateOpcode { index, opcode });
        }
    }

    fn writer(&mut self, index: usize, entry: &Value) {
        let name = entry
            .get("writer")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(opcode) = self.opcode("writers", index, entry) else {
            return;
        };
        let Some(kind) = WriterKind::from_atlas_name(name) else {
            let name = name.to_owned();
            return self
                .warnings
                .push(ConfigWarning::UnknownWriter { index, name });
        };
        let options = match entry.get("options") {
            Some(Value::Object(map)) => self.options(index, map),
            _ => BTreeMap::new(),
        };
        self.table
            .writers
            .insert(kind, WriterEntry { opcode, options });
    }

    fn options(&mut self, index: usize, map: &Map<String, Value>) -> BTreeMap<String, CodeMap> {
        let mut out = BTreeMap::new();
        for (option, value) in map {
            let Value::Object(codes) = value else {
                let (option, key) = (option.clone(), String::new());
                self.warnings
                    .push(ConfigWarning::BadCode { index, option, key });
                continue;
            };
            out.insert(option.clone(), self.codes(index, option, codes));
        }
        out
    }

    fn codes(&mut self, index: usize, option: &str, codes: &Map<String, Value>) -> CodeMap {
        let mut out = CodeMap::new();
        for (key, value) in codes {
            match value.as_u64().and_then(|v| u8::try_from(v).ok()) {
                Some(byte) => {
                    out.insert(key.clone(), byte);
                }
                None => self.warnings.push(ConfigWarning::BadCode {
                    index,
                    option: option.to_owned(),
                    key: key.clone(),
                }),
            }
        }
        out
    }
}
