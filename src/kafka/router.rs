//! The routing step of the consume loop: tenant match, decode, and hand-off of one consumed
//! message to the session it concerns (in batches, through the `Deliverer` on the sessions'
//! thread) or to the account registry. Cheap on a miss: an event
//! for another instance's session costs a header scan, an envelope decode and one map lookup.

use std::sync::Arc;

use actix::{Actor, Context, Handler, Message as ActixMessage, Recipient};
use rdkafka::message::Message;
use tracing::{debug, warn, Span};
use uuid::Uuid;

use crate::kafka::headers;
use crate::kafka::outbox::Outbox;
use crate::kafka::producer::Publish;
use crate::message::{account, account_session, seed};
use crate::session::directory::Directory;
use crate::session::registry::AccountRegistry;
use crate::session::{Inbound, Origin, SessionEvent};
use crate::tenant::{TenantIdx, Tenants};

/// What became of one consumed message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Handed to a session (or several, for a seed event).
    Routed,
    /// Applied to the account registry.
    Recorded,
    /// For a session or account this instance does not hold.
    NotOurs,
    /// Answered a login of a session that is gone: its account was released with a LOGOUT.
    Released,
    /// Well-formed tenant headers of a tenant this instance does not serve.
    OtherTenant,
    /// Missing or malformed tenant headers.
    NoTenant,
    /// The payload could not be decoded.
    Undecodable,
    /// A well-formed event of a type login does not act on.
    Ignored,
}

impl Outcome {
    /// Every outcome, in declaration order (the discriminant is the index).
    pub const ALL: [Outcome; 8] = [
        Outcome::Routed,
        Outcome::Recorded,
        Outcome::NotOurs,
        Outcome::Released,
        Outcome::OtherTenant,
        Outcome::NoTenant,
        Outcome::Undecodable,
        Outcome::Ignored,
    ];

    /// The metric label.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Routed => "routed",
            Outcome::Recorded => "recorded",
            Outcome::NotOurs => "not_ours",
            Outcome::Released => "released",
            Outcome::OtherTenant => "other_tenant",
            Outcome::NoTenant => "no_tenant",
            Outcome::Undecodable => "undecodable",
            Outcome::Ignored => "ignored",
        }
    }
}

/// The names of the three consumed topics.
#[derive(Debug, Clone)]
pub struct ConsumedTopics {
    pub account_status: String,
    pub account_session_status: String,
    pub seed_status: String,
}

impl ConsumedTopics {
    pub fn names(&self) -> [&str; 3] {
        [
            &self.account_status,
            &self.account_session_status,
            &self.seed_status,
        ]
    }
}

/// Routes consumed messages; owned by the consume loop.
pub struct Router {
    pub topics: ConsumedTopics,
    pub tenants: Arc<Tenants>,
    pub directory: Arc<Directory>,
    pub registry: Arc<AccountRegistry>,
    /// Where releases of orphaned logins go: the producer, and their builder.
    pub release_to: Recipient<Publish>,
    pub outbox: Outbox,
    seq: u64,
    /// The topic names of [`ConsumedTopics::names`], shared with every event's [`Origin`].
    names: [Arc<str>; 3],
    /// `EVENTS_CONSUMED` counters by [`TopicKind`] and [`Outcome`], looked up once.
    consumed: Vec<Vec<metrics::Counter>>,
    /// Events routed since the last [`Router::flush`], in consumption order, by session id.
    batch: Vec<(Uuid, SessionEvent)>,
    /// The [`Deliverer`] on the sessions' thread.
    deliver_to: Recipient<Deliver>,
}

/// A batch of routed events, by session id, handed to the sessions' thread in one message. Its
/// `ack` tells the consume loop, when dropped, that every event is in its session's mailbox.
#[derive(ActixMessage)]
#[rtype(result = "()")]
pub struct Deliver {
    pub events: Vec<(Uuid, SessionEvent)>,
    pub ack: BatchAck,
}

/// Acknowledges one delivered batch to the consume loop once the last clone is dropped, so that
/// the batch's offsets are stored only after its events reached their sessions (at-least-once),
/// and a slow sessions' thread holds consumption back instead of queueing without bound.
#[derive(Clone)]
pub struct BatchAck(#[allow(dead_code)] Arc<AckOnDrop>);

struct AckOnDrop {
    batch: u64,
    to: std::sync::mpsc::Sender<u64>,
}

impl BatchAck {
    /// The ack of batch `batch`, sent on `to`.
    pub fn new(batch: u64, to: std::sync::mpsc::Sender<u64>) -> BatchAck {
        BatchAck(Arc::new(AckOnDrop { batch, to }))
    }
}

impl Drop for AckOnDrop {
    fn drop(&mut self) {
        let _ = self.to.send(self.batch); // a stopped consume loop no longer listens
    }
}

/// Fans batches of routed events out to their session actors. It runs on the thread of the
/// session actors, so that the consume loop wakes that thread once per batch instead of once
/// per event (a wake from another thread is a system call; one from the same thread is not),
/// and looks each session up there (a session that ended since routing gets nothing, as it
/// would have had it ended a moment earlier).
pub struct Deliverer(pub Arc<Directory>);

impl Actor for Deliverer {
    type Context = Context<Self>;
}

impl Handler<Deliver> for Deliverer {
    type Result = ();

    fn handle(&mut self, batch: Deliver, _: &mut Context<Self>) {
        for (id, event) in batch.events {
            if let Some(session) = self.0.session(&id) {
                session.do_send(event);
            }
        }
        drop(batch.ack); // every event is in its session's mailbox (or its session is gone)
    }
}

/// Which consumed topic a message came from (the order of [`ConsumedTopics::names`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TopicKind {
    Account = 0,
    AccountSession = 1,
    Seed = 2,
}

impl Router {
    pub fn new(
        topics: ConsumedTopics,
        tenants: Arc<Tenants>,
        directory: Arc<Directory>,
        registry: Arc<AccountRegistry>,
        release_to: Recipient<Publish>,
        outbox: Outbox,
        deliver_to: Recipient<Deliver>,
    ) -> Router {
        let names = topics.names().map(Arc::from);
        Router {
            names,
            topics,
            tenants,
            directory,
            registry,
            release_to,
            outbox,
            seq: 0,
            consumed: Vec::new(),
            batch: Vec::new(),
            deliver_to,
        }
        .with_counters()
    }

    fn with_counters(mut self) -> Router {
        self.consumed = self
            .topics
            .names()
            .iter()
            .map(|topic| {
                Outcome::ALL
                    .iter()
                    .map(|o| crate::metrics::consumed(topic, o.as_str()))
                    .collect()
            })
            .collect();
        self
    }

    /// Routed events not yet handed over by [`Router::flush`].
    pub fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Hands the events routed so far to their sessions, in one message to the [`Deliverer`];
    /// `ack` is dropped once they are in their sessions' mailboxes.
    pub fn flush(&mut self, ack: BatchAck) {
        let events = std::mem::take(&mut self.batch);
        self.deliver_to.do_send(Deliver { events, ack });
    }

    /// Routes one message (a session's event waits in the batch until [`Router::flush`]); logs
    /// what is skipped (never the payload).
    pub fn dispatch<M: Message>(&mut self, msg: &M) -> Outcome {
        self.seq += 1;
        let topic = self.topic_kind(msg.topic());
        let outcome = self.route(msg, topic);
        if let Some(topic) = topic {
            self.consumed[topic as usize][outcome as usize].increment(1);
        }
        match outcome {
            Outcome::Undecodable | Outcome::NoTenant => warn!(
                topic = msg.topic(),
                partition = msg.partition(),
                offset = msg.offset(),
                ?outcome,
                "Skipping a message."
            ),
            Outcome::OtherTenant | Outcome::Ignored => debug!(
                topic = msg.topic(),
                partition = msg.partition(),
                offset = msg.offset(),
                ?outcome,
                "Skipping a message."
            ),
            _ => {}
        }
        outcome
    }

    fn route<M: Message>(&mut self, msg: &M, topic: Option<TopicKind>) -> Outcome {
        let Some(topic) = topic else {
            return Outcome::Ignored;
        };
        let payload = msg.payload().unwrap_or_default();
        if topic == TopicKind::AccountSession {
            // The common case with several instances: another instance's session. Decided from
            // the leading sessionId alone, before headers are parsed or the JSON decoded.
            if let Some(id) = leading_session_id(payload) {
                if self.directory.session(&id).is_none() && self.directory.ended(&id).is_none() {
                    return Outcome::NotOurs;
                }
            }
        }
        let found = headers::tenant_headers(msg.headers());
        let Some(tenant) = self.tenants.find(&found) else {
            return if well_formed(&found) {
                Outcome::OtherTenant
            } else {
                Outcome::NoTenant
            };
        };
        match topic {
            TopicKind::AccountSession => self.account_session(msg, tenant, payload),
            TopicKind::Seed => self.seed(msg, tenant, payload),
            TopicKind::Account => self.account(tenant, payload),
        }
    }

    /// Where `msg` came from; its span is made by whoever needs it.
    fn origin<M: Message>(&self, msg: &M, topic: TopicKind) -> Origin {
        Origin {
            topic: Arc::clone(&self.names[topic as usize]),
            partition: msg.partition(),
            offset: msg.offset(),
            trace: headers::Carried::of(msg.headers()),
        }
    }

    fn topic_kind(&self, topic: &str) -> Option<TopicKind> {
        if topic == self.topics.account_session_status {
            Some(TopicKind::AccountSession)
        } else if topic == self.topics.seed_status {
            Some(TopicKind::Seed)
        } else if topic == self.topics.account_status {
            Some(TopicKind::Account)
        } else {
            None
        }
    }

    fn account_session<M: Message>(
        &mut self,
        msg: &M,
        tenant: TenantIdx,
        payload: &[u8],
    ) -> Outcome {
        let Ok(envelope) = account_session::Envelope::decode(payload) else {
            return Outcome::Undecodable;
        };
        let session_id = envelope.session_id;
        if self.directory.session(&session_id).is_none() {
            return self.orphan(msg, tenant, envelope);
        }
        let event = match envelope.into_event() {
            Ok(event) => event,
            Err(_) => return Outcome::Undecodable,
        };
        if let account_session::EventBody::Unknown(kind) = &event.body {
            warn!(topic = msg.topic(), offset = msg.offset(), kind = %kind, "Skipping an event of unknown type.");
            return Outcome::Ignored;
        }
        let event = SessionEvent {
            seq: self.seq,
            origin: self.origin(msg, TopicKind::AccountSession),
            inbound: Inbound::Peer(event),
        };
        self.batch.push((session_id, event));
        Outcome::Routed
    }

    /// A login answer for a session that ended while its login was in flight: the account is
    /// logged in at the peer and nobody holds it, so release it with a LOGOUT.
    fn orphan<M: Message>(
        &self,
        msg: &M,
        tenant: TenantIdx,
        envelope: account_session::Envelope<'_>,
    ) -> Outcome {
        let answers_login = matches!(&*envelope.kind, "CREATED" | "REQUEST_LICENSE_AGREEMENT");
        if !answers_login || envelope.account_id == 0 {
            return Outcome::NotOurs;
        }
        match self.directory.ended(&envelope.session_id) {
            Some(ended) if ended.tenant == tenant => {
                let span = self
                    .origin(msg, TopicKind::AccountSession)
                    .span(&Span::none());
                let _entered = span.enter();
                tracing::info!(session_id = %envelope.session_id, account_id = envelope.account_id,
                    "Releasing an account whose login answer came after its session ended.");
                let logout = self.outbox.logout(
                    self.tenants.get(tenant),
                    envelope.session_id,
                    envelope.account_id,
                );
                self.release_to.do_send(logout);
                Outcome::Released
            }
            _ => Outcome::NotOurs,
        }
    }

    fn seed<M: Message>(&mut self, msg: &M, tenant: TenantIdx, payload: &[u8]) -> Outcome {
        let Ok(event) = seed::StatusEvent::decode(payload) else {
            return Outcome::Undecodable;
        };
        if let seed::SeedBody::Unknown(kind) = &event.body {
            warn!(topic = msg.topic(), offset = msg.offset(), kind = %kind, "Skipping an event of unknown type.");
            return Outcome::Ignored;
        }
        let origin = self.origin(msg, TopicKind::Seed);
        let (seq, batch) = (self.seq, &mut self.batch);
        let n = self.directory.for_account(tenant, event.account_id, |id| {
            let event = SessionEvent {
                seq,
                origin: origin.clone(),
                inbound: Inbound::Seed(event.body.clone()),
            };
            batch.push((id, event));
        });
        if n == 0 {
            Outcome::NotOurs
        } else {
            Outcome::Routed
        }
    }

    fn account(&self, tenant: TenantIdx, payload: &[u8]) -> Outcome {
        let Ok(event) = account::StatusEvent::decode(payload) else {
            return Outcome::Undecodable;
        };
        match event.logged_in() {
            Some(logged_in) => {
                self.registry
                    .record(tenant, event.account_id, logged_in, self.seq);
                Outcome::Recorded
            }
            None => Outcome::Ignored,
        }
    }
}

/// The session id of an event that starts `{"sessionId":"<uuid>"`, as Go writes it (fields in
/// declaration order, compact); anything else is left to the full decoder.
fn leading_session_id(payload: &[u8]) -> Option<Uuid> {
    const PREFIX: &[u8] = br#"{"sessionId":""#;
    let rest = payload.strip_prefix(PREFIX)?;
    let (id, after) = (rest.get(..36)?, rest.get(36)?);
    if *after != b'"' {
        return None;
    }
    Uuid::try_parse_ascii(id).ok()
}

fn well_formed(h: &crate::tenant::TenantHeaders<'_>) -> bool {
    h.id.is_some_and(|v| v.len() == 36)
        && h.region.is_some()
        && h.major.is_some_and(|v| v.len() == 2)
        && h.minor.is_some_and(|v| v.len() == 2)
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
