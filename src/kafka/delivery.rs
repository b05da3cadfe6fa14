//! The hand-off from the consume loop to the sessions' thread: what routing decided goes over
//! in batches ([`Deliver`]) and is carried out there by the [`Deliverer`]. Each batch has a
//! [`BatchAck`] that reaches the consume loop once the last of its clones is dropped, and only
//! then are the batch's offsets stored (see `consumer`). Clones stay alive for as long as the
//! batch's effects may still be lost to a crash: the Deliverer's while it puts events into
//! mailboxes, a release's until its LOGOUT is on its topic, a login answer's until its session
//! has recorded the account it bound (see `session::actor`) — so a crash replays such an event
//! instead of losing what it caused.

use std::sync::Arc;

use actix::{Actor, AsyncContext, Context, Handler, Message, Recipient};
use uuid::Uuid;

use crate::kafka::producer::{publish, Publish};
use crate::message::account_session::EventBody;
use crate::session::directory::Directory;
use crate::session::{Inbound, SessionEvent};

/// One thing routing decided, carried out on the sessions' thread.
#[derive(Debug)]
pub enum Delivery {
    /// Hand this event to session `0`.
    Session(Uuid, SessionEvent),
    /// Produce this release (a LOGOUT for the account of a login nobody holds any more).
    Release(Publish),
}

/// A batch of deliveries, in consumption order, handed to the sessions' thread in one message.
#[derive(Message)]
#[rtype(result = "()")]
pub struct Deliver {
    pub deliveries: Vec<Delivery>,
    pub ack: BatchAck,
}

/// Acknowledges one batch to the consume loop once the last clone is dropped, so that the
/// batch's offsets are stored only after its events reached their sessions and what they caused
/// is safe (at-least-once), and a slow sessions' thread holds consumption back instead of
/// queueing without bound.
#[derive(Clone)]
pub struct BatchAck(#[allow(dead_code)] Arc<AckOnDrop>);

impl std::fmt::Debug for BatchAck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BatchAck({})", self.0.batch)
    }
}

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

/// Carries batches out on the thread of the session actors, so that the consume loop wakes that
/// thread once per batch instead of once per event (a wake from another thread is a system
/// call; one from the same thread is not), and looks each session up there (a session that
/// ended since routing gets nothing, as it would have had it ended a moment earlier).
pub struct Deliverer {
    directory: Arc<Directory>,
    producer: Recipient<Publish>,
}

impl Deliverer {
    pub fn new(directory: Arc<Directory>, producer: Recipient<Publish>) -> Deliverer {
        Deliverer {
            directory,
            producer,
        }
    }
}

impl Actor for Deliverer {
    type Context = Context<Self>;
}

impl Handler<Deliver> for Deliverer {
    type Result = ();

    fn handle(&mut self, batch: Deliver, ctx: &mut Context<Self>) {
        let Deliver { deliveries, ack } = batch;
        for delivery in deliveries {
            match delivery {
                Delivery::Session(id, mut event) => {
                    if let Some(session) = self.directory.session(&id) {
                        if answers_login(&event) {
                            event.hold = Some(ack.clone());
                        }
                        session.do_send(event);
                    }
                }
                Delivery::Release(logout) => {
                    let (producer, hold) = (self.producer.clone(), ack.clone());
                    ctx.spawn(actix::fut::wrap_future(async move {
                        let _ = publish(&producer, logout).await;
                        drop(hold);
                    }));
                }
            }
        }
        drop(ack); // the rest is in its sessions' mailboxes (or its session is gone)
    }
}

/// A CREATED or REQUEST_LICENSE_AGREEMENT: binding its session must be on the ledger before
/// its offset may be stored.
fn answers_login(event: &SessionEvent) -> bool {
    matches!(
        &event.inbound,
        Inbound::Peer(e) if matches!(e.body, EventBody::Created | EventBody::LicenseAgreementRequired)
    )
}
