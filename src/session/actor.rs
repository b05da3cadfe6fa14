//! The session actor: one per client connection. It reads the client's lines, receives the
//! session's consumed events from the consume loop, runs the state machine, and performs its
//! effects: lines to the client, commands through the producer actor, and the end of the
//! session, which it reports to the supervisor exactly once (from `Drop` if it panicked).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{debug, info, info_span, Span};
use uuid::Uuid;

use crate::config::DuplicateLogin;
use crate::gateway::codec::Frame;
use crate::gateway::outbound::{Failure, Outbound, Pushed};
use crate::gateway::protocol::{self, Event, Request, PROTOCOL_VERSION};
use crate::kafka::producer::{publish, Publish};
use crate::message::{account_session::Command, session};
use crate::session::directory::Holder;
use crate::session::registry::AccountRegistry;
use crate::session::state::{Effect, EndReason, Input, State};
use crate::session::supervisor::{Bound, Replace, SessionEnded, SessionSupervisor};
use crate::session::{Inbound, Services, SessionEvent};
use crate::tenant::TenantIdx;

/// How long an ended session keeps draining its client's input before closing (see `End`).
const LINGER: Duration = Duration::from_secs(1);

/// End the session for a reason outside the protocol (idle, shutdown, replaced).
#[derive(Message)]
#[rtype(result = "()")]
pub struct EndSession(pub EndReason);

/// End the session if it has been idle for longer than the given time.
#[derive(Message, Clone, Copy)]
#[rtype(result = "()")]
pub struct CheckIdle(pub Duration);

pub struct SessionActor {
    id: Uuid,
    tenant: TenantIdx,
    services: Arc<Services>,
    supervisor: Addr<SessionSupervisor>,
    state: State,
    out: Option<Outbound>,
    /// `out` has lines to flush; [`Flusher`] writes them once the mailbox is drained.
    flush_due: bool,
    /// Wakes this actor's task for the [`Flusher`].
    flush_waker: Option<std::task::Waker>,
    last_activity: Instant,
    span: Span,
    reported: bool,
    /// When the login in flight was sent, for the login metrics.
    login_started: Option<Instant>,
}

impl SessionActor {
    pub fn new(
        id: Uuid,
        tenant: TenantIdx,
        ip_address: String,
        services: Arc<Services>,
        supervisor: Addr<SessionSupervisor>,
        out: Outbound,
    ) -> SessionActor {
        let tenant_id = services.tenants.get(tenant).id;
        // Logs only (see `telemetry::UNTRACED`): requests, events and the end are traced.
        let span = info_span!(target: crate::telemetry::UNTRACED, parent: None, "session", session_id = %id, tenant = %tenant_id, account_id = tracing::field::Empty);
        let state = State::new(ip_address, services.settings.clone());
        SessionActor {
            id,
            tenant,
            services,
            supervisor,
            state,
            out: Some(out),
            flush_due: false,
            flush_waker: None,
            last_activity: Instant::now(),
            span,
            reported: false,
            login_started: None,
        }
    }

    fn apply(&mut self, input: Input, ctx: &mut Context<Self>) {
        for effect in self.state.step_at(input, Instant::now()) {
            self.perform(effect, ctx);
        }
    }

    fn perform(&mut self, effect: Effect, ctx: &mut Context<Self>) {
        if self.reported {
            return;
        }
        match effect {
            Effect::Reply(event) => {
                self.count_login_answer(&event);
                self.write(&event, ctx)
            }
            Effect::SendCreate { attempt, body } => {
                self.login_started = Some(Instant::now());
                let holder = self.holder_to_replace(&body.account_name);
                let create = Command::create(self.id, self.state.account_id, body);
                let msg = self.message(&self.services.command_topic, create.to_json());
                let then = move |act: &mut Self, ctx: &mut Context<Self>, ok: bool| {
                    if !ok {
                        act.apply(Input::CreateFailed { attempt }, ctx);
                    }
                };
                match holder {
                    None => self.send(msg, ctx, then),
                    Some(holder) => {
                        // DUPLICATE_LOGIN=replace: end the holder, and send the CREATE once the
                        // peer has logged the account out (or the login times out waiting).
                        self.supervisor.do_send(Replace(holder.session_id));
                        let wait = logged_out(
                            Arc::clone(&self.services.registry),
                            self.tenant,
                            holder.account_id,
                            self.services.login_timeout,
                        );
                        ctx.spawn(
                            wait.into_actor(self)
                                .map(move |_, act, ctx| act.send(msg, ctx, then)),
                        );
                    }
                }
                ctx.run_later(self.services.login_timeout, move |act, ctx| {
                    act.apply(Input::LoginTimedOut { attempt }, ctx);
                });
            }
            Effect::Bind { account_id } => {
                self.span.record("account_id", account_id);
                self.supervisor.do_send(Bound {
                    id: self.id,
                    tenant: self.tenant,
                    account_id,
                    account_name: self.state.account_name().unwrap_or_default().to_owned(),
                });
                let created = session::StatusEvent::created(self.id, account_id);
                let msg = self.message(&self.services.status_topic, created.to_json());
                self.send(msg, ctx, |_, _, _| {});
            }
            Effect::SendProgress(params) => {
                let progress = Command::progress_state(self.id, self.state.account_id, 2, params);
                let msg = self.message(&self.services.command_topic, progress.to_json());
                self.send(msg, ctx, |act, ctx, ok| {
                    if !ok {
                        act.apply(Input::ProgressFailed, ctx);
                    }
                });
            }
            Effect::Release { account_id } => {
                debug!(account_id, "Releasing the account of a stale login answer.");
                let logout = Command::logout(self.id, account_id);
                let msg = Publish::new(
                    &self.services.command_topic,
                    self.services.tenants.get(self.tenant),
                    account_id,
                    logout.to_json(),
                );
                self.send(msg, ctx, |_, _, _| {});
            }
            Effect::End(reason) => {
                let bye = reason.bye();
                if let Some(reason) = bye {
                    self.write(&Event::Bye { reason }, ctx);
                }
                if let Some(out) = self.out.take() {
                    match reason {
                        // Nobody reads: drop what is queued and the connection with it.
                        EndReason::ClientStalled => out.abort(),
                        // The writer drains what is queued (the `bye`), then closes its side.
                        _ => out.close(),
                    }
                }
                self.report(reason);
                if bye.is_some() {
                    // Closing while the client's input is unread would reset the connection
                    // and could destroy the `bye` before the client reads it: keep reading
                    // (and discarding) until the client closes, for a moment at most.
                    ctx.run_later(LINGER, |_, ctx| ctx.stop());
                } else {
                    ctx.stop();
                }
            }
        }
    }

    /// Under `DUPLICATE_LOGIN=replace`, the other session of this instance holding the account.
    fn holder_to_replace(&self, account_name: &str) -> Option<Holder> {
        if self.services.limits.duplicate_login != DuplicateLogin::Replace {
            return None;
        }
        self.services
            .directory
            .holder(self.tenant, account_name)
            .filter(|h| h.session_id != self.id)
    }

    /// Counts the first answer to a login (by outcome) and its round trip.
    fn count_login_answer(&mut self, event: &Event) {
        let outcome = match event {
            Event::LoginOk { .. } => "ok".to_owned(),
            Event::LicenseAgreement { .. } => "license_required".to_owned(),
            Event::Banned { .. } => "banned".to_owned(),
            Event::LoginFailed { code } => code.to_ascii_lowercase(),
            _ => return,
        };
        if let Some(started) = self.login_started.take() {
            let tenant = self.services.tenants.get(self.tenant).label();
            crate::metrics::login_answered(tenant, outcome, started.elapsed());
        }
    }

    /// A message of this session's tenant, keyed by its account, in the current span.
    fn message(&self, topic: &Arc<str>, payload: Vec<u8>) -> Publish {
        Publish::new(
            topic,
            self.services.tenants.get(self.tenant),
            self.state.account_id,
            payload,
        )
    }

    fn send(
        &self,
        msg: Publish,
        ctx: &mut Context<Self>,
        then: impl FnOnce(&mut Self, &mut Context<Self>, bool) + 'static,
    ) {
        let producer = self.services.producer.clone();
        ctx.spawn(
            async move { publish(&producer, msg).await.is_ok() }
                .into_actor(self)
                .map(move |ok, act, ctx| then(act, ctx, ok)),
        );
    }

    fn write(&mut self, event: &Event, ctx: &mut Context<Self>) {
        let Some(out) = &self.out else { return };
        match out.push_with(|buf| event.write_line(buf)) {
            Pushed::Queued => self.schedule_flush(),
            Pushed::Stalled => self.apply(Input::End(EndReason::ClientStalled), ctx),
            Pushed::Closed => self.apply(Input::End(EndReason::ClientClosed), ctx),
        }
    }

    /// Flushes once the mailbox is drained: a burst of events goes out in one write.
    fn schedule_flush(&mut self) {
        if std::mem::replace(&mut self.flush_due, true) {
            return;
        }
        if let Some(waker) = &self.flush_waker {
            waker.wake_by_ref();
        }
    }

    fn report(&mut self, reason: EndReason) {
        if std::mem::replace(&mut self.reported, true) {
            return;
        }
        // The end's own span, child of whatever ended the session (a request or an event
        // continues that trace; the session span is not traced, so an end for idleness or a
        // closed connection starts a trace of its own): LOGOUT and DESTROYED carry it.
        let span = info_span!(parent: &Span::current(), "end", reason = reason.as_str());
        self.supervisor.do_send(SessionEnded {
            id: self.id,
            tenant: self.tenant,
            account_id: self.state.account_id,
            account_name: self.state.account_name().map(str::to_owned),
            login_unanswered: self.state.login_unanswered(),
            reason,
            span,
        });
    }

    fn request(&mut self, line: &[u8], ctx: &mut Context<Self>) {
        let span = info_span!(parent: &self.span, "request", op = tracing::field::Empty);
        let _entered = span.enter();
        let input = match protocol::decode_request(line) {
            Ok(request) => {
                span.record("op", op_name(&request));
                self.last_activity = Instant::now();
                self.input_for(request)
            }
            Err(error) => Input::BadRequest {
                message: error.to_string(),
            },
        };
        self.apply(input, ctx);
    }

    fn input_for(&self, request: Request) -> Input {
        match request {
            Request::Login(login) => Input::Login(login),
            Request::AcceptLicense { accepted } => Input::AcceptLicense { accepted },
            Request::SelectCharacter {
                character_id,
                world_id,
                channel_id,
            } => {
                let channel = self
                    .services
                    .service
                    .channel(usize::from(self.tenant), world_id, channel_id)
                    .map(|c| (c.ip_address.clone(), c.port));
                let account_logged_in = self.state.account_id != 0
                    && self.services.registry.is_logged_in(
                        self.tenant,
                        self.state.account_id,
                        self.state.created_seq,
                    );
                Input::SelectCharacter {
                    character_id,
                    channel,
                    account_logged_in,
                }
            }
            Request::Logout => Input::Logout,
            Request::Ping => Input::Ping,
        }
    }
}

/// Resolves once the account status shows `account_id` logged out after this call, or after
/// `limit`.
async fn logged_out(
    registry: Arc<AccountRegistry>,
    tenant: TenantIdx,
    account_id: u32,
    limit: Duration,
) {
    let before = registry.last(tenant, account_id);
    let end = Instant::now() + limit;
    while Instant::now() < end {
        match registry.last(tenant, account_id) {
            Some(now) if !now.logged_in && Some(now) != before => return,
            _ => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// The request's `op`, for its span.
fn op_name(request: &Request) -> &'static str {
    match request {
        Request::Login(_) => "login",
        Request::AcceptLicense { .. } => "accept_license",
        Request::SelectCharacter { .. } => "select_character",
        Request::Logout => "logout",
        Request::Ping => "ping",
    }
}

impl Actor for SessionActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.spawn(Flusher);
        let span = self.span.clone();
        let _entered = span.enter();
        info!("Session started.");
        self.write(
            &Event::Hello {
                session_id: self.id,
                protocol: PROTOCOL_VERSION,
            },
            ctx,
        );
    }
}

/// The session's flush, one item of its context for the session's life (a new item per flush
/// would make actix poll the context again at once, so a client that keeps sending would keep
/// its actor running): polled after the mailbox and the client's lines, it writes what they
/// added to `out`.
struct Flusher;

impl ActorFuture<SessionActor> for Flusher {
    type Output = ();

    fn poll(
        self: std::pin::Pin<&mut Self>,
        act: &mut SessionActor,
        ctx: &mut Context<SessionActor>,
        task: &mut std::task::Context<'_>,
    ) -> std::task::Poll<()> {
        let failure = {
            let Some(out) = &act.out else {
                return std::task::Poll::Ready(()); // ended: the last lines were flushed by `close`
            };
            if std::mem::replace(&mut act.flush_due, false) {
                out.flush();
            }
            if !act
                .flush_waker
                .as_ref()
                .is_some_and(|w| w.will_wake(task.waker()))
            {
                act.flush_waker = Some(task.waker().clone());
                out.watch(task.waker());
            }
            out.failure()
        };
        if let Some(why) = failure {
            // A write failed, or waited `WRITE_TIMEOUT` for a client that does not read: the
            // session ends now, not at its next line.
            let reason = match why {
                Failure::Stalled => EndReason::ClientStalled,
                Failure::Broken => EndReason::ClientClosed,
            };
            let span = act.span.clone();
            let _entered = span.enter();
            act.apply(Input::End(reason), ctx);
        }
        std::task::Poll::Pending
    }
}

impl Drop for SessionActor {
    fn drop(&mut self) {
        // Reached without a report only when the actor died abnormally (a panic in a handler):
        // the supervisor still ends the session, so the peer releases the account.
        self.report(EndReason::Crashed);
    }
}

impl StreamHandler<Frame> for SessionActor {
    fn handle(&mut self, frame: Frame, ctx: &mut Context<Self>) {
        if self.reported {
            return; // ended: input is drained and dropped
        }
        match frame {
            Frame::Line(line) => self.request(&line, ctx),
            Frame::TooLong => {
                let span = self.span.clone();
                let _entered = span.enter();
                self.apply(Input::LineTooLong, ctx);
            }
            Frame::Broken => self.apply(Input::End(EndReason::ClientClosed), ctx),
        }
    }

    fn finished(&mut self, ctx: &mut Context<Self>) {
        if self.reported {
            ctx.stop(); // the lingering close is over
            return;
        }
        let span = self.span.clone();
        let _entered = span.enter();
        self.apply(Input::End(EndReason::ClientClosed), ctx);
    }
}

impl Handler<SessionEvent> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: SessionEvent, ctx: &mut Context<Self>) {
        let input = match msg.inbound {
            Inbound::Peer(event) => Input::Peer {
                seq: msg.seq,
                event,
            },
            Inbound::Seed(body) => Input::Seed(body),
        };
        let effects = self.state.step_at(input, Instant::now());
        // Effects that only answer the client need no span of their own (and most events are
        // such); the others run in the event's span, which continues the event's trace.
        let span = if effects.iter().all(|e| matches!(e, Effect::Reply(_))) {
            self.span.clone()
        } else {
            msg.origin.span(&self.span)
        };
        let _entered = span.enter();
        for effect in effects {
            self.perform(effect, ctx);
        }
    }
}

impl Handler<EndSession> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: EndSession, ctx: &mut Context<Self>) {
        let span = self.span.clone();
        let _entered = span.enter();
        self.apply(Input::End(msg.0), ctx);
    }
}

impl Handler<CheckIdle> for SessionActor {
    type Result = ();

    fn handle(&mut self, msg: CheckIdle, ctx: &mut Context<Self>) {
        if self.last_activity.elapsed() > msg.0 {
            let span = self.span.clone();
            let _entered = span.enter();
            self.apply(Input::End(EndReason::IdleTimeout), ctx);
        }
    }
}

/// Test hook: makes the session actor panic inside a handler, as a bug would.
#[cfg(feature = "fault-injection")]
#[derive(Message)]
#[rtype(result = "()")]
pub struct InjectPanic;

#[cfg(feature = "fault-injection")]
impl Handler<InjectPanic> for SessionActor {
    type Result = ();

    fn handle(&mut self, _: InjectPanic, _: &mut Context<Self>) {
        panic!("injected fault in session {}", self.id);
    }
}
