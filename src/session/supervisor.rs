//! The session supervisor: starts a session actor per accepted connection, keeps the directory
//! the consume loop routes through, runs the idle-timeout task, and is the one place where a
//! session ends on Kafka: LOGOUT then DESTROYED, exactly once, whatever ended it.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tracing::{info, warn, Span};
use uuid::Uuid;

use crate::gateway::codec;
use crate::gateway::outbound::Outbound;
use crate::gateway::protocol::{ErrorCode, Event};
use crate::kafka::producer::{publish, Publish};
use crate::message::{account_session::Command, session};
use crate::metrics;
use crate::session::actor::{CheckIdle, EndSession, SessionActor};
use crate::session::directory::Directory;
use crate::session::ledger::Entry;
use crate::session::state::EndReason;
use crate::session::Services;
use crate::tenant::TenantIdx;

/// How long a session that ended with its login unanswered is remembered, so that a late
/// answer still releases the account.
const ENDED_RETENTION: Duration = Duration::from_secs(600);

/// A client connected to the listener of `tenant`.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Connect {
    pub tenant: TenantIdx,
    pub stream: TcpStream,
    pub peer: SocketAddr,
}

/// A session was bound to an account by the peer's answer.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Bound {
    pub id: Uuid,
    pub tenant: TenantIdx,
    pub account_id: u32,
    pub account_name: String,
}

/// End a session because another one logs its account in (`DUPLICATE_LOGIN=replace`).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Replace(pub Uuid);

/// A session ended (its actor already told the client); the supervisor does the rest.
#[derive(Message)]
#[rtype(result = "()")]
pub struct SessionEnded {
    pub id: Uuid,
    pub tenant: TenantIdx,
    pub account_id: u32,
    /// The bound account's name, if the session was bound.
    pub account_name: Option<String>,
    pub login_unanswered: bool,
    pub reason: EndReason,
    /// The span that caused the end; LOGOUT and DESTROYED carry its trace context.
    pub span: Span,
}

/// End every session (`bye` `shutdown`) and answer once all their LOGOUT and DESTROYED were
/// sent. New connections are refused from then on.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown;

/// How many sessions are live.
#[derive(Message)]
#[rtype(result = "usize")]
pub struct CountSessions;

pub struct SessionSupervisor {
    services: Arc<Services>,
    directory: Arc<Directory>,
    sessions: HashMap<Uuid, Live>,
    /// Live sessions per client IP, for `MAX_SESSIONS_PER_IP`.
    per_ip: HashMap<IpAddr, u32>,
    /// End sequences (LOGOUT + DESTROYED) still being sent.
    ending: usize,
    /// The idle-timeout task: scan interval and maximum idle time.
    idle: Option<(Duration, Duration)>,
    shutting_down: bool,
    drained: Vec<oneshot::Sender<()>>,
}

impl SessionSupervisor {
    pub fn new(
        services: Arc<Services>,
        directory: Arc<Directory>,
        idle: Option<(Duration, Duration)>,
    ) -> SessionSupervisor {
        SessionSupervisor {
            services,
            directory,
            sessions: HashMap::new(),
            per_ip: HashMap::new(),
            ending: 0,
            idle,
            shutting_down: false,
            drained: Vec::new(),
        }
    }

    fn notify_if_drained(&mut self) {
        if self.shutting_down && self.sessions.is_empty() && self.ending == 0 {
            for waiter in self.drained.drain(..) {
                let _ = waiter.send(());
            }
        }
    }
}

impl Actor for SessionSupervisor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        if let Some((interval, max_idle)) = self.idle {
            ctx.run_interval(interval, move |act, _| {
                for session in act.sessions.values().map(|s| &s.addr) {
                    session.do_send(CheckIdle(max_idle));
                }
            });
        }
        ctx.run_interval(Duration::from_secs(30), |act, _| {
            act.directory.prune_ended(ENDED_RETENTION)
        });
    }
}

impl Handler<Connect> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, msg: Connect, ctx: &mut Context<Self>) {
        if self.shutting_down {
            return; // dropping the stream closes the connection
        }
        let Connect {
            tenant,
            stream,
            peer,
        } = msg;
        let label = self.services.tenants.get(tenant).label();
        if let Some(limit) = self.limit_reached(peer.ip()) {
            metrics::session_refused(label, limit);
            refuse(stream, limit);
            return;
        }
        metrics::session_started(label);
        *self.per_ip.entry(peer.ip()).or_default() += 1;
        let id = Uuid::new_v4();
        let ip_address = peer.ip().to_canonical().to_string();
        let (read, write) = stream.into_split();
        let out = Outbound::new(write);
        let services = Arc::clone(&self.services);
        let lines = codec::lines(read, services.max_line_bytes);
        let supervisor = ctx.address();
        let addr = SessionActor::create(move |sctx| {
            sctx.add_stream(lines);
            SessionActor::new(id, tenant, ip_address, services, supervisor, out)
        });
        self.directory.insert(id, addr.clone().recipient());
        self.sessions.insert(
            id,
            Live {
                addr,
                ip: peer.ip(),
            },
        );
        let entry = Entry::new(self.services.tenants.get(tenant), 0);
        self.services
            .producer
            .do_send(self.services.ledger.live(id, &entry));
    }
}

/// A live session as the supervisor knows it.
struct Live {
    addr: Addr<SessionActor>,
    ip: IpAddr,
}

impl SessionSupervisor {
    /// The limit a new connection from `ip` would exceed, if any.
    fn limit_reached(&self, ip: IpAddr) -> Option<&'static str> {
        let limits = &self.services.limits;
        if self.sessions.len() >= limits.max_sessions as usize {
            return Some("max_sessions");
        }
        let per_ip = self.per_ip.get(&ip).copied().unwrap_or(0);
        (limits.max_sessions_per_ip != 0 && per_ip >= limits.max_sessions_per_ip)
            .then_some("max_sessions_per_ip")
    }

    fn forget(&mut self, id: Uuid) -> Option<Live> {
        let live = self.sessions.remove(&id)?;
        if let Some(n) = self.per_ip.get_mut(&live.ip) {
            *n -= 1;
            if *n == 0 {
                self.per_ip.remove(&live.ip);
            }
        }
        Some(live)
    }
}

/// Tells a connection over a limit why it is refused, and closes it.
fn refuse(mut stream: TcpStream, limit: &'static str) {
    let line = Event::Error {
        code: ErrorCode::Unavailable,
        message: format!("too many sessions ({limit})"),
    }
    .to_line();
    actix_rt::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let _ = tokio::time::timeout(Duration::from_secs(1), stream.write_all(&line)).await;
        let _ = stream.shutdown().await;
    });
}

impl Handler<Bound> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, msg: Bound, _: &mut Context<Self>) {
        if self.sessions.contains_key(&msg.id) {
            self.directory.bind(msg.id, msg.tenant, msg.account_id);
            self.directory
                .bind_name(msg.id, msg.tenant, msg.account_id, &msg.account_name);
            let entry = Entry::new(self.services.tenants.get(msg.tenant), msg.account_id);
            self.services
                .producer
                .do_send(self.services.ledger.live(msg.id, &entry));
        }
    }
}

impl Handler<SessionEnded> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, msg: SessionEnded, ctx: &mut Context<Self>) {
        if self.forget(msg.id).is_none() {
            warn!(session_id = %msg.id, "A session reported its end twice; ignored.");
            return;
        }
        let SessionEnded {
            id,
            tenant,
            account_id,
            account_name,
            login_unanswered,
            reason,
            span,
        } = msg;
        self.directory
            .remove(id, tenant, account_id, account_name.as_deref());
        metrics::session_ended(self.services.tenants.get(tenant).label(), reason.as_str());
        if login_unanswered {
            self.directory.mark_ended(id, tenant);
        }
        let (logout, destroyed) = {
            let _entered = span.enter();
            info!(session_id = %id, account_id, reason = reason.as_str(), "Session ended.");
            let tenant = self.services.tenants.get(tenant);
            (
                Publish::new(
                    &self.services.command_topic,
                    tenant,
                    account_id,
                    Command::logout(id, account_id).to_json(),
                ),
                Publish::new(
                    &self.services.status_topic,
                    tenant,
                    account_id,
                    session::StatusEvent::destroyed(id, account_id).to_json(),
                ),
            )
        };
        self.ending += 1;
        let producer = self.services.producer.clone();
        let tombstone = self.services.ledger.ended(id);
        // A task of its own, not a future of this actor's context (which polls all of its
        // futures on every wake-up: ending 10,000 sessions at once would be quadratic).
        let me = ctx.address();
        actix_rt::spawn(async move {
            // In this order: the peer releases the account before the session is gone.
            let _ = publish(&producer, logout).await;
            if publish(&producer, destroyed).await.is_ok() {
                // Only now may the ledger forget it: a crash before this replays the end.
                let _ = publish(&producer, tombstone).await;
            }
            me.do_send(EndSent);
        });
    }
}

/// An end sequence (LOGOUT, DESTROYED, ledger tombstone) was sent.
#[derive(Message)]
#[rtype(result = "()")]
struct EndSent;

impl Handler<EndSent> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, _: EndSent, _: &mut Context<Self>) {
        self.ending -= 1;
        self.notify_if_drained();
    }
}

impl Handler<Replace> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, msg: Replace, _: &mut Context<Self>) {
        if let Some(live) = self.sessions.get(&msg.0) {
            live.addr.do_send(EndSession(EndReason::Replaced));
        }
    }
}

impl Handler<Shutdown> for SessionSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, _: Shutdown, _: &mut Context<Self>) -> Self::Result {
        self.shutting_down = true;
        info!(
            sessions = self.sessions.len(),
            "Ending every session for shutdown."
        );
        for session in self.sessions.values().map(|s| &s.addr) {
            session.do_send(EndSession(EndReason::Shutdown));
        }
        let (tx, rx) = oneshot::channel();
        self.drained.push(tx);
        self.notify_if_drained();
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

impl Handler<CountSessions> for SessionSupervisor {
    type Result = usize;

    fn handle(&mut self, _: CountSessions, _: &mut Context<Self>) -> usize {
        self.sessions.len()
    }
}

/// Test hook: makes the session `0` panic (see `actor::InjectPanic`).
#[cfg(feature = "fault-injection")]
#[derive(Message)]
#[rtype(result = "bool")]
pub struct PanicSession(pub Uuid);

#[cfg(feature = "fault-injection")]
impl Handler<PanicSession> for SessionSupervisor {
    type Result = bool;

    fn handle(&mut self, msg: PanicSession, _: &mut Context<Self>) -> bool {
        match self.sessions.get(&msg.0).map(|s| &s.addr) {
            Some(session) => {
                session.do_send(crate::session::actor::InjectPanic);
                true
            }
            None => false,
        }
    }
}
