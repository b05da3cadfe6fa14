//! Kafka glue: client settings (`client`), the producer actor (`producer`), one builder per
//! produced message (`outbox`), the session ledger (`ledger`) and crash recovery from it
//! (`recovery`), the consume
//! loop (`consumer`), its routing step (`router`) and the hand-off of what it routed to the
//! sessions' thread (`delivery`), headers (`headers`) and keys (`keys`).

pub mod client;
pub(crate) mod consumer;
pub(crate) mod delivery;
pub mod headers;
pub mod keys;
pub(crate) mod ledger;
pub(crate) mod outbox;
pub(crate) mod producer;
pub(crate) mod recovery;
pub(crate) mod router;
