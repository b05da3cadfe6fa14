//! Integration tests: the service in-process against the real broker (tansu, started by
//! `make test`), with fresh topics and groups per test and the account simulator as the peer.

mod abuse;
mod atlas;
mod chaos;
mod configuration;
mod embedded;
mod embedded_game;
mod game;
mod helpers;
mod lifecycle;
mod observe;
mod ops;
mod outage;
mod process;
mod recovery;
mod wire;
mod world;
