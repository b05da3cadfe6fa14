//! One TCP listener per configured tenant: each accepted socket is set up for the tenant's
//! protocol and handed to the session supervisor as a ready connection, which starts its
//! session actor on it.

use std::net::{IpAddr, SocketAddr};

use actix::Recipient;
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::gateway::Protocol;
use crate::session::supervisor::Connect;
use crate::tenant::{TenantIdx, Tenants};

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
            let listener = TcpListener::bind((bind, *port)).await.map_err(|e| {
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
