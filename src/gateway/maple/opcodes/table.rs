//! A tenant's opcode table and its lookups, including the code-byte policy of the login path.
//! Lookups return `Option`: a missing code is the caller's decision, never a silent 99 (§4.2).

use std::collections::BTreeMap;

use super::names::{Handler, Validator, WriterKind};

/// Option key of the login-result code maps.
pub const FAILED_REASON_CODES: &str = "failedReasonCodes";
/// Option key of most writers' code maps.
pub const CODES: &str = "codes";
/// Option key of the mode maps (PinOperation, PinUpdate, ServerIP).
pub const MODES: &str = "modes";

/// Code name → byte (one writer option such as `failedReasonCodes`).
pub type CodeMap = BTreeMap<String, u8>;

/// What a C→S opcode is dispatched to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandlerEntry {
    /// The handler.
    pub handler: Handler,
    /// Its validator.
    pub validator: Validator,
}

/// Opcode and code maps of one writer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WriterEntry {
    /// S→C opcode.
    pub opcode: u16,
    /// Option name → code map.
    pub options: BTreeMap<String, CodeMap>,
}

/// A tenant's handlers and writers.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OpcodeTable {
    pub(super) handlers: BTreeMap<u16, HandlerEntry>,
    pub(super) writers: BTreeMap<WriterKind, WriterEntry>,
}

impl OpcodeTable {
    /// The handler of a C→S opcode; `None` = unhandled (drop the packet, §1.2).
    pub fn handler(&self, opcode: u16) -> Option<HandlerEntry> {
        self.handlers.get(&opcode).copied()
    }

    /// Every handled opcode, ascending.
    pub fn handlers(&self) -> impl Iterator<Item = (u16, HandlerEntry)> + '_ {
        self.handlers.iter().map(|(op, e)| (*op, *e))
    }

    /// A writer's entry; `None` = "writer not found" (nothing can be sent).
    pub fn writer(&self, kind: WriterKind) -> Option<&WriterEntry> {
        self.writers.get(&kind)
    }

    /// A writer's opcode.
    pub fn opcode(&self, kind: WriterKind) -> Option<u16> {
        self.writer(kind).map(|w| w.opcode)
    }

    /// A code byte: `options[option][key]` of `kind`.
    pub fn code(&self, kind: WriterKind, option: &str, key: &str) -> Option<u8> {
        self.writer(kind)?.options.get(option)?.get(key).copied()
    }

    /// The AuthLoginFailed byte for a peer error code (`wire-contract.md` codes).
    ///
    /// A key of `failedReasonCodes` maps directly. The two peer codes that are not keys map to
    /// the nearest client reason: `SYSTEM_ERROR` → `SYSTEM_ERROR_1` (6, the reason Atlas itself
    /// sends when the login command cannot be produced, §5.1) and `TOO_MANY_ATTEMPTS` →
    /// `TOO_MANY_CONNECTIONS` (10, the byte the ServerIP map names
    /// `TOO_MANY_CONNECTION_REQUESTS`, §4.2). Anything else is `None`.
    pub fn login_failed_code(&self, peer_code: &str) -> Option<u8> {
        let lookup = |key| self.code(WriterKind::AuthLoginFailed, FAILED_REASON_CODES, key);
        lookup(peer_code).or_else(|| lookup(login_failed_alias(peer_code)?))
    }

    /// The result byte of a ban packet (`kind` = AuthTemporaryBan or AuthPermanentBan): the
    /// writer's own `failedReasonCodes.BANNED`, else AuthLoginFailed's (the `[B]` templates give
    /// the ban writers no map, §9 #3). 2 in every template.
    pub fn ban_code(&self, kind: WriterKind) -> Option<u8> {
        self.code(kind, FAILED_REASON_CODES, "BANNED")
            .or_else(|| self.code(WriterKind::AuthLoginFailed, FAILED_REASON_CODES, "BANNED"))
    }
}

/// The client reason a peer code without its own key falls back to.
fn login_failed_alias(peer_code: &str) -> Option<&'static str> {
    match peer_code {
        "SYSTEM_ERROR" => Some("SYSTEM_ERROR_1"),
        "TOO_MANY_ATTEMPTS" => Some("TOO_MANY_CONNECTIONS"),
        _ => None,
    }
}
