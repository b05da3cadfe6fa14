//! Test support for the session actors, without sockets or a broker: a capturing producer, the
//! shared services of one GMS 83.1 tenant, and a JSON-lines connection over an in-memory pipe.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

use crate::config::{ServiceConfig, TenantConfig};
use crate::kafka::ledger::Ledger;
use crate::kafka::outbox::Outbox;
use crate::kafka::producer::{Publish, PublishError};
use crate::session::connection::Connection;
use crate::session::directory::Directory;
use crate::session::registry::AccountRegistry;
use crate::session::state::Settings;
use crate::session::{Limits, Services};
use crate::tenant::Tenants;

pub const TENANT: &str = "083839c6-c47c-42a6-9585-76492795d123";

/// One produced message as the capture saw it.
#[derive(Debug, Clone)]
pub struct Sent {
    pub topic: String,
    pub key: Vec<u8>,
    /// `None` for a tombstone.
    pub json: Option<serde_json::Value>,
}

impl Sent {
    /// The message's `type`, or `tombstone`/`record` for the ledger's records.
    pub fn kind(&self) -> String {
        match &self.json {
            None => "tombstone".into(),
            Some(v) => v["type"].as_str().unwrap_or("record").to_owned(),
        }
    }
}

/// A producer that records every message and answers with `fail` (delivery failure) or success;
/// while `paused`, deliveries wait (as with a broker that does not answer yet).
#[derive(Clone, Default)]
pub struct Capture {
    pub sent: Arc<Mutex<Vec<Sent>>>,
    pub fail: Arc<std::sync::atomic::AtomicBool>,
    pub paused: Arc<tokio::sync::watch::Sender<bool>>,
}

impl Capture {
    pub fn kinds(&self) -> Vec<String> {
        self.sent.lock().unwrap().iter().map(Sent::kind).collect()
    }
}

impl Actor for Capture {
    type Context = Context<Self>;
}

impl Handler<Publish> for Capture {
    type Result = ResponseFuture<Result<(), PublishError>>;

    fn handle(&mut self, msg: Publish, _: &mut Context<Self>) -> Self::Result {
        if self.fail.load(std::sync::atomic::Ordering::SeqCst) {
            return Box::pin(async { Err(PublishError::Stopped) });
        }
        let json = msg
            .payload
            .as_deref()
            .map(|p| serde_json::from_slice(p).expect("produced json"));
        self.sent.lock().unwrap().push(Sent {
            topic: msg.topic.to_string(),
            key: msg.key,
            json,
        });
        let mut paused = self.paused.subscribe();
        Box::pin(async move {
            let _ = paused.wait_for(|p| !*p).await;
            Ok(())
        })
    }
}

pub fn tenant_config() -> TenantConfig {
    serde_json::from_value(serde_json::json!({
        "id": TENANT, "region": "GMS", "majorVersion": 83, "minorVersion": 1, "port": 0,
        "channels": [{"worldId": 0, "channelId": 0, "ipAddress": "10.0.0.5", "port": 7575}]
    }))
    .expect("tenant config")
}

/// The services of one tenant, producing through `producer`.
pub fn services(producer: Recipient<Publish>, limits: Limits) -> Arc<Services> {
    let tenants = vec![tenant_config()];
    Arc::new(Services {
        tenants: Arc::new(Tenants::new(&tenants)),
        service: Arc::new(ServiceConfig {
            tasks: vec![],
            tenants,
        }),
        outbox: Outbox::new("cmd", "status"),
        producer,
        registry: Arc::new(AccountRegistry::default()),
        login_timeout: Duration::from_secs(2),
        settings: Settings {
            max_bad_requests: 3,
            max_login_failures: 0,
            login_failure_window: Duration::from_secs(60),
            replace_duplicates: false,
        },
        limits,
        directory: Arc::new(Directory::default()),
        ledger: Ledger::new(
            "ledger",
            Arc::new(crate::kafka::producer::Delivered::new("status", [])),
        ),
        ids: crate::session::ids::SessionIds::new(uuid::Uuid::from_u128(1)),
        rest: rest(None),
    })
}

/// A REST client of the services at `base` (none: every call fails as not configured).
pub fn rest(base: Option<&str>) -> crate::rest::RestClient {
    let endpoints =
        crate::rest::Endpoints::new(base.map(str::to_owned), vec![]).expect("endpoints");
    let config = crate::rest::ClientConfig::with_timeout(Duration::from_secs(2));
    crate::rest::RestClient::new(endpoints, config).expect("rest client")
}

pub fn limits() -> Limits {
    Limits {
        max_sessions: 100,
        max_sessions_per_ip: 0,
    }
}

/// The client's end of an in-memory JSON-lines connection.
pub struct Pipe {
    reader: BufReader<tokio::io::ReadHalf<DuplexStream>>,
    writer: tokio::io::WriteHalf<DuplexStream>,
}

impl Pipe {
    pub async fn send(&mut self, line: &str) {
        self.writer
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
    }

    /// The next line, or `None` at EOF (within 5 s).
    pub async fn line(&mut self) -> Option<serde_json::Value> {
        let mut line = String::new();
        let n = tokio::time::timeout(Duration::from_secs(5), self.reader.read_line(&mut line))
            .await
            .expect("a line in time")
            .unwrap();
        (n > 0).then(|| serde_json::from_str(&line).expect("json line"))
    }

    pub async fn expect(&mut self, event: &str) -> serde_json::Value {
        let line = self.line().await.expect("a line, not EOF");
        assert_eq!(line["event"], event, "{line}");
        line
    }
}

/// A JSON-lines connection of tenant 0 from `peer`, and its client's end.
pub fn connection(peer: &str) -> (Connection, Pipe) {
    let (server, client) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server);
    let peer: SocketAddr = peer.parse().unwrap();
    let connection = crate::gateway::json_lines::connection(0, peer, read, Box::new(write), 1024);
    let (reader, writer) = tokio::io::split(client);
    let pipe = Pipe {
        reader: BufReader::new(reader),
        writer,
    };
    (connection, pipe)
}

/// Lets the actors run until `done` holds (panics after 5 s).
pub async fn until(what: &str, done: impl Fn() -> bool) {
    let end = std::time::Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(
            std::time::Instant::now() < end,
            "timed out waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// The peer's CREATED for session `id`, logging account `account_id` ("admin") in.
pub fn created(id: uuid::Uuid, account_id: u32) -> crate::session::SessionEvent {
    use crate::message::account_session::{EventBody, StatusEvent};
    crate::session::SessionEvent {
        seq: 1,
        origin: crate::session::Origin {
            topic: "ass".into(),
            partition: 0,
            offset: 0,
            trace: crate::kafka::headers::Carried::default(),
        },
        inbound: crate::session::Inbound::Peer(StatusEvent {
            session_id: id,
            account_id,
            account_name: "admin".into(),
            body: EventBody::Created,
        }),
        hold: None,
    }
}
