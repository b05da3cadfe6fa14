//! The session supervisor: starts a session actor on each ready connection the listeners hand
//! it (it never touches a socket), keeps the directory the consume loop routes through, runs the
//! idle-timeout task, and is the one place where a session ends on Kafka: LOGOUT then
//! DESTROYED, exactly once, whatever ended it.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tokio::sync::oneshot;
use tracing::{info, warn, Span};
use uuid::Uuid;

use crate::kafka::outbox::{end_session, Ending};
use crate::metrics;
use crate::session::actor::{CheckIdle, Drain, EndSession, SessionActor};
use crate::session::connection::Connection;
use crate::session::directory::Directory;
use crate::session::outbound::Outbound;
use crate::session::output::{EndReason, Output, Problem, Unavailable};
use crate::session::Services;
use crate::tenant::TenantIdx;

/// How long a refused connection may take to be told why before it is closed.
const REFUSAL_TIMEOUT: Duration = Duration::from_secs(1);

/// A client connected: its connection is ready for a session.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Connect(pub Connection);

/// What a session tells its supervisor.
#[derive(Message)]
#[rtype(result = "()")]
pub enum Notice {
    /// The session was bound to an account by the peer's answer.
    Bound(Bound),
    /// The session's account was signed out; the session stays, unbound.
    Unbound(Bound),
    /// End this other session: it holds the account being logged in (`DUPLICATE_LOGIN=replace`).
    Replace(Uuid),
    /// The session ended (its actor already told the client); the supervisor does the rest.
    Ended(SessionEnded),
}

/// A session was bound to an account.
pub struct Bound {
    pub id: Uuid,
    pub tenant: TenantIdx,
    pub account_id: u32,
    pub account_name: String,
}

/// A session ended.
pub struct SessionEnded {
    pub id: Uuid,
    pub tenant: TenantIdx,
    pub account_id: u32,
    /// The bound account's name, if the session was bound.
    pub account_name: Option<String>,
    pub reason: EndReason,
    /// The span that caused the end; LOGOUT and DESTROYED carry its trace context.
    pub span: Span,
}

/// End every session (`bye` `shutdown`) and answer once all their LOGOUT and DESTROYED were
/// sent. New connections are refused from then on. Sessions with a login or a channel
/// hand-off in flight may finish it for up to `drain` first (each ends as soon as it has).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Shutdown {
    pub drain: Duration,
}

impl Shutdown {
    /// A shutdown without a drain.
    #[cfg(test)]
    pub fn now() -> Shutdown {
        Shutdown {
            drain: Duration::ZERO,
        }
    }
}

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

/// A live session as the supervisor knows it.
struct Live {
    addr: Addr<SessionActor>,
    ip: IpAddr,
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

    fn bound(&mut self, msg: Bound) {
        if self.sessions.contains_key(&msg.id) {
            self.directory.bind(msg.id, msg.tenant, msg.account_id);
            self.directory
                .bind_name(msg.id, msg.tenant, msg.account_id, &msg.account_name);
        }
    }

    fn replace(&mut self, holder: Uuid) {
        if let Some(live) = self.sessions.get(&holder) {
            live.addr.do_send(EndSession(EndReason::Replaced));
        }
    }

    /// The one end of a session on Kafka.
    fn ended(&mut self, msg: SessionEnded, ctx: &mut Context<Self>) {
        if self.forget(msg.id).is_none() {
            warn!(session_id = %msg.id, "A session reported its end twice; ignored.");
            return;
        }
        let SessionEnded {
            id,
            tenant,
            account_id,
            account_name,
            reason,
            span,
        } = msg;
        self.directory
            .remove(id, tenant, account_id, account_name.as_deref());
        metrics::session_ended(self.services.tenants.get(tenant).label(), reason.as_str());
        let end = {
            let _entered = span.enter();
            info!(session_id = %id, account_id, reason = reason.as_str(), "Session ended.");
            let ending = Ending {
                tenant: self.services.tenants.get(tenant),
                session: id,
                account_id,
            };
            let s = &self.services;
            end_session(&s.outbox, &s.ledger, s.producer.clone(), ending)
        };
        self.ending += 1;
        // A task of its own, not a future of this actor's context (which polls all of its
        // futures on every wake-up: ending 10,000 sessions at once would be quadratic).
        let me = ctx.address();
        actix_rt::spawn(async move {
            let _ = end.await;
            me.do_send(EndSent);
        });
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
    }
}

impl Handler<Connect> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, Connect(connection): Connect, ctx: &mut Context<Self>) {
        if self.shutting_down {
            return; // dropping the connection closes it
        }
        let (tenant, ip) = (connection.tenant, connection.peer.ip());
        let label = self.services.tenants.get(tenant).label();
        if let Some(limit) = self.limit_reached(ip) {
            metrics::session_refused(label, limit);
            refuse(connection, limit);
            return;
        }
        metrics::session_started(label);
        *self.per_ip.entry(ip).or_default() += 1;
        let id = self.services.ids.next();
        let services = Arc::clone(&self.services);
        let supervisor = ctx.address().recipient();
        let addr = SessionActor::new(id, connection, services, supervisor).start();
        self.directory.insert(id, addr.clone().recipient());
        self.sessions.insert(id, Live { addr, ip });
    }
}

/// Tells a connection over a limit why it is refused (in its own protocol), and closes it.
fn refuse(connection: Connection, limit: &'static str) {
    let Connection {
        writer,
        mut encoder,
        ..
    } = connection;
    let out = Outbound::with_timeout(writer, REFUSAL_TIMEOUT);
    let why = Output::Problem(Problem::Unavailable(Unavailable::Limit(limit)));
    out.push_with(|buf| encoder.encode(&why, buf));
    out.close();
}

impl Handler<Notice> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, notice: Notice, ctx: &mut Context<Self>) {
        match notice {
            Notice::Bound(bound) => self.bound(bound),
            Notice::Unbound(bound) => self.directory.unbind_session(
                bound.id,
                bound.tenant,
                bound.account_id,
                &bound.account_name,
            ),
            Notice::Replace(holder) => self.replace(holder),
            Notice::Ended(ended) => self.ended(ended, ctx),
        }
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

impl Handler<Shutdown> for SessionSupervisor {
    type Result = ResponseFuture<()>;

    fn handle(&mut self, shutdown: Shutdown, ctx: &mut Context<Self>) -> Self::Result {
        self.shutting_down = true;
        info!(
            sessions = self.sessions.len(),
            drain_ms = shutdown.drain.as_millis() as u64,
            "Ending every session for shutdown, once its login or hand-off in flight is done."
        );
        for session in self.sessions.values().map(|s| &s.addr) {
            session.do_send(Drain);
        }
        ctx.run_later(shutdown.drain, |act, _| {
            if !act.sessions.is_empty() {
                info!(
                    sessions = act.sessions.len(),
                    "The drain's deadline: ending the sessions still busy."
                );
            }
            for session in act.sessions.values().map(|s| &s.addr) {
                session.do_send(EndSession(EndReason::Shutdown));
            }
        });
        let (tx, rx) = oneshot::channel();
        self.drained.push(tx);
        self.notify_if_drained();
        Box::pin(async move {
            let _ = rx.await;
        })
    }
}

/// Stops the supervisor (the end of shutdown).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Stop;

impl Handler<Stop> for SessionSupervisor {
    type Result = ();

    fn handle(&mut self, _: Stop, ctx: &mut Context<Self>) {
        ctx.stop();
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

#[cfg(test)]
#[path = "supervisor_tests.rs"]
mod tests;
