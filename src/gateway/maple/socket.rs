//! One game-socket connection as a session sees it: the tenant's [`Setup`] (version rules and
//! opcode tables, built once per tenant at start-up), the hello and the two cipher states made
//! per connection, the decoded requests in, the encoded outputs out.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use futures_util::{Stream, StreamExt};
use tokio::io::AsyncRead;
use tokio_util::codec::FramedRead;

use super::decode::input_of;
use super::encode::Encoder;
use super::{
    hello, ConfigError, ConfigWarning, FrameDecoder, OpcodeTable, RecvCipher, Rules, SendCipher,
    Version, VersionError,
};
use crate::config::TenantConfig;
use crate::session::connection::{ClientInputs, Connection};
use crate::session::outbound::ClientWriter;
use crate::session::request::ClientInput;
use crate::session::state::Flow;
use crate::tenant::TenantIdx;

/// The longest C→S body accepted (the longest request, a login, is under 100 bytes).
pub const MAX_BODY: usize = 4096;

/// How long a frame may stay half-read before the connection counts as broken (Atlas's newest
/// login: a mid-frame stall of 30 s ends the session).
pub const PARTIAL_FRAME_TIMEOUT: Duration = Duration::from_secs(30);

/// What every connection of one game-socket tenant shares.
#[derive(Debug)]
pub struct Setup {
    pub rules: Rules,
    pub table: OpcodeTable,
    /// Atlas's `usesPin` (AuthSuccess's pinFlag).
    pub uses_pin: bool,
}

/// Why a tenant's game socket cannot be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// The tenant's region and version are not a supported client version.
    #[error("{0}")]
    Version(#[from] VersionError),
    /// The tenant's `socket` section is not Atlas's shape.
    #[error("socket: {0}")]
    Socket(#[from] ConfigError),
}

impl Setup {
    /// The tenant's version rules and opcode table (its `socket` section, else the built-in
    /// tables of its version), with what the section had that is not used.
    pub fn for_tenant(tenant: &TenantConfig) -> Result<(Setup, Vec<ConfigWarning>), SetupError> {
        let version =
            Version::from_tenant(&tenant.region, tenant.major_version, tenant.minor_version)?;
        let rules = Rules::for_version(version)?;
        let (table, warnings) = OpcodeTable::for_tenant(&rules, tenant.socket.as_ref())?;
        let setup = Setup {
            rules,
            table,
            uses_pin: tenant.uses_pin,
        };
        Ok((setup, warnings))
    }

    /// Whether the version's clients select characters with a PIC: GMS from 83 (the versions
    /// whose character list carries the login option); GMS 12 has no PIC, and the JMS client
    /// is kept on its plain select (§14.7).
    pub fn uses_pic(&self) -> bool {
        !self.rules.version.is_jms() && self.rules.list.login_opt
    }
}

/// A ready connection of a game-socket tenant.
pub fn connection(
    tenant: TenantIdx,
    peer: SocketAddr,
    read: impl AsyncRead + Send + Unpin + 'static,
    writer: ClientWriter,
    setup: Arc<Setup>,
) -> Connection {
    // Two IVs from the random bytes of a v4 uuid (bytes 6 and 8 carry its version and
    // variant bits, so neither IV takes them).
    let ivs = *uuid::Uuid::new_v4().as_bytes();
    let (recv_iv, send_iv) = (
        [ivs[0], ivs[1], ivs[2], ivs[3]],
        [ivs[12], ivs[13], ivs[14], ivs[15]],
    );
    let decoder = FrameDecoder::with_max_body_len(RecvCipher::new(&setup.rules, recv_iv), MAX_BODY);
    let frames = FramedRead::with_capacity(read, decoder, 64);
    let hello = hello(&setup.rules, recv_iv, send_iv);
    let send = SendCipher::new(&setup.rules, send_iv);
    let flow = Flow::Game {
        pic: setup.uses_pic(),
        pin: setup.uses_pin,
        worlds_at_login: setup.rules.server_list_after_auth,
    };
    Connection {
        tenant,
        peer,
        inputs: inputs(frames, Arc::clone(&setup)),
        writer,
        encoder: Box::new(Encoder::new(setup, send, hello)),
        flow,
    }
}

fn inputs<R: AsyncRead + Send + Unpin + 'static>(
    frames: FramedRead<R, FrameDecoder>,
    setup: Arc<Setup>,
) -> ClientInputs {
    let decoded = PartialFrameTimeout::new(frames).map(move |item| match item {
        Ok(packet) => input_of(&setup, &packet),
        Err(Stop::Frame) => ClientInput::Invalid,
        Err(Stop::Io) => ClientInput::Broken,
    });
    Box::pin(decoded)
}

/// Why the input stream stops.
enum Stop {
    /// A frame the protocol does not allow (a bad header, too long), or half a frame left
    /// unfinished for [`PARTIAL_FRAME_TIMEOUT`].
    Frame,
    /// The connection failed.
    Io,
}

/// The frames of a connection, ending with [`Stop::Frame`] when half a frame stays unfinished
/// for [`PARTIAL_FRAME_TIMEOUT`] (a quiet client between frames is the idle check's business).
struct PartialFrameTimeout<R> {
    frames: FramedRead<R, FrameDecoder>,
    deadline: Option<Pin<Box<tokio::time::Sleep>>>,
    /// A stop was yielded: the stream has ended.
    stopped: bool,
}

impl<R> PartialFrameTimeout<R> {
    fn new(frames: FramedRead<R, FrameDecoder>) -> Self {
        PartialFrameTimeout {
            frames,
            deadline: None,
            stopped: false,
        }
    }
}

impl<R: AsyncRead + Unpin> Stream for PartialFrameTimeout<R> {
    type Item = Result<super::Packet, Stop>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.stopped {
            return Poll::Ready(None);
        }
        match Pin::new(&mut this.frames).poll_next(cx) {
            Poll::Ready(item) => {
                this.deadline = None;
                let item = item.map(|r| {
                    r.map_err(|e| match e {
                        super::FrameError::Io(_) => Stop::Io,
                        _ => Stop::Frame,
                    })
                });
                this.stopped = !matches!(item, Some(Ok(_)));
                return Poll::Ready(item);
            }
            Poll::Pending => {}
        }
        if this.frames.read_buffer().is_empty() {
            this.deadline = None;
            return Poll::Pending;
        }
        let deadline = this
            .deadline
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(PARTIAL_FRAME_TIMEOUT)));
        match deadline.as_mut().poll(cx) {
            Poll::Ready(()) => {
                this.stopped = true;
                Poll::Ready(Some(Err(Stop::Frame)))
            }
            Poll::Pending => Poll::Pending,
        }
    }
}
