//! The admin HTTP listener: `/healthz` (the process is alive), `/readyz` (configuration read,
//! consumer assigned, broker reachable, not shutting down) and `/metrics` (Prometheus text).
//! Loopback by default.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use metrics_exporter_prometheus::PrometheusHandle;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tracing::{debug, info};

/// How long the admin listener waits after a failed accept before the next one.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// What readiness is made of; shared by the consumer (assignment, broker state) and the app
/// (the configuration's load, shutdown).
#[derive(Debug)]
pub struct Health {
    assigned: watch::Sender<bool>,
    broker_up: AtomicBool,
    shutting_down: AtomicBool,
    /// Why the configuration is not read yet (loading it, or waiting for its service).
    configuring: Mutex<Option<String>>,
}

impl Default for Health {
    fn default() -> Health {
        Health {
            assigned: watch::Sender::new(false),
            broker_up: AtomicBool::new(true),
            shutting_down: AtomicBool::new(false),
            configuring: Mutex::new(None),
        }
    }
}

impl Health {
    /// While the configuration is being read, why the service is not ready (`None` once read).
    pub fn set_configuring(&self, why: Option<String>) {
        *self
            .configuring
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = why;
    }

    pub fn set_assigned(&self, assigned: bool) {
        self.assigned.send_replace(assigned);
    }

    /// Resolves once the consumer holds partitions.
    pub async fn wait_assigned(&self) {
        let mut rx = self.assigned.subscribe();
        let _ = rx.wait_for(|a| *a).await;
    }

    pub fn set_broker_up(&self, up: bool) {
        self.broker_up.store(up, Ordering::Relaxed);
    }

    pub fn set_shutting_down(&self) {
        self.shutting_down.store(true, Ordering::Relaxed);
    }

    /// `Ok` when ready, else why not.
    pub fn ready(&self) -> Result<(), String> {
        let configuring = self
            .configuring
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        if self.shutting_down.load(Ordering::Relaxed) {
            Err("shutting down".into())
        } else if let Some(why) = configuring {
            Err(why)
        } else if !*self.assigned.borrow() {
            Err("consumer has no partitions".into())
        } else if !self.broker_up.load(Ordering::Relaxed) {
            Err("broker unreachable".into())
        } else {
            Ok(())
        }
    }
}

/// The running listener; stops with the actix system.
pub struct Admin {
    pub addr: SocketAddr,
}

/// Binds `addr` and serves the three endpoints.
pub async fn start(
    addr: SocketAddr,
    health: Arc<Health>,
    metrics: Option<PrometheusHandle>,
) -> std::io::Result<Admin> {
    let listener = TcpListener::bind(addr).await.map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "admin listener: cannot listen on {addr} (/healthz, /readyz, /metrics): {e}; \
                 set ADMIN_ADDRESS to another address, such as 127.0.0.1:0 for any free port"
            ),
        )
    })?;
    let addr = listener.local_addr()?;
    info!(%addr, "Admin endpoints on /healthz, /readyz, /metrics.");
    if let Some(handle) = metrics.clone() {
        actix_rt::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(5)).await;
                handle.run_upkeep();
            }
        });
    }
    actix_rt::spawn(async move {
        loop {
            let stream = match listener.accept().await {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: back off instead of spinning.
                    debug!(%error, "Admin accept failed.");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                    continue;
                }
            };
            let (health, metrics) = (Arc::clone(&health), metrics.clone());
            actix_rt::spawn(async move {
                let service = hyper::service::service_fn(move |req| {
                    let response = respond(&req, &health, metrics.as_ref());
                    async move { Ok::<_, Infallible>(response) }
                });
                if let Err(error) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await
                {
                    debug!(%error, "Admin connection failed.");
                }
            });
        }
    });
    Ok(Admin { addr })
}

fn respond<B>(
    req: &Request<B>,
    health: &Health,
    metrics: Option<&PrometheusHandle>,
) -> Response<Full<Bytes>> {
    match req.uri().path() {
        "/healthz" => text(StatusCode::OK, "ok\n".into()),
        "/readyz" => match health.ready() {
            Ok(()) => text(StatusCode::OK, "ready\n".into()),
            Err(why) => text(
                StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {why}\n"),
            ),
        },
        "/metrics" => match metrics {
            Some(handle) => text(StatusCode::OK, handle.render()),
            None => text(
                StatusCode::NOT_FOUND,
                "metrics are recorded elsewhere\n".into(),
            ),
        },
        _ => text(StatusCode::NOT_FOUND, "not found\n".into()),
    }
}

fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[actix_rt::test]
    async fn a_busy_address_is_an_error_naming_the_admin_listener_and_its_variable() {
        let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let Err(error) = start(addr, Arc::new(Health::default()), None).await else {
            panic!("bound a busy address");
        };
        let text = error.to_string();
        assert!(
            text.starts_with(&format!("admin listener: cannot listen on {addr}")),
            "{text}"
        );
        assert!(text.contains("ADMIN_ADDRESS"), "{text}");
    }

    #[test]
    fn readiness_needs_assignment_a_broker_and_no_shutdown() {
        let h = Health::default();
        assert_eq!(h.ready(), Err("consumer has no partitions".into()));
        h.set_assigned(true);
        assert_eq!(h.ready(), Ok(()));
        h.set_broker_up(false);
        assert_eq!(h.ready(), Err("broker unreachable".into()));
        h.set_broker_up(true);
        h.set_shutting_down();
        assert_eq!(h.ready(), Err("shutting down".into()));
    }

    #[test]
    fn readiness_says_why_the_configuration_is_not_read_yet() {
        let h = Health::default();
        let why = "waiting for the configuration service at http://atlas/api/configurations/\
                   services/7acb6545-97f0-4438-8be3-8a6e52c4097c: status 503";
        h.set_configuring(Some(why.into()));
        assert_eq!(h.ready(), Err(why.into()));
        let answer = respond(&Request::get("/readyz").body(()).unwrap(), &h, None);
        assert_eq!(answer.status(), StatusCode::SERVICE_UNAVAILABLE);
        h.set_configuring(None);
        assert_eq!(h.ready(), Err("consumer has no partitions".into()));
        h.set_assigned(true);
        assert_eq!(h.ready(), Ok(()));
    }
}
