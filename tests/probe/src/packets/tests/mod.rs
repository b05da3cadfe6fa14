//! Parser and builder tests from byte strings written out by hand from the spec's layouts.

mod account;
mod character;
mod login;
mod manage;
mod select;
mod view_all;
mod world;

use crate::profile::{lookup, Layout};

/// Hex pairs separated by whitespace; `..` separates nothing, it is only for reading.
pub(super) fn h(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .filter(|t| *t != "..")
        .map(|t| u8::from_str_radix(t, 16).expect("test hex"))
        .collect()
}

/// Concatenates hand-written fragments.
pub(super) fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// The layout of a shipped version.
pub(super) fn layout(region: &str, major: u16) -> Layout {
    lookup(region, major).expect("shipped version").layout
}

/// A u16-length string.
pub(super) fn s(text: &str) -> Vec<u8> {
    let mut out = (text.len() as u16).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out
}

/// Asserts a Malformed error for `packet` at `offset`.
pub(super) fn assert_malformed<T: std::fmt::Debug>(
    r: crate::Result<T>,
    packet: &str,
    offset: usize,
) {
    match r {
        Err(crate::Error::Malformed {
            packet: p,
            offset: o,
            ..
        }) => assert_eq!((p, o), (packet, offset)),
        other => panic!("expected Malformed {packet} @{offset}, got {other:?}"),
    }
}
