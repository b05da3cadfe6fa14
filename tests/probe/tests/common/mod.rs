//! Test support: a scripted fake login server on loopback that reuses the client's crypto in
//! reverse roles, plus hand-written server packets (§5.2).

#![allow(dead_code)]

pub mod server_packets;

use std::future::Future;
use std::net::SocketAddr;

use maple_client::crypto::FrameCipher;
use maple_client::{Hello, Version};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// Hex pairs separated by whitespace.
pub fn h(s: &str) -> Vec<u8> {
    s.split_whitespace()
        .map(|t| u8::from_str_radix(t, 16).expect("test hex"))
        .collect()
}

/// The server end of one connection.
pub struct Peer {
    pub stream: TcpStream,
    pub version: Version,
    pub send: FrameCipher,
    pub recv: FrameCipher,
}

impl Peer {
    /// Writes `hello` raw and seeds the server-role ciphers (send = hello@11, recv = hello@7).
    pub async fn greet(mut stream: TcpStream, version: &Version, hello: &Hello) -> Peer {
        stream
            .write_all(&hello.encode())
            .await
            .expect("write hello");
        Peer {
            stream,
            version: version.clone(),
            send: version.cipher(hello.recv_iv, version.recv_version_word()),
            recv: version.cipher(hello.send_iv, version.send_version_word()),
        }
    }

    /// Encrypts a server packet into a frame.
    pub fn seal(&mut self, opcode: u16, payload: &[u8]) -> Vec<u8> {
        let mut body = Vec::new();
        self.version
            .encode_opcode(opcode, &mut body)
            .expect("opcode");
        body.extend_from_slice(payload);
        self.send.seal(&body).expect("seal")
    }

    /// Sends a server packet.
    pub async fn send(&mut self, opcode: u16, payload: &[u8]) {
        let frame = self.seal(opcode, payload);
        self.write(&frame).await;
    }

    /// Writes raw bytes.
    pub async fn write(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).await.expect("write");
    }

    /// Reads one client frame: returns the raw frame and the decrypted (opcode, payload).
    pub async fn read_frame(&mut self) -> (Vec<u8>, u16, Vec<u8>) {
        let mut header = [0u8; 4];
        self.stream
            .read_exact(&mut header)
            .await
            .expect("read header");
        let len = self.recv.check_header(header).expect("client header");
        let mut body = vec![0u8; len];
        self.stream.read_exact(&mut body).await.expect("read body");
        let mut raw = header.to_vec();
        raw.extend_from_slice(&body);
        self.recv.open(&mut body);
        let (opcode, payload) = self.version.split_opcode(&body).expect("opcode");
        (raw, opcode, payload.to_vec())
    }

    /// Reads one client packet.
    pub async fn recv(&mut self) -> (u16, Vec<u8>) {
        let (_, opcode, payload) = self.read_frame().await;
        (opcode, payload)
    }
}

/// Binds 127.0.0.1:0 and runs `script` on the first accepted connection.
pub async fn serve<F, Fut, T>(script: F) -> (SocketAddr, JoinHandle<T>)
where
    F: FnOnce(TcpStream) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let handle = tokio::spawn(async move {
        let (stream, _) = listener.accept().await.expect("accept");
        stream.set_nodelay(true).expect("nodelay");
        script(stream).await
    });
    (addr, handle)
}

/// Like [`serve`], greeting with a hello of `version` and fixed IVs first.
pub async fn serve_greeted<F, Fut, T>(version: Version, script: F) -> (SocketAddr, JoinHandle<T>)
where
    F: FnOnce(Peer) -> Fut + Send + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    serve(move |stream| async move {
        let hello =
            Hello::for_version(&version, [0x11, 0x22, 0x33, 0x44], [0x55, 0x66, 0x77, 0x88]);
        let peer = Peer::greet(stream, &version, &hello).await;
        script(peer).await
    })
    .await
}
