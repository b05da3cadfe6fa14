//! One TCP listener per configured tenant; each accepted connection is handed to the session
//! supervisor, which starts its session actor.

use std::net::{IpAddr, SocketAddr};

use actix::Addr;
use tokio::net::TcpListener;
use tracing::{info, warn};

use crate::session::supervisor::{Connect, SessionSupervisor};
use crate::tenant::{TenantIdx, Tenants};

/// The running listeners; dropping them (or calling `close`) stops accepting.
pub struct Listeners {
    tasks: Vec<actix_rt::task::JoinHandle<()>>,
    pub addrs: Vec<SocketAddr>,
}

impl Listeners {
    /// Binds every tenant's port on `bind`, then starts accepting.
    pub async fn start(
        bind: IpAddr,
        tenants: &Tenants,
        ports: &[u16],
        supervisor: Addr<SessionSupervisor>,
    ) -> std::io::Result<Listeners> {
        let mut bound = Vec::new();
        for (tenant, port) in tenants.iter().zip(ports) {
            let listener = TcpListener::bind((bind, *port)).await.map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!(
                        "cannot listen on {bind}:{port} for tenant {}: {e}",
                        tenant.id
                    ),
                )
            })?;
            bound.push((tenant.index, listener));
        }
        let mut addrs = Vec::new();
        let mut tasks = Vec::new();
        for (tenant, listener) in bound {
            let addr = listener.local_addr()?;
            info!(%addr, tenant = %tenants.get(tenant).id, "Accepting clients.");
            addrs.push(addr);
            tasks.push(actix_rt::spawn(accept(
                listener,
                tenant,
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

async fn accept(listener: TcpListener, tenant: TenantIdx, supervisor: Addr<SessionSupervisor>) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let _ = stream.set_nodelay(true);
                supervisor.do_send(Connect {
                    tenant,
                    stream,
                    peer,
                });
            }
            Err(error) => {
                // Out of file descriptors and the like: back off instead of spinning.
                warn!(%error, "Accept failed.");
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
        }
    }
}
