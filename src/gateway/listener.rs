//! One TCP listener per configured tenant: each accepted socket is set up for the tenant's
//! protocol and handed to the session supervisor as a ready connection, which starts its
//! session actor on it.

use std::net::{IpAddr, SocketAddr};

use actix::Recipient;
use tokio::net::{TcpListener, TcpSocket};
use tracing::{info, warn};

use crate::gateway::Protocol;
use crate::session::supervisor::Connect;
use crate::tenant::{TenantIdx, Tenants};

/// The accept queue of a tenant's port. `TcpListener::bind` listens with 128, as the standard
/// library does: a burst of clients (a world opening after maintenance) overflows that while the
/// sessions' thread is busy, and the kernel then drops the handshakes' last ACKs (or the SYNs):
/// each such client waits a second or more for a retransmission, or for a hello that never
/// comes. Linux caps the value at `net.core.somaxconn` (4096 by default).
pub const LISTEN_BACKLOG: u32 = 4096;

/// A listening socket on `addr` with [`LISTEN_BACKLOG`] (`SO_REUSEADDR` set, as
/// `TcpListener::bind` does).
pub fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = match addr {
        SocketAddr::V4(_) => TcpSocket::new_v4()?,
        SocketAddr::V6(_) => TcpSocket::new_v6()?,
    };
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(LISTEN_BACKLOG)
}

/// The running listeners; dropping them (or calling `close`) stops accepting.
pub struct Listeners {
    tasks: Vec<actix_rt::task::JoinHandle<()>>,
    pub addrs: Vec<SocketAddr>,
}

impl Listeners {
    /// Binds every tenant's port on `bind` (`ports[i]` and `protocols[i]` for tenant `i`), then
    /// starts accepting.
    pub async fn start(
        bind: IpAddr,
        tenants: &Tenants,
        ports: &[u16],
        protocols: &[Protocol],
        supervisor: Recipient<Connect>,
    ) -> std::io::Result<Listeners> {
        let mut bound = Vec::new();
        for ((tenant, port), protocol) in tenants.iter().zip(ports).zip(protocols) {
            let listener = listen(SocketAddr::new(bind, *port)).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "gateway: cannot listen on {bind}:{port} for tenant {} (its port in the \
                         service file, on GATEWAY_BIND_ADDRESS): {e}",
                        tenant.id
                    ),
                )
            })?;
            bound.push((tenant.index, listener, protocol.clone()));
        }
        let mut addrs = Vec::new();
        let mut tasks = Vec::new();
        for (tenant, listener, protocol) in bound {
            let addr = listener.local_addr()?;
            let kind = match &protocol {
                Protocol::JsonLines { .. } => "json-lines",
                Protocol::Maple(_) => "maple",
            };
            info!(%addr, tenant = %tenants.get(tenant).id, protocol = kind, "Accepting clients.");
            addrs.push(addr);
            tasks.push(actix_rt::spawn(accept(
                listener,
                tenant,
                protocol,
                supervisor.clone(),
            )));
        }
        Ok(Listeners { tasks, addrs })
    }

    /// Stops accepting new connections (established sessions go on).
    pub fn close(&mut self) {
        for task in self.tasks.drain(..) {
            task.abort();
        }
    }
}

impl Drop for Listeners {
    fn drop(&mut self) {
        self.close();
    }
}

async fn accept(
    listener: TcpListener,
    tenant: TenantIdx,
    protocol: Protocol,
    supervisor: Recipient<Connect>,
) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                supervisor.do_send(Connect(protocol.connection(tenant, stream, peer)));
            }
            Err(error) => {
                // Out of file descriptors and the like: back off instead of spinning.
                warn!(%error, "Accept failed.");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 300 clients whose handshakes complete before the service accepts any are all in the
    /// accept queue (with `TcpListener::bind`'s 128, the 130th and later were dropped).
    #[tokio::test]
    async fn a_burst_of_connects_fits_the_accept_queue() {
        let listener = listen("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = listener.local_addr().unwrap();
        let mut clients = Vec::new();
        for _ in 0..300 {
            let connect = tokio::net::TcpStream::connect(addr);
            // A SYN dropped for a full queue is sent again after 1 s and 3 s (the queue stays
            // full): 2 s is a failure, and far more than a loopback connect takes.
            let client = tokio::time::timeout(std::time::Duration::from_secs(2), connect)
                .await
                .expect("connect within 2 s")
                .unwrap();
            clients.push(client);
        }
        let mut accepted = 0;
        while let Ok(Ok(_)) =
            tokio::time::timeout(std::time::Duration::from_millis(200), listener.accept()).await
        {
            accepted += 1;
        }
        assert_eq!(accepted, clients.len());
    }
}
