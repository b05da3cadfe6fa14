//! The client-facing side: one TCP listener per tenant (`listener`), input line framing
//! (`codec`), the write side of a connection (`outbound`) and the JSON protocol of
//! `gateway-protocol.md`, version 1 (`protocol`).

pub mod codec;
pub mod listener;
pub mod outbound;
pub mod protocol;
