//! A test world: fresh topics, the account simulator as the peer, the service, an observer.

use std::time::Duration;

use login_orchestrator::app::Running;
use login_orchestrator::config::Config;
use login_orchestrator::sim::book::{AccountsFile, Book};
use login_orchestrator::sim::runner::{Sim, SimTopics};
use serde_json::json;
use tokio::sync::oneshot;
use uuid::Uuid;

use crate::helpers::*;

pub const ACCOUNTS: &str = r#"{"autoRegister":false,"accounts":[
  {"id":1,"name":"admin","password":"admin","licenseAccepted":true},
  {"id":2,"name":"newbie","password":"newbie","licenseAccepted":false},
  {"id":3,"name":"banned","password":"banned","ban":{"reason":1,"until":133500000000000000}},
  {"id":4,"name":"exiled","password":"exiled","ban":{"reason":2,"until":0}},
  {"id":5,"name":"alice","password":"alice","licenseAccepted":true},
  {"id":6,"name":"bob","password":"bob","licenseAccepted":true}]}"#;

pub struct World {
    pub topics: Topics,
    pub app: Option<Running>,
    pub observer: Observer,
    /// Dropping it stops the simulator.
    _sim_stop: Option<oneshot::Sender<()>>,
}

/// Starts the simulator on `topics`; dropping the sender stops it.
pub fn start_sim(topics: &Topics) -> oneshot::Sender<()> {
    start_sim_at(&bootstrap(), topics, ACCOUNTS)
}

/// The same on another broker, with other accounts (an accounts file's JSON).
pub fn start_sim_at(bootstrap: &str, topics: &Topics, accounts: &str) -> oneshot::Sender<()> {
    let file: AccountsFile = serde_json::from_str(accounts).unwrap();
    let sim = Sim::connect(
        bootstrap,
        &Default::default(),
        SimTopics {
            command: topics.command.clone(),
            account_status: topics.account_status.clone(),
            account_session_status: topics.account_session_status.clone(),
        },
        Book::new(file),
    )
    .expect("simulator connects");
    let (tx, rx) = oneshot::channel::<()>();
    actix_rt::spawn(sim.run(async move {
        let _ = rx.await;
    }));
    tx
}

impl World {
    /// Topics, simulator (when `with_sim`), then the service with `extra` settings.
    pub async fn start(with_sim: bool, service: &str, extra: &[(&str, &str)]) -> World {
        World::start_on(Topics::create().await, with_sim, service, extra).await
    }

    /// The same on topics made (and perhaps written to) beforehand.
    pub async fn start_on(
        topics: Topics,
        with_sim: bool,
        service: &str,
        extra: &[(&str, &str)],
    ) -> World {
        let sim_stop = with_sim.then(|| start_sim(&topics));
        let app = start(config(&topics, service, extra)).await;
        let observer = Observer::new(&[&topics.command, &topics.session_status]);
        World {
            topics,
            app: Some(app),
            observer,
            _sim_stop: sim_stop,
        }
    }

    pub async fn default() -> World {
        World::start(true, &service_json(None), &[]).await
    }

    pub fn config(&self, extra: &[(&str, &str)]) -> Config {
        config(&self.topics, &service_json(None), extra)
    }

    pub fn addr(&self) -> std::net::SocketAddr {
        self.app.as_ref().unwrap().gateway[0]
    }

    /// Sends `admin`'s login from `c` and waits until its CREATE is on the command topic; the
    /// peer's answer is left to the test.
    pub async fn login_until_create(&mut self, c: &mut Client) {
        c.send(json!({"op":"login","accountName":"admin","password":"admin"}))
            .await;
        let cmd = self.topics.command.clone();
        self.observer
            .wait_until("the CREATE", |seen| seen.iter().any(|r| r.topic == cmd))
            .await;
    }

    pub async fn client(&self) -> Client {
        Client::connect(self.addr()).await
    }

    pub async fn shutdown(&mut self) {
        if let Some(app) = self.app.take() {
            tokio::time::timeout(Duration::from_secs(30), app.shutdown())
                .await
                .expect("shutdown in time");
        }
    }

    /// Waits for the session's LOGOUT and DESTROYED, then checks there is exactly one of each,
    /// both carrying `account_id`, LOGOUT first.
    pub async fn assert_ended_once(&mut self, session: Uuid, account_id: u32) {
        let (cmd, status) = (
            self.topics.command.clone(),
            self.topics.session_status.clone(),
        );
        let obs = &mut self.observer;
        obs.wait_until("the session's LOGOUT and DESTROYED", |seen| {
            let has = |topic: &str, kind: &str| {
                seen.iter().any(|r| {
                    r.topic == topic
                        && r.json()["sessionId"] == session.to_string()
                        && r.json()["type"] == kind
                })
            };
            has(&cmd, "LOGOUT") && has(&status, "DESTROYED")
        })
        .await;
        obs.settle(Duration::from_millis(300)).await;
        let logouts = obs.of(&cmd, session, "LOGOUT");
        let destroyed = obs.of(&status, session, "DESTROYED");
        assert_eq!(logouts.len(), 1, "exactly one LOGOUT: {:#?}", obs.summary());
        assert_eq!(
            destroyed.len(),
            1,
            "exactly one DESTROYED: {:#?}",
            obs.summary()
        );
        assert_eq!(logouts[0].json()["accountId"], account_id);
        assert_eq!(destroyed[0].json()["accountId"], account_id);
        assert_eq!(
            logouts[0].key,
            login_orchestrator::kafka::keys::account_key(account_id)
        );
    }
}
