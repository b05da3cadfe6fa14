//! Writer and Reader primitives (§3.7).

use super::*;
use crate::gateway::maple::test_util::hex;

fn written(f: impl FnOnce(&mut Writer<'_>)) -> Vec<u8> {
    let mut out = Vec::new();
    f(&mut Writer::new(&mut out, OpcodeWidth::U16));
    out
}

#[test]
fn writer_encodes_little_endian_fields() {
    let out = written(|w| {
        w.u8(1)
            .u16(0x0302)
            .u32(0x0706_0504)
            .u64(0x0F0E_0D0C_0B0A_0908);
        w.i16(-2).i32(-3).bool(true).bool(false);
    });
    let expected = "01 02 03 04 05 06 07 08 09 0A 0B 0C 0D 0E 0F FE FF FD FF FF FF 01 00";
    assert_eq!(out, hex(expected));
}

#[test]
fn writer_encodes_strings_names_and_opcodes() {
    let out = written(|w| {
        w.opcode(0x0102).str("ab").name13("Hero");
    });
    assert_eq!(
        out,
        hex("02 01 02 00 61 62 48 65 72 6F 00 00 00 00 00 00 00 00 00")
    );
    let mut narrow = Vec::new();
    Writer::new(&mut narrow, OpcodeWidth::U8).opcode(0x0A);
    assert_eq!(narrow, [0x0A]);
}

#[test]
fn name13_truncates_long_names_at_13_bytes() {
    let out = written(|w| {
        w.name13("ABCDEFGHIJKLMNOP");
    });
    assert_eq!(out, b"ABCDEFGHIJKLM");
}

#[test]
fn filetime_helpers_match_the_spec_constants() {
    assert_eq!(
        FILETIME_FAR_FUTURE.to_le_bytes().to_vec(),
        hex("00 80 05 BB 46 E6 17 02")
    );
    assert_eq!(filetime_from_unix_secs(0), FILETIME_UNIX_EPOCH);
    assert_eq!(filetime_from_unix_secs(1), FILETIME_UNIX_EPOCH + 10_000_000);
    assert_eq!(filetime_from_unix_secs(i64::MIN), 0);
    assert_eq!(filetime_from_unix_secs(i64::MAX), u64::MAX);
}

#[test]
fn reader_reads_what_the_writer_wrote_and_ignores_trailing_bytes() {
    let buf = written(|w| {
        w.u8(9)
            .u16(0x1234)
            .u32(7)
            .u64(8)
            .i16(-1)
            .i32(-5)
            .bool(true)
            .str("hey")
            .u8(0xEE);
    });
    let mut r = Reader::new(&buf);
    assert_eq!(r.u8(), Ok(9));
    assert_eq!(r.u16(), Ok(0x1234));
    assert_eq!(r.u32(), Ok(7));
    assert_eq!(r.u64(), Ok(8));
    assert_eq!(r.i16(), Ok(-1));
    assert_eq!(r.i32(), Ok(-5));
    assert_eq!(r.bool(), Ok(true));
    assert_eq!(r.str(), Ok(&b"hey"[..]));
    assert_eq!(r.remaining(), 1);
}

#[test]
fn reading_past_the_end_is_an_error() {
    let mut r = Reader::new(&[1, 2, 3]);
    assert_eq!(r.u16(), Ok(0x0201));
    assert_eq!(
        r.u32(),
        Err(ReadError::Truncated {
            offset: 2,
            needed: 4,
            remaining: 1
        })
    );
    assert_eq!(r.u8(), Ok(3));
    assert!(r.u8().is_err());
    assert!(Reader::new(&[]).array::<16>().is_err());
}

#[test]
fn string_length_at_or_over_0x8000_is_an_error_not_a_panic() {
    let mut r = Reader::new(&[0x00, 0x80, 1, 2]);
    assert_eq!(
        r.str(),
        Err(ReadError::StringLength {
            offset: 0,
            len: 0x8000
        })
    );
    let mut r = Reader::new(&[0xFF, 0xFF]);
    assert!(matches!(r.str(), Err(ReadError::StringLength { .. })));
}

#[test]
fn string_longer_than_the_body_is_an_error() {
    let mut r = Reader::new(&[0x05, 0x00, b'a', b'b']);
    assert_eq!(
        r.str(),
        Err(ReadError::Truncated {
            offset: 2,
            needed: 5,
            remaining: 2
        })
    );
    assert!(Reader::new(&[0x05]).str().is_err());
}

#[test]
fn read_errors_have_lowercase_messages() {
    let e = ReadError::Truncated {
        offset: 2,
        needed: 4,
        remaining: 1,
    };
    assert_eq!(
        e.to_string(),
        "packet truncated: 4 bytes needed at offset 2, 1 left"
    );
    let e = ReadError::StringLength {
        offset: 0,
        len: 0x8000,
    };
    assert_eq!(
        e.to_string(),
        "string length 0x8000 at offset 0 is out of range"
    );
}

#[test]
fn lossy_keeps_ascii_and_replaces_invalid_utf8() {
    assert_eq!(lossy(b"admin"), "admin");
    assert_eq!(lossy(&[0x82, 0xA0]), "\u{FFFD}\u{FFFD}");
}
