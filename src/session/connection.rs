//! A client connection as a session sees it, whatever its protocol: the requests its protocol
//! decodes, where the encoded outputs go, and the encoder. A listener builds one per accepted
//! connection (`gateway`); the supervisor starts a session actor on it.

use std::net::SocketAddr;
use std::pin::Pin;

use futures_util::Stream;

use crate::session::outbound::ClientWriter;
use crate::session::output::Output;
use crate::session::request::ClientInput;
use crate::session::state::Flow;
use crate::tenant::TenantIdx;

/// The decoded inputs of one connection, in order; the stream ends when the client closes.
pub type ClientInputs = Pin<Box<dyn Stream<Item = ClientInput> + Send>>;

/// Encodes a session's outputs into its protocol's frames (stateful: a game socket's cipher
/// advances with every frame).
pub trait Encode: Send {
    /// Appends the frame(s) for `output` to `buf`; nothing when the protocol has no way to tell
    /// it (an end the client cannot hear, a refusal before the game socket's hello).
    fn encode(&mut self, output: &Output, buf: &mut Vec<u8>);
}

/// A ready connection: framing and encoding are set up for its tenant's protocol.
pub struct Connection {
    pub tenant: TenantIdx,
    pub peer: SocketAddr,
    pub inputs: ClientInputs,
    pub writer: ClientWriter,
    pub encoder: Box<dyn Encode>,
    /// The session flow the protocol serves.
    pub flow: Flow,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("tenant", &self.tenant)
            .field("peer", &self.peer)
            .finish_non_exhaustive()
    }
}
