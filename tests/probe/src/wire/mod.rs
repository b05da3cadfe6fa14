//! Primitive encodings of §3.7: little-endian integers and u16-length strings, strict reader.

mod reader;
mod writer;

pub(crate) use reader::Reader;
pub(crate) use writer::Writer;
