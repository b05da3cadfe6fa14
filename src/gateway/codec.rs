//! Framing of the client connection: newline-delimited lines with a length limit, read as bytes
//! (a line that is not UTF-8 is a bad request, not a broken connection), and the writer task
//! that drains a session's bounded outbound queue into the socket.

use bytes::Bytes;
use tokio::io::AsyncWriteExt;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc;
use tokio_util::codec::{AnyDelimiterCodec, AnyDelimiterCodecError, FramedRead};

/// Lines a session may have queued for its client before it counts as not reading.
pub const OUTBOUND_QUEUE: usize = 64;

/// One framed input from the client.
#[derive(Debug)]
pub enum Frame {
    /// A line without its `\n` (a trailing `\r` is left for the request decoder).
    Line(Bytes),
    /// The client sent a line longer than the limit.
    TooLong,
    /// The connection failed.
    Broken,
}

pub type Lines = futures_util::stream::Map<
    FramedRead<OwnedReadHalf, AnyDelimiterCodec>,
    fn(Result<Bytes, AnyDelimiterCodecError>) -> Frame,
>;

/// The client's lines, at most `max_line` bytes each.
pub fn lines(read: OwnedReadHalf, max_line: usize) -> Lines {
    use futures_util::StreamExt;
    let codec = AnyDelimiterCodec::new_with_max_length(b"\n".to_vec(), Vec::new(), max_line);
    FramedRead::with_capacity(read, codec, 512).map(frame as fn(_) -> Frame)
}

fn frame(item: Result<Bytes, AnyDelimiterCodecError>) -> Frame {
    match item {
        Ok(line) => Frame::Line(line),
        Err(AnyDelimiterCodecError::MaxChunkLengthExceeded) => Frame::TooLong,
        Err(AnyDelimiterCodecError::Io(_)) => Frame::Broken,
    }
}

/// Starts the task that writes queued lines to the client, and closes the connection's write
/// side once the queue's sender is dropped and everything queued is written.
pub fn spawn_writer(mut write: OwnedWriteHalf) -> mpsc::Sender<Vec<u8>> {
    let (tx, mut rx) = mpsc::channel::<Vec<u8>>(OUTBOUND_QUEUE);
    actix_rt::spawn(async move {
        while let Some(line) = rx.recv().await {
            if write.write_all(&line).await.is_err() {
                return;
            }
        }
        let _ = write.shutdown().await;
    });
    tx
}
