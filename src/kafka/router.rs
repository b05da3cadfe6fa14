//! The routing step of the consume loop: tenant match, decode, and hand-off of one consumed
//! message to the session it concerns (in batches, through the `delivery` to the sessions'
//! thread) or to the account registry; a login answer for a session of this instance that is
//! gone becomes a release (LOGOUT) of its account, whenever it comes. Cheap on a miss: an event
//! for another instance's session costs a prefix parse, a map lookup and a keyed hash.

use std::sync::Arc;

use actix::Recipient;
use rdkafka::message::Message;
use tracing::{debug, warn, Span};
use uuid::Uuid;

use crate::kafka::delivery::{BatchAck, Deliver, Delivery};
use crate::kafka::headers;
use crate::kafka::outbox::Outbox;
use crate::message::{account, account_session, seed};
use crate::session::directory::Directory;
use crate::session::ids::SessionIds;
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
    /// Answered a login of a session of this instance that is gone: its account is released
    /// with a LOGOUT.
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
    /// The builder of the releases of orphaned logins.
    pub outbox: Outbox,
    /// Recognises this instance's session ids, live or not.
    pub ids: SessionIds,
    /// The sessions recovery ended at start-up, with the account each was ended with: a login
    /// answer for one of them, replayed from before the crash, needs no second release.
    recovered: std::collections::HashMap<Uuid, u32>,
    seq: u64,
    /// The topic names of [`ConsumedTopics::names`], shared with every event's [`Origin`].
    names: [Arc<str>; 3],
    /// `EVENTS_CONSUMED` counters by [`TopicKind`] and [`Outcome`], looked up once.
    consumed: Vec<Vec<metrics::Counter>>,
    /// Deliveries routed since the last [`Router::flush`], in consumption order.
    batch: Vec<Delivery>,
    /// The `Deliverer` on the sessions' thread.
    deliver_to: Recipient<Deliver>,
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
        outbox: Outbox,
        ids: SessionIds,
        deliver_to: Recipient<Deliver>,
    ) -> Router {
        let names = topics.names().map(Arc::from);
        Router {
            names,
            topics,
            tenants,
            directory,
            registry,
            outbox,
            ids,
            recovered: Default::default(),
            seq: 0,
            consumed: Vec::new(),
            batch: Vec::new(),
            deliver_to,
        }
        .with_counters()
    }

    /// Knows the sessions recovery ended, and the accounts it ended them with.
    pub fn with_recovered(mut self, recovered: std::collections::HashMap<Uuid, u32>) -> Router {
        self.recovered = recovered;
        self
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

    /// Routed deliveries not yet handed over by [`Router::flush`].
    pub fn pending(&self) -> usize {
        self.batch.len()
    }

    /// Hands the deliveries routed so far over, in one message to the `Deliverer`; `ack` is
    /// dropped once they are done (see `delivery`).
    pub fn flush(&mut self, ack: BatchAck) {
        let deliveries = std::mem::take(&mut self.batch);
        self.deliver_to.do_send(Deliver { deliveries, ack });
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
                if self.directory.session(&id).is_none() && !self.ids.is_ours(&id) {
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
        let origin = self.origin(msg, TopicKind::AccountSession);
        let logged_in = match event.body {
            account_session::EventBody::Created
            | account_session::EventBody::LicenseAgreementRequired => event.account_id,
            _ => 0,
        };
        let event = SessionEvent {
            seq: self.seq,
            origin,
            inbound: Inbound::Peer(event),
            hold: None,
        };
        if logged_in == 0 {
            self.batch.push(Delivery::Session(session_id, event));
            return Outcome::Routed;
        }
        // A login answer: should the session end before it gets there, its account is released
        // (built now, in the event's trace, while the tenant is at hand).
        let span = event.origin.span(&Span::none());
        let release = {
            let _entered = span.enter();
            self.outbox
                .logout(self.tenants.get(tenant), session_id, logged_in)
        };
        self.batch.push(Delivery::Answer {
            session: session_id,
            account_id: logged_in,
            event,
            release,
        });
        Outcome::Routed
    }

    /// A login answer for a session of this instance that is gone (ended a second, ten minutes
    /// or a restart ago): the account is logged in at the peer and nobody holds it, so it is
    /// released with a LOGOUT, which goes with the batch (its offset is stored once the LOGOUT
    /// is on its topic).
    fn orphan<M: Message>(
        &mut self,
        msg: &M,
        tenant: TenantIdx,
        envelope: account_session::Envelope<'_>,
    ) -> Outcome {
        let answers_login = matches!(&*envelope.kind, "CREATED" | "REQUEST_LICENSE_AGREEMENT");
        if !answers_login || envelope.account_id == 0 || !self.ids.is_ours(&envelope.session_id) {
            return Outcome::NotOurs;
        }
        if self.recovered.get(&envelope.session_id) == Some(&envelope.account_id) {
            return Outcome::NotOurs; // recovery logged this account out already
        }
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
        self.batch.push(Delivery::Release(logout));
        Outcome::Released
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
                hold: None,
            };
            batch.push(Delivery::Session(id, event));
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
