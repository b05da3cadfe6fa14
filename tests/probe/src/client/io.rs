//! Raw packet I/O of a [`Client`]: send, receive, wait for an opcode, escape hatches.

use std::time::Duration;

use super::Client;
use crate::error::Result;
use crate::transport::Deadline;

/// One decrypted packet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packet {
    /// Opcode (u8 widened for GMS ≤ 28).
    pub opcode: u16,
    /// Payload after the opcode.
    pub body: Vec<u8>,
}

impl Client {
    /// Sends one packet: header, Shanda, AES-OFB per chunk, IV shuffle (§3.6).
    pub async fn send(&mut self, opcode: u16, body: &[u8]) -> Result<()> {
        let mut frame = Vec::with_capacity(2 + body.len());
        self.version.encode_opcode(opcode, &mut frame)?;
        frame.extend_from_slice(body);
        self.conn
            .send_body(&frame, Deadline::after(self.timeout))
            .await
    }

    /// Receives the next packet within the per-step timeout.
    pub async fn recv(&mut self) -> Result<Packet> {
        self.recv_timeout(self.timeout).await
    }

    /// Receives the next packet within `timeout`.
    pub async fn recv_timeout(&mut self, timeout: Duration) -> Result<Packet> {
        self.recv_by(Deadline::after(timeout), "a packet").await
    }

    /// Receives packets until one has `opcode` (per-step timeout), skipping and counting others.
    pub async fn recv_until(&mut self, opcode: u16) -> Result<Packet> {
        let what = format!("opcode 0x{opcode:02X}");
        self.recv_until_any(&[opcode], self.timeout, &what).await
    }

    /// Receives until one of `opcodes` arrives within `timeout`; `what` names it in errors.
    /// A skipped Ping is answered with Pong when auto-pong is on.
    pub async fn recv_until_any(
        &mut self,
        opcodes: &[u16],
        timeout: Duration,
        what: &str,
    ) -> Result<Packet> {
        let deadline = Deadline::after(timeout);
        loop {
            let packet = self.recv_by(deadline, what).await?;
            if opcodes.contains(&packet.opcode) {
                return Ok(packet);
            }
            self.on_skipped(&packet).await?;
        }
    }

    async fn on_skipped(&mut self, packet: &Packet) -> Result<()> {
        self.skipped += 1;
        if Some(packet.opcode) != self.profile.server.ping {
            return Ok(());
        }
        self.pings_seen += 1;
        match (self.auto_pong, self.profile.client.pong) {
            (true, Some(_)) => self.pong().await,
            _ => Ok(()),
        }
    }

    pub(crate) async fn recv_by(&mut self, deadline: Deadline, what: &str) -> Result<Packet> {
        let body = self.conn.recv_body(deadline, what).await?;
        let (opcode, payload) = self.version.split_opcode(&body)?;
        Ok(Packet {
            opcode,
            body: payload.to_vec(),
        })
    }

    /// Waits for one packet with `opcode`, naming it `what`, within `timeout`.
    pub(crate) async fn wait_for(
        &mut self,
        opcode: u16,
        timeout: Duration,
        what: &str,
    ) -> Result<Vec<u8>> {
        let what = format!("{what} (opcode 0x{opcode:02X})");
        Ok(self.recv_until_any(&[opcode], timeout, &what).await?.body)
    }

    /// Answers a Ping: Pong with an empty body (0x18 for v83, [H]).
    pub async fn pong(&mut self) -> Result<()> {
        let op = self.required(self.profile.client.pong, "Pong")?;
        self.send(op, &[]).await
    }

    /// Writes bytes as they are: no header, no crypto, no IV change (garbage, forged headers,
    /// truncated frames). Whatever follows on this connection is the caller's problem.
    pub async fn send_raw_bytes(&mut self, bytes: &[u8]) -> Result<()> {
        self.conn
            .write_raw(bytes, Deadline::after(self.timeout))
            .await
    }

    /// Encrypts a packet exactly as `send` would and returns the frame without writing it, so
    /// a negative test can truncate or corrupt it. The send IV advances as if it had been sent.
    pub fn seal_only(&mut self, opcode: u16, body: &[u8]) -> Result<Vec<u8>> {
        let mut frame = Vec::with_capacity(2 + body.len());
        self.version.encode_opcode(opcode, &mut frame)?;
        frame.extend_from_slice(body);
        self.conn.seal(&frame)
    }

    /// Reads and discards until the server closes the connection (true) or `timeout` passes.
    pub async fn closed_within(&mut self, timeout: Duration) -> Result<bool> {
        self.conn.closed_within(timeout).await
    }
}
