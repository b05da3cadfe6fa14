//! The JSON-lines client protocol, version 1 (`gateway-protocol.md`): one JSON object per line
//! each way. `framing` cuts the input into lines, `request` decodes a line into a session
//! request, `event` encodes a session output into a line; [`connection`] puts them together for
//! one accepted connection.

mod event;
mod framing;
mod request;

use std::net::SocketAddr;

use futures_util::StreamExt;
use tokio::io::AsyncRead;
use tokio_util::codec::FramedRead;

use crate::session::connection::{ClientInputs, Connection, Encode};
use crate::session::outbound::ClientWriter;
use crate::session::output::Output;
use crate::session::request::{ClientInput, Guard};
use crate::session::state::Flow;
use crate::tenant::TenantIdx;

pub use event::{Event, PROTOCOL_VERSION};
pub use framing::{Frame, LineCodec};
pub use request::{decode_request, RequestError};

/// The read buffer a connection starts with; it grows for longer lines.
const READ_CAPACITY: usize = 128;

/// A ready connection of a JSON-lines tenant: lines of at most `max_line` bytes in, one line
/// per output out.
pub fn connection(
    tenant: TenantIdx,
    peer: SocketAddr,
    read: impl AsyncRead + Send + Unpin + 'static,
    writer: ClientWriter,
    max_line: usize,
) -> Connection {
    Connection {
        tenant,
        peer,
        inputs: inputs(read, max_line),
        writer,
        encoder: Box::new(LineEncoder),
        flow: Flow::Gateway,
    }
}

/// The client's requests, one per line, decoded.
pub fn inputs(read: impl AsyncRead + Send + Unpin + 'static, max_line: usize) -> ClientInputs {
    let lines = FramedRead::with_capacity(read, LineCodec::new(max_line), READ_CAPACITY);
    Box::pin(lines.map(|item| match item {
        Ok(Frame::Line(line)) => match decode_request(&line) {
            Ok(request) => ClientInput::Request(request, Guard::None),
            Err(error) => ClientInput::Malformed(error.to_string()),
        },
        Ok(Frame::TooLong) => ClientInput::TooLong,
        Err(_) => ClientInput::Broken,
    }))
}

/// Encodes each output as one line (stateless).
pub struct LineEncoder;

impl Encode for LineEncoder {
    fn encode(&mut self, output: &Output, buf: &mut Vec<u8>) {
        if let Some(event) = Event::of(output) {
            event.write_line(buf);
        }
    }
}
