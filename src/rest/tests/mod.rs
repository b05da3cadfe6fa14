//! Tests of the REST client: golden JSON:API decoding and end-to-end calls against a tiny
//! local hyper server.

mod decode;
mod e2e;
mod server;
