//! The application: wires the producer, the consume loop, the supervisor and the gateway,
//! and tears them down in one order.
//!
//! Start: admin listener (not ready yet) → embedded broker and simulators, when no broker is
//! configured → the service configuration, when it comes from a configuration service (retried
//! while that is unreachable, `/readyz` saying why) → producer → supervisor → consumer
//! (subscribe, wait for partitions: ready) → listeners.
//! Shutdown, each step bounded by `SHUTDOWN_STEP_TIMEOUT_MS` (a step that runs out is logged
//! and the next one runs): not ready (`/readyz` 503), stop accepting → the drain: sessions with
//! a login or a channel hand-off in flight finish it for up to `DRAIN_DEADLINE_MS`, the others
//! end at once → every session gets `bye` `shutdown`, LOGOUT and DESTROYED → producer flush →
//! final offset commit → stop.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use actix::prelude::*;
use tokio::sync::oneshot;
use tracing::{info, warn};

use crate::admin::{self, Health};
use crate::config::remote::{self, Backoff, Server};
use crate::config::service::ProtocolKind;
use crate::config::{Config, ConfigError, DuplicateLogin, ServiceConfig, ServiceSource};
use crate::embedded::EmbeddedBroker;
use crate::gateway::listener::Listeners;
use crate::gateway::Protocol;
use crate::kafka::client::{admin_config, consumer_config, producer_config};
use crate::kafka::consumer::{self, StopRequest};
use crate::kafka::delivery::Deliverer;
use crate::kafka::ledger::Ledger;
use crate::kafka::outbox::Outbox;
use crate::kafka::producer::{Delivered, Flush, Producer};
use crate::kafka::recovery::{self, Recovery};
use crate::kafka::router::{ConsumedTopics, Router};
use crate::metrics;
use crate::rest::{ClientConfig as RestConfig, Domain, Endpoints, RestClient};
use crate::session::directory::Directory;
use crate::session::ids::SessionIds;
use crate::session::registry::AccountRegistry;
use crate::session::state::Settings;
use crate::session::supervisor::{self, SessionSupervisor, Shutdown};
use crate::session::{Limits, Services};
use crate::sim::atlas::{AtlasSim, KafkaSeeds, RunningSim, SimData};
use crate::sim::book::{AccountsFile, Book};
use crate::sim::runner::{Sim, SimTopics};
use crate::tenant::Tenants;

/// Why the service could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// librdkafka refused a client configuration (a bad `KAFKA_*` setting, say).
    #[error("kafka client: {0}")]
    Kafka(#[from] rdkafka::error::KafkaError),
    /// A listener could not be bound (the message names which one).
    #[error("{0}")]
    Listen(#[from] std::io::Error),
    /// The embedded account simulator's accounts file is unusable.
    #[error("account simulator: {0}")]
    Accounts(#[from] crate::sim::book::AccountsError),
    /// A blocking start-up step panicked.
    #[error("start-up step failed: {0}")]
    Blocking(String),
    /// The embedded REST simulator could not start.
    #[error("REST simulator: {0}")]
    AtlasSim(#[from] crate::sim::atlas::SimError),
    /// An Atlas service URL is unusable.
    #[error("{0}")]
    Endpoint(#[from] crate::rest::EndpointError),
    /// The REST client could not be built.
    #[error("REST client: {0}")]
    Rest(#[from] crate::rest::RestError),
    /// A tenant's client protocol cannot be set up (an unsupported version, say).
    #[error("service configuration: {0}")]
    Protocol(#[from] crate::gateway::ProtocolError),
    /// The configuration service's answer is no usable configuration (the message names the
    /// URL and the field).
    #[error("configuration error: {0}")]
    Config(#[from] ConfigError),
}

/// A started service.
pub struct Running {
    /// The admin listener's bound address (/healthz, /readyz, /metrics).
    pub admin: SocketAddr,
    health: Arc<Health>,
    /// The gateway's bound addresses, one per tenant, in configuration order.
    pub gateway: Vec<SocketAddr>,
    supervisor: Addr<SessionSupervisor>,
    producer: Addr<Producer>,
    listeners: Listeners,
    consumer_stop: oneshot::Sender<StopRequest>,
    consumer_thread: Option<std::thread::JoinHandle<()>>,
    step_timeout: Duration,
    /// DRAIN_DEADLINE_MS: how long logins and hand-offs in flight may finish at shutdown.
    drain_deadline: Duration,
    /// The embedded broker and simulator, when BOOTSTRAP_SERVERS is unset; stopped last.
    embedded: Option<Embedded>,
}

struct Embedded {
    _broker: EmbeddedBroker,
    _sim_stop: Option<oneshot::Sender<()>>,
    /// The REST simulator (EMBEDDED_ATLAS_SIM) and its seed producer.
    atlas: Option<(RunningSim, KafkaSeeds)>,
}

/// The configured broker; or, when none is, the embedded broker (and the simulator, unless
/// disabled) started here. The blocking set-up (the mock cluster, the simulator's metadata
/// calls) runs on a blocking thread, not the actors' thread.
async fn broker(config: &Config) -> Result<(Option<Embedded>, String), StartError> {
    let env = &config.env;
    if let Some(bootstrap) = &env.bootstrap_servers {
        return Ok((None, bootstrap.clone()));
    }
    let t = &env.topics;
    let ledger = env.session_ledger_topic();
    let topics = [
        (t.command_account_session.as_str(), 4),
        (&t.event_session_status, 4),
        (&t.event_account_status, 4),
        (&t.event_account_session_status, 4),
        (&t.event_seed_status, 4),
        (&ledger, 1),
    ];
    let topics: Vec<(String, i32)> = topics.iter().map(|(t, n)| (t.to_string(), *n)).collect();
    let broker = blocking(move || {
        let topics: Vec<(&str, i32)> = topics.iter().map(|(t, n)| (t.as_str(), *n)).collect();
        EmbeddedBroker::start(&topics)
    })
    .await??;
    let bootstrap = broker.bootstrap_servers().to_owned();
    warn!(
        bootstrap = %bootstrap,
        "BOOTSTRAP_SERVERS is unset: using an embedded broker. It is for trying the service, not for production: \
         it keeps only the newest 100,000 messages per partition and loses everything when the process exits."
    );
    let atlas = if env.embedded_atlas_sim && !env.endpoints.missing().is_empty() {
        let seeds = KafkaSeeds::new(&bootstrap, &env.kafka, &t.event_seed_status)?;
        let data = SimData::load(&env.atlas_sim_file)?;
        let sim = AtlasSim::start(env.atlas_sim_address, data, Box::new(seeds.clone())).await?;
        info!(url = %sim.base_url(), data = %env.atlas_sim_file.display(), "Embedded REST simulator of Atlas's services running.");
        Some((sim, seeds))
    } else {
        None
    };
    let sim_stop = if env.embedded_account_sim {
        let mut book = Book::new(AccountsFile::load(&env.accounts_file)?);
        if let Some((sim, _)) = &atlas {
            // A licence the game flow recorded at the REST simulator is not asked again.
            book = book.with_recorded_licences(sim.licences());
        }
        let topics = SimTopics {
            command: t.command_account_session.clone(),
            account_status: t.event_account_status.clone(),
            account_session_status: t.event_account_session_status.clone(),
        };
        let (at, kafka) = (bootstrap.clone(), env.kafka.clone());
        let sim = blocking(move || Sim::connect(&at, &kafka, topics, book)).await??;
        let (tx, rx) = oneshot::channel::<()>();
        actix_rt::spawn(sim.run(async move {
            let _ = rx.await;
        }));
        info!(accounts = %env.accounts_file.display(), "Embedded account simulator running.");
        Some(tx)
    } else {
        None
    };
    Ok((
        Some(Embedded {
            _broker: broker,
            _sim_stop: sim_stop,
            atlas,
        }),
        bootstrap,
    ))
}

/// Atlas's REST services: the configured ones, and the embedded simulator for every domain
/// without a URL.
fn rest_client(config: &Config, embedded: Option<&Embedded>) -> Result<RestClient, StartError> {
    let env = &config.env;
    let mut endpoints = env.endpoints.clone();
    if let Some((sim, _)) = embedded.and_then(|e| e.atlas.as_ref()) {
        endpoints = endpoints.or_base(&sim.base_url())?;
    }
    for domain in unset_and_needed(&config.service, &endpoints) {
        warn!(variable = domain.env_name(), "No URL for an Atlas service: the game socket's calls to it will fail (set it, or BASE_SERVICE_URL).");
    }
    Ok(RestClient::new(endpoints, RestConfig::from_env(env))?)
}

/// The Atlas services without a URL that this configuration would call: none for a service
/// file whose tenants all speak JSON lines, and otherwise every one the game socket calls
/// (tenants still to be read may speak it). The configuration service is never among them:
/// only its URL makes the service read from it.
fn unset_and_needed(source: &ServiceSource, endpoints: &Endpoints) -> Vec<Domain> {
    let game = match source {
        ServiceSource::File { service, .. } => service
            .tenants
            .iter()
            .any(|tenant| tenant.protocol == ProtocolKind::Maple),
        ServiceSource::ConfigurationService | ServiceSource::EmbeddedSimulator => true,
    };
    endpoints
        .missing()
        .into_iter()
        .filter(|domain| game && *domain != Domain::Configurations)
        .collect()
}

/// The tenants and tasks: the service file's, read with the environment, or the configuration
/// service's, read now (retried while it cannot be reached, `/readyz` saying why meanwhile).
async fn service_config(
    config: &Config,
    rest: &RestClient,
    health: &Health,
) -> Result<ServiceConfig, StartError> {
    let server = match &config.service {
        ServiceSource::File { path, service } => {
            info!(file = %path.display(), tenants = service.tenants.len(), "Service configuration read from the file.");
            return Ok(service.clone());
        }
        ServiceSource::ConfigurationService => Server::Atlas,
        ServiceSource::EmbeddedSimulator => Server::EmbeddedSimulator,
    };
    let report = |why: Option<String>| health.set_configuring(why);
    let loaded = remote::load(
        rest,
        config.env.service_id,
        server,
        Backoff::default(),
        &report,
    )
    .await?;
    for warning in &loaded.warnings {
        warn!(
            warning,
            "Part of the configuration service's answer ignored."
        );
    }
    let source = match server {
        Server::Atlas => "the configuration service",
        Server::EmbeddedSimulator => "the embedded REST simulator (ATLAS_SIM_FILE)",
    };
    info!(url = %loaded.url, tenants = loaded.service.tenants.len(), "Service configuration read from {source}.");
    Ok(loaded.service)
}

/// Every tenant's client protocol, set up (its warnings logged).
fn protocols(service: &ServiceConfig, max_line: usize) -> Result<Vec<Protocol>, StartError> {
    let mut protocols = Vec::new();
    for (index, tenant) in service.tenants.iter().enumerate() {
        let (protocol, warnings) = Protocol::for_tenant(index, tenant, max_line)?;
        for warning in warnings {
            warn!(tenant = %tenant.id, warning, "Unused part of the tenant's socket section.");
        }
        protocols.push(protocol);
    }
    Ok(protocols)
}

/// Runs `f` on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, StartError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StartError::Blocking(e.to_string()))
}

/// Starts the service inside the current actix system; returns once the gateway accepts.
pub async fn start(config: Config) -> Result<Running, StartError> {
    let env = &config.env;
    let max_line = env.gateway_max_line_bytes;
    // A service file's protocols first: an unsupported version stops start-up before anything
    // runs. A configuration service is asked once the admin listener answers (not ready).
    let file_protocols = match &config.service {
        ServiceSource::File { service, .. } => Some(protocols(service, max_line)?),
        _ => None,
    };
    let health = Arc::new(Health::default());
    let admin = admin::start(env.admin_address, Arc::clone(&health), metrics::install()).await?;
    let (embedded, bootstrap) = broker(&config).await?;
    let rest = rest_client(&config, embedded.as_ref())?;
    let service = service_config(&config, &rest, &health).await?;
    let protocols = match file_protocols {
        Some(protocols) => protocols,
        None => protocols(&service, max_line)?,
    };
    // What the producer delivers to the session status topic, from its current ends on: the
    // floor of every session's `ending` record (see `kafka::recovery`).
    let status_topic = &env.topics.event_session_status;
    let ends = recovery::topic_ends(admin_config(&bootstrap, &env.kafka), status_topic.clone());
    let delivered = Arc::new(Delivered::new(status_topic, ends.await?));
    let producer = Producer::new(&producer_config(&bootstrap, &env.kafka))?
        .watching(Arc::clone(&delivered))
        .start();

    let tenants = Arc::new(Tenants::new(&service.tenants));
    let directory = Arc::new(Directory::default());
    let registry = Arc::new(AccountRegistry::default());
    let outbox = Outbox::new(
        &env.topics.command_account_session,
        &env.topics.event_session_status,
    );
    let services = Arc::new(Services {
        tenants: Arc::clone(&tenants),
        service: Arc::new(service.clone()),
        outbox: outbox.clone(),
        producer: producer.clone().recipient(),
        registry: Arc::clone(&registry),
        login_timeout: Duration::from_millis(env.login_timeout_ms),
        settings: Settings {
            max_bad_requests: env.gateway_max_bad_requests,
            max_login_failures: env.login_max_failures,
            login_failure_window: Duration::from_millis(env.login_failure_window_ms),
            replace_duplicates: env.duplicate_login == DuplicateLogin::Replace,
        },
        ledger: Ledger::new(&env.session_ledger_topic(), delivered),
        ids: SessionIds::new(env.service_id),
        rest,
        directory: Arc::clone(&directory),
        limits: Limits {
            max_sessions: env.max_sessions,
            max_sessions_per_ip: env.max_sessions_per_ip,
        },
    });
    let supervisor = SessionSupervisor::new(
        Arc::clone(&services),
        Arc::clone(&directory),
        service.idle_timeout(),
    )
    .start();

    // Sessions a crashed predecessor left live end before anything is consumed or anyone new
    // is admitted. (A late answer to one of their logins is released whenever it comes: see
    // `session::ids`; one the recovery already released is not released again.)
    let recovery = Recovery {
        client: &admin_config(&bootstrap, &env.kafka),
        ledger: &services.ledger,
        outbox: &services.outbox,
        producer: &services.producer,
        status_topic,
    };
    let recovered = recovery.run().await?;

    let topics = ConsumedTopics {
        account_status: env.topics.event_account_status.clone(),
        account_session_status: env.topics.event_account_session_status.clone(),
        seed_status: env.topics.event_seed_status.clone(),
    };
    let mut consumer_config = consumer_config(&bootstrap, &env.kafka);
    consumer_config.set("group.id", env.group_id());
    // Statistics every second feed readiness (broker state) and the consumer-lag gauges.
    consumer_config.set("statistics.interval.ms", "1000");
    let consumer = consumer::subscribe(&consumer_config, &topics.names(), Arc::clone(&health))?;
    info!(group = %env.group_id(), topics = ?topics.names(), "Subscribed; waiting for partitions.");
    let router = Router::new(
        topics,
        tenants.clone(),
        Arc::clone(&directory),
        registry,
        outbox.clone(),
        SessionIds::new(env.service_id),
        Deliverer::new(Arc::clone(&directory), producer.clone().recipient())
            .start()
            .recipient(),
    )
    .with_recovered(recovered);
    let (consumer_stop, stop_rx) = oneshot::channel();
    let consumer_thread = consumer::spawn(consumer, router, stop_rx)?;

    // A session admitted before the consumer holds its partitions could miss its own answer.
    while tokio::time::timeout(Duration::from_secs(10), health.wait_assigned())
        .await
        .is_err()
    {
        warn!("Still waiting for the consumer's partition assignment.");
    }
    let ports: Vec<u16> = service.tenants.iter().map(|t| t.port).collect();
    let listeners = Listeners::start(
        env.gateway_bind_address,
        &tenants,
        &ports,
        &protocols,
        supervisor.clone().recipient(),
    )
    .await?;
    if embedded.is_some() {
        for ((addr, protocol), tenant) in listeners.addrs.iter().zip(&protocols).zip(tenants.iter())
        {
            match protocol {
                Protocol::JsonLines { .. } => info!(
                    r#"Try it: nc {} {}   then type   {{"op":"login","accountName":"admin","password":"admin"}}"#,
                    addr.ip(),
                    addr.port()
                ),
                Protocol::Maple(setup) => info!(
                    "Try it: cargo run -q -p login-probe -- --addr {addr} --version {}/{}/{} --user admin --password admin{} --select first --pic 1234",
                    tenant.region,
                    tenant.major_version,
                    tenant.minor_version,
                    if setup.uses_pin { " --pin 1234" } else { "" }
                ),
            }
        }
    }
    Ok(Running {
        gateway: listeners.addrs.clone(),
        admin: admin.addr,
        health,
        supervisor,
        producer,
        listeners,
        consumer_stop,
        consumer_thread: Some(consumer_thread),
        step_timeout: Duration::from_millis(env.shutdown_step_timeout_ms),
        drain_deadline: Duration::from_millis(env.drain_deadline_ms),
        embedded,
    })
}

impl Running {
    /// Test hook: makes the actor of session `id` panic, as a bug would; false when no such
    /// session is live.
    #[cfg(feature = "fault-injection")]
    pub async fn panic_session(&self, id: uuid::Uuid) -> bool {
        let panic = crate::session::supervisor::PanicSession(id);
        self.supervisor.send(panic).await.unwrap_or(false)
    }

    /// The graceful shutdown, in the order of the module documentation.
    pub async fn shutdown(mut self) {
        let step = self.step_timeout;
        info!("Shutting down: no new clients.");
        self.health.set_shutting_down();
        self.listeners.close();

        let drain = self.drain_deadline;
        if tokio::time::timeout(drain + step, self.supervisor.send(Shutdown { drain }))
            .await
            .is_err()
        {
            warn!(
                timeout_ms = step.as_millis() as u64,
                "Not every session ended in time."
            );
        }
        match tokio::time::timeout(step, self.producer.send(Flush { timeout: step })).await {
            Ok(Ok(Ok(()))) => info!("Producer flushed."),
            _ => warn!("The producer did not flush in time; undelivered messages may be lost."),
        }
        let (tx, rx) = oneshot::channel();
        if self.consumer_stop.send(tx).is_ok() && tokio::time::timeout(step, rx).await.is_err() {
            warn!("The final offset commit did not finish in time.");
        }
        // Tear down the clients before the embedded broker they talk to.
        if let Some(embedded) = &mut self.embedded {
            embedded._sim_stop.take();
            if let Some((sim, seeds)) = embedded.atlas.take() {
                sim.stop().await;
                let flushed = tokio::task::spawn_blocking(move || seeds.flush(step)).await;
                if !matches!(flushed, Ok(Ok(()))) {
                    warn!(
                        "The REST simulator's seed events did not all reach the embedded broker."
                    );
                }
            }
        }
        if let Some(thread) = self.consumer_thread.take() {
            // The loop has answered (or, when the commit timed out, will return once it is
            // done): either way it ends within a poll after its stop sender is gone.
            let _ = tokio::task::spawn_blocking(move || thread.join()).await;
        }
        let _ = self.producer.send(StopActor).await;
        self.supervisor.do_send(supervisor::Stop);
        tokio::task::yield_now().await;
        drop(self.embedded.take());
        info!("Shutdown complete.");
    }
}

/// Stops the producer at the end of shutdown.
#[derive(Message)]
#[rtype(result = "()")]
struct StopActor;

impl Handler<StopActor> for Producer {
    type Result = ();
    fn handle(&mut self, _: StopActor, ctx: &mut Context<Self>) {
        ctx.stop();
    }
}

/// Runs the service until SIGTERM or SIGINT, then shuts it down.
pub async fn run(config: Config) -> Result<(), StartError> {
    let running = tokio::select! {
        started = start(config) => started?,
        _ = shutdown_signal() => { info!("Signal received before start-up finished."); return Ok(()); }
    };
    shutdown_signal().await;
    running.shutdown().await;
    Ok(())
}

async fn shutdown_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let term = async {
        match term.as_mut() {
            Some(t) => {
                t.recv().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => info!("SIGINT received."),
        _ = term => info!("SIGTERM received."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(protocols: &[&str]) -> ServiceSource {
        let tenants: Vec<String> = protocols
            .iter()
            .enumerate()
            .map(|(i, p)| {
                format!(
                    r#"{{"id":"00000000-0000-0000-0000-00000000000{i}","region":"GMS","majorVersion":83,"minorVersion":1,"port":{},"protocol":"{p}"}}"#,
                    8484 + i
                )
            })
            .collect();
        let json = format!(r#"{{"tenants":[{}]}}"#, tenants.join(","));
        ServiceSource::File {
            path: "service.json".into(),
            service: ServiceConfig::parse(&json, "test").expect("service file"),
        }
    }

    #[test]
    fn only_the_services_a_configuration_calls_are_warned_of() {
        let none = Endpoints::default();
        assert!(unset_and_needed(&file(&["json-lines"]), &none).is_empty());
        let game = unset_and_needed(&file(&["json-lines", "maple"]), &none);
        assert_eq!(game.len(), Domain::ALL.len() - 1);
        assert!(!game.contains(&Domain::Configurations));
        let remote = unset_and_needed(&ServiceSource::ConfigurationService, &none);
        assert!(remote.contains(&Domain::Accounts));
        let base = Endpoints::new(Some("http://atlas/".to_owned()), vec![]).expect("endpoints");
        assert!(unset_and_needed(&file(&["maple"]), &base).is_empty());
    }
}
