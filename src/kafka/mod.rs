//! Kafka glue: client settings (`client`), the producer actor (`producer`), the consume loop
//! (`consumer`) and its routing step (`router`), headers (`headers`) and keys (`keys`).

pub mod client;
pub mod consumer;
pub mod headers;
pub mod keys;
pub mod producer;
pub mod router;
