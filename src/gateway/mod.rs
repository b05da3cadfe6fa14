//! The client-facing side: one TCP listener per tenant (`listener`), line framing (`codec`) and
//! the JSON protocol of `gateway-protocol.md`, version 1 (`protocol`).

pub mod codec;
pub mod listener;
pub mod protocol;
