//! The hand-off from the consume loop to the sessions' thread: what routing decided goes over
//! in batches ([`Deliver`]) and is carried out there by the [`Deliverer`]. Each batch has a
//! [`BatchAck`] that reaches the consume loop once the last of its clones is dropped, and only
//! then are the batch's offsets stored (see `consumer`). Clones stay alive for as long as the
//! batch's effects may still be lost to a crash: the Deliverer's while it puts events into
//! mailboxes, a release's until its LOGOUT is on its topic, a login answer's until its session
//! has recorded the account it bound (see `session::actor`) — so a crash replays such an event
//! instead of losing what it caused. A login answer whose session ended between its routing
//! and its delivery releases its account here, as routing does for a session already gone.

use std::sync::Arc;

use actix::dev::SendError;
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
    /// A login answer (CREATED or REQUEST_LICENSE_AGREEMENT: the peer logged `account_id` in
    /// for `session`), routed while its session was live: handed to the session; if the
    /// session is gone by the time it is delivered (it ended in between: its client closed the
    /// connection with the login in flight, say), the account is released with `release` (a
    /// LOGOUT of it), as routing would have done a moment later.
    Answer {
        session: Uuid,
        account_id: u32,
        event: SessionEvent,
        release: Publish,
    },
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
                Delivery::Answer {
                    session,
                    account_id,
                    mut event,
                    release,
                } => {
                    event.hold = Some(ack.clone());
                    let delivered = match self.directory.session(&session) {
                        Some(recipient) => match recipient.try_send(event) {
                            Ok(()) => true,
                            Err(SendError::Full(event)) => {
                                recipient.do_send(event);
                                true
                            }
                            Err(SendError::Closed(_)) => false, // its actor has stopped
                        },
                        None => false,
                    };
                    if !delivered {
                        tracing::info!(session_id = %session, account_id,
                            "Releasing an account whose login answer came as its session ended.");
                        self.release(release, &ack, ctx);
                    }
                }
                Delivery::Release(logout) => self.release(logout, &ack, ctx),
            }
        }
        drop(ack); // the rest is in its sessions' mailboxes (or its session is gone)
    }
}

impl Deliverer {
    /// Produces a release; the batch stays unacknowledged until it is on its topic.
    fn release(&self, logout: Publish, ack: &BatchAck, ctx: &mut Context<Self>) {
        let (producer, hold) = (self.producer.clone(), ack.clone());
        ctx.spawn(actix::fut::wrap_future(async move {
            let _ = publish(&producer, logout).await;
            drop(hold);
        }));
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use actix::prelude::*;

    use super::*;
    use crate::kafka::producer::PublishError;
    use crate::message::account_session::StatusEvent;
    use crate::session::Origin;

    /// A session that records the events it gets, or a producer that records what it sends.
    #[derive(Clone, Default)]
    struct Capture(Arc<Mutex<Vec<String>>>);

    impl Actor for Capture {
        type Context = Context<Self>;
    }

    impl Handler<SessionEvent> for Capture {
        type Result = ();
        fn handle(&mut self, msg: SessionEvent, _: &mut Context<Self>) {
            let held = if msg.hold.is_some() { "held" } else { "unheld" };
            self.0.lock().unwrap().push(format!("event {held}"));
        }
    }

    impl Handler<Publish> for Capture {
        type Result = Result<(), PublishError>;
        fn handle(&mut self, msg: Publish, _: &mut Context<Self>) -> Self::Result {
            let payload = String::from_utf8(msg.payload.unwrap_or_default()).unwrap();
            self.0
                .lock()
                .unwrap()
                .push(format!("{} {payload}", msg.topic));
            Ok(())
        }
    }

    /// Stops itself on its first message: a session that has ended.
    struct Ended;

    impl Actor for Ended {
        type Context = Context<Self>;
    }

    impl Handler<SessionEvent> for Ended {
        type Result = ();
        fn handle(&mut self, _: SessionEvent, _: &mut Context<Self>) {}
    }

    fn answer(session: Uuid) -> Delivery {
        let event = SessionEvent {
            seq: 1,
            origin: Origin {
                topic: "ass".into(),
                partition: 0,
                offset: 7,
                trace: Default::default(),
            },
            inbound: Inbound::Peer(StatusEvent {
                session_id: session,
                account_id: 9,
                account_name: "u9".into(),
                body: EventBody::Created,
            }),
            hold: None,
        };
        let release = Publish {
            topic: "cmd".into(),
            key: vec![9, 0, 0, 0, 0, 0, 0, 0],
            headers: Default::default(),
            payload: Some(b"LOGOUT 9".to_vec()),
        };
        Delivery::Answer {
            session,
            account_id: 9,
            event,
            release,
        }
    }

    /// Delivers one answer to `session` through a Deliverer; what the session and the producer
    /// saw, in order, with "ack" where the batch was acknowledged.
    async fn deliver(directory: Arc<Directory>, session: Uuid, seen: Capture) -> Vec<String> {
        let producer = seen.clone().start().recipient();
        let deliverer = Deliverer::new(directory, producer).start();
        let (ack_to, acks) = std::sync::mpsc::channel();
        deliverer
            .send(Deliver {
                deliveries: vec![answer(session)],
                ack: BatchAck::new(1, ack_to),
            })
            .await
            .unwrap();
        for _ in 0..100 {
            if acks.try_recv().is_ok() {
                seen.0.lock().unwrap().push("ack".into());
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let seen = seen.0.lock().unwrap().clone();
        seen
    }

    #[actix_rt::test]
    async fn a_login_answer_for_a_live_session_goes_to_it_and_holds_its_batch() {
        let directory = Arc::new(Directory::default());
        let session = Uuid::new_v4();
        let seen = Capture::default();
        directory.insert(session, seen.clone().start().recipient());
        let got = deliver(directory, session, seen).await;
        assert_eq!(got, ["event held", "ack"]);
    }

    #[actix_rt::test]
    async fn a_login_answer_whose_session_ended_meanwhile_releases_its_account_before_the_ack() {
        let directory = Arc::new(Directory::default());
        let got = deliver(directory, Uuid::new_v4(), Capture::default()).await;
        assert_eq!(got, ["cmd LOGOUT 9", "ack"]);
    }

    #[actix_rt::test]
    async fn a_login_answer_for_a_session_whose_actor_stopped_releases_its_account() {
        let directory = Arc::new(Directory::default());
        let session = Uuid::new_v4();
        let ended = Ended.start();
        directory.insert(session, ended.clone().recipient());
        // The actor stops; the directory still has it (its end is not handled yet).
        ended.send(StopNow).await.unwrap();
        tokio::time::sleep(Duration::from_millis(20)).await;
        let got = deliver(directory, session, Capture::default()).await;
        assert_eq!(got, ["cmd LOGOUT 9", "ack"]);
    }

    #[derive(Message)]
    #[rtype(result = "()")]
    struct StopNow;

    impl Handler<StopNow> for Ended {
        type Result = ();
        fn handle(&mut self, _: StopNow, ctx: &mut Context<Self>) {
            ctx.stop();
        }
    }
}
