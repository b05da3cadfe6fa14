//! Opcode tables (§4, §8): which handler serves a C→S opcode, which opcode and code bytes each
//! S→C writer uses. Built-in tables per supported version, or a tenant's `socket`
//! configuration section, which replaces the built-in table.

mod builtin;
mod config;
mod names;
mod parse_uint;
mod table;

pub use config::{ConfigError, ConfigWarning};
pub use names::{Handler, Validator, WriterKind};
pub use parse_uint::parse_go_uint16;
pub use table::{
    CodeMap, HandlerEntry, OpcodeTable, WriterEntry, CODES, FAILED_REASON_CODES, MODES,
};

#[cfg(test)]
#[path = "opcodes_tests.rs"]
mod tests;
