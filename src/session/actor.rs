//! The session actor: one per client connection, whatever its protocol. It records the session's
//! start, then reads the client's decoded requests, receives the session's consumed events from
//! the consume loop, runs the state machine, and performs its effects: outputs encoded for the
//! client, commands through the producer actor, and the end of the session, which it reports to
//! the supervisor exactly once (from `Drop` if it panicked).

use std::sync::Arc;
use std::time::{Duration, Instant};

use actix::prelude::*;
use tracing::{debug, info, info_span, Span};
use uuid::Uuid;

use crate::kafka::ledger::Entry;
use crate::kafka::producer::{publish, Publish};
use crate::session::connection::{ClientInputs, Connection, Encode};
use crate::session::outbound::{Failure, Outbound, Pushed};
use crate::session::output::{EndReason, Output, Problem, Unavailable};
use crate::session::request::{ClientInput, Guard, Request};
use crate::session::state::{Effect, Input, State};
use crate::session::supervisor::{Bound, Notice, SessionEnded};
use crate::session::{Inbound, Services, SessionEvent};
use crate::tenant::{Tenant, TenantIdx};

/// How long an ended session keeps draining its client's input before closing (see `End`).
const LINGER: Duration = Duration::from_secs(1);
/// How long requests that need the account logged in wait when an account status LOGGED_OUT
/// was consumed after the session's own CREATED (see `registry::may_log_in`), and how often
/// they look again: a stale LOGGED_OUT of an earlier session must not drop the server list a
/// client asks for once, while its LOGGED_IN is on the way.
const LOGGED_IN_WAIT: Duration = Duration::from_secs(2);
const LOGGED_IN_LOOK: Duration = Duration::from_millis(20);

/// End the session for a reason outside the protocol (idle, shutdown, replaced).
#[derive(Message)]
#[rtype(result = "()")]
pub struct EndSession(pub EndReason);

/// The shutdown's drain: end the session as soon as it has no login or channel hand-off in
/// flight (at once when it has none).
#[derive(Message)]
#[rtype(result = "()")]
pub struct Drain;

/// End the session if it has been idle for longer than the given time.
#[derive(Message, Clone, Copy)]
#[rtype(result = "()")]
pub struct CheckIdle(pub Duration);

pub struct SessionActor {
    id: Uuid,
    tenant: TenantIdx,
    services: Arc<Services>,
    /// Where the session's notices go (its binding, its end): the supervisor.
    supervisor: Recipient<Notice>,
    state: State,
    /// The client's requests, until the session's start is recorded (then a stream of the
    /// actor's context).
    inputs: Option<ClientInputs>,
    encoder: Box<dyn Encode>,
    out: Option<Outbound>,
    /// `out` has frames to flush; [`Flusher`] writes them once the mailbox is drained.
    flush_due: bool,
    /// Wakes this actor's task for the [`Flusher`].
    flush_waker: Option<std::task::Waker>,
    last_activity: Instant,
    span: Span,
    reported: bool,
    /// The shutdown's drain began: the session ends once nothing is in flight.
    draining: bool,
    /// The hold of the consumed event being handled: every message it causes keeps a clone
    /// until delivered (see `kafka::delivery`).
    holding: Option<crate::kafka::delivery::BatchAck>,
    /// While the record of the session's binding is not on the ledger yet: what the client is
    /// to be told, in order, once it is (a crash before then ends the session with account 0,
    /// so the client must not hear of the account before).
    deferred: Option<Vec<Output>>,
    /// Since when requests that need the account logged in wait for its LOGGED_IN, and those
    /// requests, in order (see [`LOGGED_IN_WAIT`]).
    held: Option<(Instant, Vec<Request>)>,
    /// The login's timeout while the login waits for its answer (cancelled once it is
    /// answered, so that a session kept for hours holds no timer).
    login_timer: Option<SpawnHandle>,
}

impl SessionActor {
    pub fn new(
        id: Uuid,
        connection: Connection,
        services: Arc<Services>,
        supervisor: Recipient<Notice>,
    ) -> SessionActor {
        let Connection {
            tenant,
            peer,
            inputs,
            writer,
            encoder,
            flow,
        } = connection;
        let tenant_id = services.tenants.get(tenant).id;
        // Logs only (see `telemetry::UNTRACED`): requests, events and the end are traced.
        let span = info_span!(target: crate::telemetry::UNTRACED, parent: None, "session", session_id = %id, tenant = %tenant_id, account_id = tracing::field::Empty);
        let ip_address = peer.ip().to_canonical().to_string();
        let state = State::new(ip_address, flow, services.settings.clone());
        SessionActor {
            id,
            tenant,
            services,
            supervisor,
            state,
            inputs: Some(inputs),
            encoder,
            out: Some(Outbound::new(writer)),
            flush_due: false,
            flush_waker: None,
            last_activity: Instant::now(),
            span,
            reported: false,
            draining: false,
            holding: None,
            deferred: None,
            held: None,
            login_timer: None,
        }
    }

    fn tenant(&self) -> &Tenant {
        self.services.tenants.get(self.tenant)
    }

    fn apply(&mut self, input: Input, ctx: &mut Context<Self>) {
        let effects = self.state.step_at(input, Instant::now());
        self.perform_all(effects, ctx);
    }

    /// Performs a step's effects, then what they made due (see [`Self::after_step`]).
    fn perform_all(&mut self, effects: Vec<Effect>, ctx: &mut Context<Self>) {
        for effect in effects {
            self.perform(effect, ctx);
        }
        self.after_step(ctx);
    }

    /// What every step of the state may have made due: the login's timeout is dropped once the
    /// login no longer waits for its answer, and a draining session ends once nothing is in
    /// flight.
    fn after_step(&mut self, ctx: &mut Context<Self>) {
        if !self.state.logging_in() {
            if let Some(timer) = self.login_timer.take() {
                ctx.cancel_future(timer);
            }
        }
        if self.draining && !self.reported && !self.in_flight() {
            self.apply(Input::End(EndReason::Shutdown), ctx);
        }
    }

    /// Whether the session has something a shutdown's drain waits for: a login or a hand-off
    /// in flight, or a binding whose record is not on the ledger yet (the client has not been
    /// told of its account).
    fn in_flight(&self) -> bool {
        self.state.in_flight() || self.deferred.is_some()
    }

    /// Performs one effect of the state machine.
    fn perform(&mut self, effect: Effect, ctx: &mut Context<Self>) {
        if self.reported && !matches!(effect, Effect::Release { .. }) {
            return;
        }
        match effect {
            Effect::Tell(output) => self.tell(&output, ctx),
            Effect::SendCreate {
                attempt,
                body,
                after_logout_of,
            } => self.send_create(attempt, body, after_logout_of, ctx),
            Effect::Replace(holder) => self.supervisor.do_send(Notice::Replace(holder)),
            Effect::Bind { account_id } => self.bind(account_id, ctx),
            Effect::SendProgress(params) => {
                let (tenant, id, account) = (self.tenant(), self.id, self.state.account_id);
                let msg = self.services.outbox.progress(tenant, id, account, params);
                self.send(msg, ctx, |act, ctx, ok| {
                    if !ok {
                        act.apply(Input::ProgressFailed, ctx);
                    }
                });
            }
            Effect::Release { account_id } => {
                debug!(account_id, "Releasing the account of a stale login answer.");
                let msg = self
                    .services
                    .outbox
                    .logout(self.tenant(), self.id, account_id);
                self.send(msg, ctx, |_, _, _| {});
            }
            Effect::SignOut {
                account_id,
                account_name,
            } => self.sign_out(account_id, account_name, ctx),
            Effect::Fetch(query) => self.fetch(query, ctx),
            Effect::LoginAnswered { outcome, took } => {
                crate::metrics::login_answered(self.tenant().label(), outcome.label(), took);
            }
            Effect::Dropped(reason) => {
                crate::metrics::request_dropped(self.tenant().label(), reason);
            }
            Effect::End(reason) => self.end(reason, ctx),
        }
    }

    /// Publishes the CREATE of login `attempt` (once the holder's account is logged out, under
    /// `DUPLICATE_LOGIN=replace`) and arms the login timer.
    fn send_create(
        &mut self,
        attempt: u32,
        body: crate::message::account_session::CreateBody,
        after_logout_of: Option<u32>,
        ctx: &mut Context<Self>,
    ) {
        let (tenant, id, account) = (self.tenant(), self.id, self.state.create_account_id());
        let msg = self.services.outbox.create(tenant, id, account, body);
        let then = move |act: &mut Self, ctx: &mut Context<Self>, ok: bool| {
            if !ok {
                act.apply(Input::CreateFailed { attempt }, ctx);
            }
        };
        match after_logout_of {
            None => self.send(msg, ctx, then),
            Some(account_id) => {
                let logged_out = self.services.registry.logged_out(self.tenant, account_id);
                let wait = tokio::time::timeout(self.services.login_timeout, logged_out);
                ctx.spawn(
                    wait.into_actor(self)
                        .map(move |_, act, ctx| act.send(msg, ctx, then)),
                );
            }
        }
        let timer = ctx.run_later(self.services.login_timeout, move |act, ctx| {
            act.login_timer = None;
            act.apply(Input::LoginTimedOut { attempt }, ctx);
        });
        if let Some(earlier) = self.login_timer.replace(timer) {
            ctx.cancel_future(earlier);
        }
    }

    /// Runs a REST query; its answer is the next input (with the hold of the event that caused
    /// it, if any: see `kafka::delivery`).
    fn fetch(&mut self, query: crate::session::fetch::Query, ctx: &mut Context<Self>) {
        let rest = self.services.rest.clone();
        let context = crate::session::atlas::context(self.tenant(), &Span::current());
        let hold = self.holding.clone();
        let span = Span::current();
        ctx.spawn(
            crate::session::atlas::answer(rest, context, query)
                .into_actor(self)
                .map(move |answer, act, ctx| {
                    let _entered = span.enter();
                    let held = std::mem::replace(&mut act.holding, hold);
                    act.apply(Input::Fetched(answer), ctx);
                    act.holding = held;
                }),
        );
    }

    /// The session is bound to `account_id`: indexed, recorded, and announced (session CREATED).
    fn bind(&mut self, account_id: u32, ctx: &mut Context<Self>) {
        self.span.record("account_id", account_id);
        self.supervisor.do_send(Notice::Bound(Bound {
            id: self.id,
            tenant: self.tenant,
            account_id,
            account_name: self.state.account_name().unwrap_or_default().to_owned(),
        }));
        let entry = Entry::new(self.tenant(), account_id);
        let record = self.services.ledger.live(self.id, &entry);
        // The client hears of the account, and session CREATED is produced, only once the
        // binding is on the ledger: recovery after a crash ends the session with the account
        // the ledger has.
        self.deferred.get_or_insert_with(Vec::new);
        let hold = self.holding.clone();
        // CREATED continues the trace of what bound the session (the login answer), not the
        // record's completion, which runs outside any span.
        let cause = Span::current();
        self.send(record, ctx, move |act, ctx, ok| {
            if !ok {
                tracing::warn!("The session's binding could not be recorded; ending it.");
                act.deferred = None;
                act.tell(
                    &Output::Problem(Problem::Unavailable(Unavailable::Kafka)),
                    ctx,
                );
                act.apply(Input::End(EndReason::Unrecorded), ctx);
                return;
            }
            if !act.reported {
                let created = cause.in_scope(|| {
                    act.services
                        .outbox
                        .created(act.tenant(), act.id, account_id)
                });
                let held = std::mem::replace(&mut act.holding, hold);
                act.send(created, ctx, |_, _, _| {});
                act.holding = held;
            }
            act.flush_deferred(ctx);
            act.after_step(ctx);
        });
    }

    /// Tells the client what waited for the binding's record.
    fn flush_deferred(&mut self, ctx: &mut Context<Self>) {
        for output in self.deferred.take().unwrap_or_default() {
            self.tell(&output, ctx);
        }
    }

    /// The account is signed out and the session unbound (it stays connected): LOGOUT, then
    /// the session's record without the account, so that crash recovery does not log out a
    /// later login of it.
    fn sign_out(&mut self, account_id: u32, account_name: String, ctx: &mut Context<Self>) {
        info!(
            account_id,
            "Signing the account out; the client may log in again."
        );
        self.supervisor.do_send(Notice::Unbound(Bound {
            id: self.id,
            tenant: self.tenant,
            account_id,
            account_name,
        }));
        let logout = self
            .services
            .outbox
            .logout(self.tenant(), self.id, account_id);
        self.send(logout, ctx, |act, ctx, _| {
            let entry = Entry::new(act.tenant(), act.state.account_id);
            let record = act.services.ledger.live(act.id, &entry);
            act.send(record, ctx, |_, _, _| {});
        });
    }

    /// Tells the client why (when it can be told), closes the connection and reports the end.
    fn end(&mut self, reason: EndReason, ctx: &mut Context<Self>) {
        if reason.is_told() {
            self.tell(&Output::Ending(reason), ctx);
        }
        if let Some(out) = self.out.take() {
            match reason {
                // Nobody reads: drop what is queued and the connection with it.
                EndReason::ClientStalled => out.abort(),
                // The writer drains what is queued (the last words), then closes its side.
                _ => out.close(),
            }
        }
        self.report(reason);
        if reason.is_told() && self.inputs.is_none() {
            // Closing while the client's input is unread would reset the connection and could
            // destroy the last words before the client reads them: keep reading (and
            // discarding) until the client closes, for a moment at most.
            ctx.run_later(LINGER, |_, ctx| ctx.stop());
        } else {
            ctx.stop();
        }
    }

    fn send(
        &self,
        msg: Publish,
        ctx: &mut Context<Self>,
        then: impl FnOnce(&mut Self, &mut Context<Self>, bool) + 'static,
    ) {
        let producer = self.services.producer.clone();
        let hold = self.holding.clone();
        ctx.spawn(
            async move {
                let ok = publish(&producer, msg).await.is_ok();
                drop(hold);
                ok
            }
            .into_actor(self)
            .map(move |ok, act, ctx| then(act, ctx, ok)),
        );
    }

    fn tell(&mut self, output: &Output, ctx: &mut Context<Self>) {
        if let Some(deferred) = &mut self.deferred {
            deferred.push(output.clone());
            return;
        }
        let Some(out) = &self.out else { return };
        let encoder = &mut self.encoder;
        match out.push_with(|buf| encoder.encode(output, buf)) {
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
        self.supervisor.do_send(Notice::Ended(SessionEnded {
            id: self.id,
            tenant: self.tenant,
            account_id: self.state.account_id,
            account_name: self.state.account_name().map(str::to_owned),
            reason,
            span,
        }));
    }

    /// The session's start is on the ledger: the client may talk now.
    fn recorded(&mut self, ctx: &mut Context<Self>) {
        if let Some(inputs) = self.inputs.take() {
            ctx.add_stream(inputs);
        }
        self.tell(
            &Output::Hello {
                session_id: self.id,
            },
            ctx,
        );
    }

    fn request(&mut self, request: Request, guard: Guard, ctx: &mut Context<Self>) {
        let span = info_span!(parent: &self.span, "request", op = request.name());
        let _entered = span.enter();
        if guard == Guard::LoggedIn && (self.held.is_some() || self.may_log_in()) {
            // Behind those already waiting, or the account's LOGGED_IN may yet come.
            self.hold(request, ctx);
            return;
        }
        let input = if guard == Guard::LoggedIn && !self.logged_in() {
            // Atlas's LoggedIn validator: dropped (and counted), never an error to the client,
            // and no activity (Atlas refreshes `lastPacket` only for a packet that passed its
            // validator: a client that never logs in cannot keep its connection this way).
            Input::Refused
        } else {
            self.last_activity = Instant::now();
            self.input_for(request)
        };
        self.apply(input, ctx);
    }

    /// Holds a request until the account counts as logged in, for [`LOGGED_IN_WAIT`] at most.
    fn hold(&mut self, request: Request, ctx: &mut Context<Self>) {
        match &mut self.held {
            Some((_, held)) => held.push(request),
            None => {
                self.held = Some((Instant::now(), vec![request]));
                ctx.run_later(LOGGED_IN_LOOK, Self::look_again);
            }
        }
    }

    /// The held requests go on once the account counts as logged in, or are refused (as
    /// Atlas's validator would) once the wait is over.
    fn look_again(&mut self, ctx: &mut Context<Self>) {
        let Some((since, _)) = self.held else { return };
        if self.reported {
            self.held = None;
            return;
        }
        if self.may_log_in() && since.elapsed() < LOGGED_IN_WAIT {
            ctx.run_later(LOGGED_IN_LOOK, Self::look_again);
            return;
        }
        let span = self.span.clone();
        let _entered = span.enter();
        let Some((_, held)) = self.held.take() else {
            return;
        };
        if !self.logged_in() {
            debug!(
                requests = held.len(),
                "No LOGGED_IN came for the account; the requests waiting for it are dropped."
            );
            for _ in held {
                self.apply(Input::Refused, ctx);
            }
            return;
        }
        for request in held {
            self.request(request, Guard::LoggedIn, ctx);
        }
    }

    /// Whether a request refused by [`Self::logged_in`] may wait for the account's LOGGED_IN.
    fn may_log_in(&self) -> bool {
        self.state.account_id != 0
            && !self.logged_in()
            && self.services.registry.may_log_in(
                self.tenant,
                self.state.account_id,
                self.state.created_seq,
            )
    }

    /// Whether the account counts as logged in at the account service (the peer's LOGGED_IN,
    /// or this session's own CREATED after the account's last LOGGED_OUT).
    fn logged_in(&self) -> bool {
        self.state.account_id != 0
            && self.services.registry.is_logged_in(
                self.tenant,
                self.state.account_id,
                self.state.created_seq,
            )
    }

    /// The state machine's input for a request, with the facts it needs looked up.
    fn input_for(&self, request: Request) -> Input {
        match request {
            Request::Login(credentials) => {
                let holder = self
                    .services
                    .directory
                    .holder(self.tenant, &credentials.account_name)
                    .filter(|h| h.session_id != self.id);
                Input::Login {
                    credentials,
                    holder,
                }
            }
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
                Input::SelectCharacter {
                    character_id,
                    channel,
                    account_logged_in: self.logged_in(),
                }
            }
            Request::Logout => Input::Logout,
            Request::Ping => Input::Ping,
            Request::Game(request) => Input::Game(request),
        }
    }
}

impl Actor for SessionActor {
    type Context = Context<Self>;

    fn started(&mut self, ctx: &mut Context<Self>) {
        ctx.spawn(Flusher);
        let span = self.span.clone();
        let _entered = span.enter();
        info!("Session started.");
        // Durable before the client sees it: a crash from now on cannot lose the session's end.
        let record = self
            .services
            .ledger
            .live(self.id, &Entry::new(self.tenant(), 0));
        let producer = self.services.producer.clone();
        let limit = self.services.login_timeout;
        let recorded = async move { tokio::time::timeout(limit, publish(&producer, record)).await };
        ctx.spawn(recorded.into_actor(self).map(|result, act, ctx| {
            if act.reported {
                return;
            }
            let span = act.span.clone();
            let _entered = span.enter();
            match result {
                Ok(Ok(())) => act.recorded(ctx),
                _ => {
                    tracing::warn!("The session's start could not be recorded; ending it.");
                    act.tell(
                        &Output::Problem(Problem::Unavailable(Unavailable::Kafka)),
                        ctx,
                    );
                    act.apply(Input::End(EndReason::Unrecorded), ctx);
                }
            }
        }));
    }
}

/// The session's flush, one item of its context for the session's life (a new item per flush
/// would make actix poll the context again at once, so a client that keeps sending would keep
/// its actor running): polled after the mailbox and the client's requests, it writes what they
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
                return std::task::Poll::Ready(()); // ended: the last frames were flushed by `close`
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
            // session ends now, not at its next request.
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

impl StreamHandler<ClientInput> for SessionActor {
    fn handle(&mut self, input: ClientInput, ctx: &mut Context<Self>) {
        if self.reported {
            return; // ended: input is drained and dropped
        }
        let span = self.span.clone();
        let _entered = span.enter();
        match input {
            ClientInput::Request(request, guard) => self.request(request, guard, ctx),
            ClientInput::Malformed(message) => self.apply(Input::BadRequest { message }, ctx),
            ClientInput::TooLong => self.apply(Input::TooLong, ctx),
            ClientInput::Dropped(reason) => {
                crate::metrics::request_dropped(self.tenant().label(), reason);
            }
            ClientInput::Invalid => self.apply(Input::End(EndReason::ProtocolViolation), ctx),
            ClientInput::Broken => self.apply(Input::End(EndReason::ClientClosed), ctx),
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
        // Effects that only tell the client need no span of their own (and most events are
        // such); the others run in the event's span, which continues the event's trace.
        let span = if effects.iter().all(|e| matches!(e, Effect::Tell(_))) {
            self.span.clone()
        } else {
            msg.origin.span(&self.span)
        };
        let _entered = span.enter();
        self.holding = msg.hold;
        // Also what became due: a login answered during a shutdown's drain ends the session
        // now, not when some later input happens to come.
        self.perform_all(effects, ctx);
        self.holding = None;
    }
}

impl Handler<Drain> for SessionActor {
    type Result = ();

    fn handle(&mut self, _: Drain, ctx: &mut Context<Self>) {
        let span = self.span.clone();
        let _entered = span.enter();
        self.draining = true;
        if !self.in_flight() {
            self.apply(Input::End(EndReason::Shutdown), ctx);
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
        let idle = self.last_activity.elapsed();
        if idle >= crate::session::state::PING_AFTER.min(msg.0) {
            let span = self.span.clone();
            let _entered = span.enter();
            let quiet = Input::Quiet {
                idle,
                max_idle: msg.0,
            };
            self.apply(quiet, ctx);
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

#[cfg(test)]
#[path = "actor_tests.rs"]
mod tests;
