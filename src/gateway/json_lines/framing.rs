//! JSON-lines framing of the client's input: newline-delimited lines with a length limit, read
//! as bytes (a line that is not UTF-8 is a bad request, not a broken connection).

use bytes::{Bytes, BytesMut};
use tokio_util::codec::{AnyDelimiterCodec, AnyDelimiterCodecError, Decoder};

/// One framed input from the client.
#[derive(Debug)]
pub enum Frame {
    /// A line without its `\n` (a trailing `\r` is left for the request decoder).
    Line(Bytes),
    /// The client sent a line longer than the limit.
    TooLong,
}

/// Newline-delimited lines with a length limit. A too-long line is a [`Frame::TooLong`] item,
/// not a stream error: the codec discards the rest of that line and reading goes on, so an
/// ended session can keep draining its client's input until the client closes (closing with
/// unread input would reset the connection and could destroy the last lines sent).
pub struct LineCodec(AnyDelimiterCodec);

impl Decoder for LineCodec {
    type Item = Frame;
    type Error = std::io::Error;

    fn decode(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, std::io::Error> {
        frame_of(self.0.decode(buf))
    }

    fn decode_eof(&mut self, buf: &mut BytesMut) -> Result<Option<Frame>, std::io::Error> {
        frame_of(self.0.decode_eof(buf))
    }
}

fn frame_of(
    item: Result<Option<Bytes>, AnyDelimiterCodecError>,
) -> Result<Option<Frame>, std::io::Error> {
    match item {
        Ok(line) => Ok(line.map(Frame::Line)),
        Err(AnyDelimiterCodecError::MaxChunkLengthExceeded) => Ok(Some(Frame::TooLong)),
        Err(AnyDelimiterCodecError::Io(error)) => Err(error),
    }
}

impl LineCodec {
    /// Lines of at most `max_line` bytes.
    pub fn new(max_line: usize) -> LineCodec {
        LineCodec(AnyDelimiterCodec::new_with_max_length(
            b"\n".to_vec(),
            Vec::new(),
            max_line,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codec(max: usize) -> LineCodec {
        LineCodec::new(max)
    }

    #[test]
    fn a_too_long_line_is_an_item_and_reading_goes_on() {
        let mut c = codec(8);
        let mut buf = BytesMut::from(&b"ok\nthis line is far too long\nnext\n"[..]);
        assert!(matches!(c.decode(&mut buf).unwrap(), Some(Frame::Line(l)) if &l[..] == b"ok"));
        assert!(matches!(c.decode(&mut buf).unwrap(), Some(Frame::TooLong)));
        let mut rest = Vec::new();
        while let Some(f) = c.decode(&mut buf).unwrap() {
            rest.push(f);
        }
        assert!(
            matches!(&rest[..], [Frame::Line(l)] if &l[..] == b"next"),
            "{rest:?}"
        );
    }

    #[test]
    fn a_last_line_without_newline_is_read_at_eof() {
        let mut c = codec(64);
        let mut buf = BytesMut::from(&b"half"[..]);
        assert!(c.decode(&mut buf).unwrap().is_none());
        assert!(
            matches!(c.decode_eof(&mut buf).unwrap(), Some(Frame::Line(l)) if &l[..] == b"half")
        );
    }
}
