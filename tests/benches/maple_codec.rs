//! Micro-benchmarks of the game socket codec (`gateway::maple`) against its two cipher layers,
//! for bodies of 60 bytes (an AuthSuccess or a login request), 600 (a CharacterList) and 3,000
//! (past both AES chunk boundaries, 1456 and 2916), every case in bytes of body per second:
//!
//! - `maple_codec/s2c/N`: the server's send path, `SendCipher::write_packet` with a writer
//!   that copies the body into the output buffer, then header, Shanda, AES-OFB and IV shuffle
//!   in place (the buffer is reused, as a connection's is);
//! - `maple_codec/s2c_jms/N`: the same for JMS 185, which has no Shanda layer: framing and
//!   AES, so `s2c - s2c_jms` is what the codec's own Shanda encryption costs in place;
//! - `maple_codec/c2s_frame/N`: the receive path, a client frame appended to the connection's
//!   buffer (the socket read) and taken out decrypted by `FrameDecoder`;
//! - `maple_codec/c2s/N`: the same plus the request parse (a login request at 60 bytes, a
//!   StartError message at 600 and 3,000, the one C→S request that grows that long);
//! - `maple_codec/aes/N`: the AES-OFB layer alone (1456/1460 chunks), through the smallest
//!   public surface that has it alone: `RecvCipher::decrypt` of JMS 185, which has no Shanda
//!   (OFB encrypts and decrypts alike; the IV shuffle, four table lookups, comes with it);
//! - `maple_codec/shanda_encrypt/N`, `…/shanda_decrypt/N`: the codec's Shanda layer alone
//!   (never inlined, as in the codec: exposed by the `bench-internals` feature);
//! - `maple_codec/layers_open/N`: the codec's AES and Shanda decryption together, without
//!   framing (`RecvCipher::decrypt` of GMS 83): it should cost `aes + shanda_decrypt`.
//!
//! `aes + shanda_encrypt` is the floor of `s2c`, `aes + shanda_decrypt` that of `c2s_frame`:
//! framing should add no copy but the one body copy (or socket read) and no allocation.
//! `tests/tools/bench.sh` (phase `micro`) prints each path's ratio to its floor.
//!
//! `cargo bench --bench maple_codec`.

use std::time::Duration;

use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use login_orchestrator::gateway::maple::requests::read_request;
use login_orchestrator::gateway::maple::{
    FrameDecoder, Handler, OpcodeWidth, RecvCipher, Region, Rules, SendCipher, Version, Writer,
};
use tokio_util::codec::Decoder;

const IV: [u8; 4] = [0x46, 0x72, 0x7A, 0x42];
const SIZES: [usize; 3] = [60, 600, 3000];
/// Client frames prepared per size: the receive IV advances with every packet, so the decoder
/// reads a chain of frames and is reset (cloned) once per chain.
const CHAIN: usize = 1024;

/// A C→S body of `size` bytes, opcode included, and the handler that reads it: a GMS 83 login
/// request at 60 bytes, a StartError message above.
fn body(size: usize) -> (Vec<u8>, Handler) {
    let mut body = Vec::with_capacity(size);
    let mut w = Writer::new(&mut body, OpcodeWidth::U16);
    if size == 60 {
        w.opcode(0x01).str("bench0001").str("a-password-of-18ch");
        w.bytes(&[0x5A; 16]).u32(0).u8(0).u8(0).u8(0).u32(0);
        assert_eq!(body.len(), 60, "login body size");
        return (body, Handler::Login);
    }
    let text: Vec<u8> = (0..size - 4).map(|i| b'a' + (i % 26) as u8).collect();
    w.opcode(0x19).str_bytes(&text);
    (body, Handler::StartError)
}

fn rules(region: Region, major: u16) -> Rules {
    Rules::for_version(Version::new(region, major, 1)).expect("supported")
}

/// The codec's own Shanda layer (exposed to benchmarks by the `bench-internals` feature).
mod shanda {
    pub use login_orchestrator::internals::{shanda_decrypt as decrypt, shanda_encrypt as encrypt};
}

fn maple_codec(c: &mut Criterion) {
    let gms = rules(Region::Gms, 83);
    let jms = rules(Region::Jms, 185);
    let mut g = c.benchmark_group("maple_codec");
    for size in SIZES {
        let (body, handler) = body(size);
        g.throughput(Throughput::Bytes(size as u64));

        let mut send = SendCipher::new(&gms, IV);
        let mut out = Vec::with_capacity(size + 4);
        g.bench_function(BenchmarkId::new("s2c", size), |b| {
            b.iter(|| {
                out.clear();
                send.write_packet(&mut out, |w| {
                    w.bytes(black_box(&body));
                })
            })
        });

        let mut send_jms = SendCipher::new(&jms, IV);
        g.bench_function(BenchmarkId::new("s2c_jms", size), |b| {
            b.iter(|| {
                out.clear();
                send_jms.write_packet(&mut out, |w| {
                    w.bytes(black_box(&body));
                })
            })
        });

        let mut client = SendCipher::with_header_version(&gms, IV, gms.version.major);
        let frames: Vec<Vec<u8>> = (0..CHAIN)
            .map(|_| {
                let mut frame = Vec::new();
                client
                    .write_packet(&mut frame, |w| {
                        w.bytes(&body);
                    })
                    .expect("fits");
                frame
            })
            .collect();
        let fresh = FrameDecoder::new(RecvCipher::new(&gms, IV));
        for parse in [false, true] {
            let mut decoder = fresh.clone();
            let mut buf = BytesMut::with_capacity(size + 4);
            let mut next = 0;
            let name = if parse { "c2s" } else { "c2s_frame" };
            g.bench_function(BenchmarkId::new(name, size), |b| {
                b.iter(|| {
                    if next == CHAIN {
                        (next, decoder) = (0, fresh.clone());
                    }
                    buf.extend_from_slice(&frames[next]);
                    next += 1;
                    let packet = decoder.decode(&mut buf).expect("valid").expect("whole");
                    if parse {
                        black_box(read_request(handler, &gms, packet.body()).expect("reads"));
                    }
                    black_box(packet);
                })
            });
        }

        let mut data = body.clone();
        let mut aes = RecvCipher::new(&jms, IV);
        g.bench_function(BenchmarkId::new("aes", size), |b| {
            b.iter(|| aes.decrypt(black_box(&mut data)))
        });
        g.bench_function(BenchmarkId::new("shanda_encrypt", size), |b| {
            b.iter(|| shanda::encrypt(black_box(&mut data)))
        });
        g.bench_function(BenchmarkId::new("shanda_decrypt", size), |b| {
            b.iter(|| shanda::decrypt(black_box(&mut data)))
        });
        let mut layers = RecvCipher::new(&gms, IV);
        g.bench_function(BenchmarkId::new("layers_open", size), |b| {
            b.iter(|| layers.decrypt(black_box(&mut data)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = maple_codec
}
criterion_main!(benches);
