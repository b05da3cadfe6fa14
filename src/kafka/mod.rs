//! Kafka glue: client settings (`client`), the producer actor (`producer`), one builder per
//! produced message (`outbox`), the session ledger of crash recovery (`ledger`), the consume
//! loop (`consumer`) and its routing step (`router`), headers (`headers`) and keys (`keys`).

pub mod client;
pub(crate) mod consumer;
pub mod headers;
pub mod keys;
pub(crate) mod ledger;
pub(crate) mod outbox;
pub(crate) mod producer;
pub(crate) mod router;
