//! The account-service simulator: behaves like `atlas-account` on the Kafka contract
//! (`wire-contract.md` §7), for trying the service, for tests, and for developing a game edge
//! without the whole Atlas stack. `book` holds the accounts and the peer's rules (pure);
//! `runner` connects them to Kafka.
//! `atlas`: the REST simulator of Atlas's services (accounts, worlds, characters, the character
//! factory, ...), whose seed status events go to Kafka through `atlas::kafka_seeds`.

pub mod atlas;
pub mod book;
pub mod runner;
