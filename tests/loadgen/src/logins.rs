//! Logins at a fixed concurrency through either client protocol, each timed leg by leg: the TCP
//! connect, the hello (which the service writes once the session's start is on its ledger), the
//! login (request to answer) and their total. Every client stays connected until the run ends,
//! as a player does: no LOGOUT traffic of earlier logins overlaps the measured ones.

use std::net::SocketAddr;
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use maple_client::Version;

use crate::game::GameClient;
use crate::gateway::{account_name, retrying, Client, Sources};
use crate::kafka as bk;
use crate::report::Record;
use crate::stats::{Latencies, Turns};

/// The client protocol of a run.
#[derive(Debug, Clone)]
pub enum Proto {
    /// The JSON-lines gateway: `hello`, `login` → `login_ok`.
    Json,
    /// The game socket of this version: hello, LoginHandle → AuthSuccess.
    Maple(Version),
}

/// The legs measured, with the file suffix of their samples (`""`: the login itself).
pub const LEGS: [&str; 4] = ["", "total", "connect", "hello"];

/// One sample per measured login and leg, in `LEGS` order.
#[derive(Default)]
pub struct Legs(pub [Latencies; 4]);

impl Legs {
    fn push(&mut self, login: Duration, connect: Duration, hello: Duration) {
        self.0[0].push(login);
        self.0[1].push(connect + hello + login);
        self.0[2].push(connect);
        self.0[3].push(hello);
    }

    fn extend(&mut self, other: Legs) {
        for (a, b) in self.0.iter_mut().zip(other.0) {
            a.extend(b);
        }
    }

    /// Appends each leg's samples to `path` (the login) and `path.<leg>`.
    pub fn append_to(&self, path: &Path) -> std::io::Result<()> {
        for (leg, lat) in LEGS.iter().zip(&self.0) {
            lat.append_to(&leg_path(path, leg))?;
        }
        Ok(())
    }

    /// Sets `<leg>_p50_ms` … on `record` for every leg but the login (whose names are bare).
    pub fn set_on(&mut self, mut record: Record) -> Record {
        for (leg, lat) in LEGS.iter().zip(self.0.iter_mut()) {
            let p = lat.percentiles();
            let name = |q: &str| {
                if leg.is_empty() {
                    format!("{q}_ms")
                } else {
                    format!("{leg}_{q}_ms")
                }
            };
            record = record
                .set(&name("p50"), p.p50_ms)
                .set(&name("p99"), p.p99_ms)
                .set(&name("p999"), p.p999_ms)
                .set(&name("max"), p.max_ms);
        }
        record
    }
}

/// The samples file of one leg.
pub fn leg_path(samples: &Path, leg: &str) -> std::path::PathBuf {
    if leg.is_empty() {
        samples.to_owned()
    } else {
        let mut p = samples.as_os_str().to_owned();
        p.push(format!(".{leg}"));
        p.into()
    }
}

/// A logged-in client, held only to keep its connection open.
#[allow(dead_code)]
enum Open {
    Json(Client),
    Maple(GameClient),
}

/// What one run measured.
pub struct Run {
    pub legs: Legs,
    /// (account name, login sent, answer read), ms since the epoch, per measured login.
    pub stamps: Vec<(String, f64, f64)>,
    /// From the end of the warm-up to the last answer.
    pub seconds: f64,
    pub count: usize,
    /// Logins run in all, the warm-up included.
    pub turns: usize,
    /// Connections that never said hello (see `gateway::HELLO_TIMEOUT`), warm-up included.
    pub lost: u32,
}

/// `count` measured logins of accounts `first…` after a warm-up of max(concurrency, 50),
/// `concurrency` in flight.
pub async fn run(
    gateway: SocketAddr,
    proto: &Proto,
    count: usize,
    concurrency: usize,
    first: usize,
    sources: &Sources,
) -> anyhow::Result<Run> {
    let concurrency = concurrency.max(1);
    let turns = Turns::new(count, concurrency);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (turns, sources, proto) = (turns.clone(), sources.clone(), proto.clone());
        workers.push(tokio::task::spawn_local(async move {
            let mut legs = Legs::default();
            let mut stamps = Vec::new();
            let mut open = Vec::new();
            let mut lost = 0;
            loop {
                let Some((i, measured)) = turns.take() else {
                    return Ok::<_, anyhow::Error>((legs, stamps, open, lost));
                };
                let name = account_name(first + i);
                let source = sources.get(i);
                let (took, connect, hello, sent, client) = match &proto {
                    Proto::Json => {
                        let (mut c, wasted, n) = retrying(|| Client::connect(gateway, source))
                            .await
                            .with_context(|| format!("connect and hello of login {i}"))?;
                        lost += n;
                        let sent = bk::epoch_ms();
                        let took = c.login(&name, &name).await.with_context(|| {
                            format!("login {i} ({name}, session {})", c.session_id)
                        })?;
                        (
                            took,
                            c.connect_time + wasted,
                            c.hello_time,
                            sent,
                            Open::Json(c),
                        )
                    }
                    Proto::Maple(version) => {
                        let (mut c, wasted, n) =
                            retrying(|| GameClient::connect(gateway, source, version))
                                .await
                                .with_context(|| format!("connect and hello of game login {i}"))?;
                        lost += n;
                        let sent = bk::epoch_ms();
                        let took = c
                            .login(&name, &name)
                            .await
                            .with_context(|| format!("game login {i} ({name})"))?;
                        (
                            took,
                            c.connect_time + wasted,
                            c.hello_time,
                            sent,
                            Open::Maple(c),
                        )
                    }
                };
                if measured {
                    legs.push(took, connect, hello);
                    stamps.push((name, sent, sent + took.as_secs_f64() * 1000.0));
                }
                open.push(client);
            }
        }));
    }
    let mut legs = Legs::default();
    let mut stamps = Vec::new();
    let mut clients = Vec::new();
    let mut lost = 0;
    for w in workers {
        let (l, s, open, n) = w.await??;
        lost += n;
        clients.extend(open);
        legs.extend(l);
        stamps.extend(s);
    }
    let seconds = turns
        .measured_from()
        .unwrap_or(start)
        .elapsed()
        .as_secs_f64();
    drop(clients);
    Ok(Run {
        legs,
        stamps,
        seconds,
        count,
        turns: turns.total(),
        lost,
    })
}

/// `count` connects after a warm-up of max(concurrency, 50), `concurrency` at a time, each timed
/// from the TCP connect to the hello read (the session's start is on the service's ledger by
/// then); every connection stays open until the run ends. Returns (connect + hello, hello alone)
/// and the rate's seconds.
pub async fn connects(
    gateway: SocketAddr,
    proto: &Proto,
    count: usize,
    concurrency: usize,
    sources: &Sources,
) -> anyhow::Result<(Latencies, Latencies, f64, u32)> {
    let concurrency = concurrency.max(1);
    let turns = Turns::new(count, concurrency);
    let start = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..concurrency {
        let (turns, sources, proto) = (turns.clone(), sources.clone(), proto.clone());
        workers.push(tokio::task::spawn_local(async move {
            let (mut both, mut hellos) = (Latencies::default(), Latencies::default());
            let mut open = Vec::new();
            let mut lost = 0;
            loop {
                let Some((i, measured)) = turns.take() else {
                    return Ok::<_, anyhow::Error>((both, hellos, open, lost));
                };
                let source = sources.get(i);
                let (connect, hello, client) = match &proto {
                    Proto::Json => {
                        let (c, wasted, n) = retrying(|| Client::connect(gateway, source)).await?;
                        lost += n;
                        (c.connect_time + wasted, c.hello_time, Open::Json(c))
                    }
                    Proto::Maple(version) => {
                        let (c, wasted, n) =
                            retrying(|| GameClient::connect(gateway, source, version)).await?;
                        lost += n;
                        (c.connect_time + wasted, c.hello_time, Open::Maple(c))
                    }
                };
                if measured {
                    both.push(connect + hello);
                    hellos.push(hello);
                }
                open.push(client);
            }
        }));
    }
    let (mut both, mut hellos) = (Latencies::default(), Latencies::default());
    let mut clients = Vec::new();
    let mut lost = 0;
    for w in workers {
        let (b, h, open, n) = w.await??;
        lost += n;
        both.extend(b);
        hellos.extend(h);
        clients.extend(open);
    }
    let seconds = turns
        .measured_from()
        .unwrap_or(start)
        .elapsed()
        .as_secs_f64();
    drop(clients);
    Ok((both, hellos, seconds, lost))
}
