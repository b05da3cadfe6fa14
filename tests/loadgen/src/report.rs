//! Results: each measured figure is one JSON line in a results file; `table` renders them, with
//! each figure beside its baseline of the same run, as one markdown table.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// One measured figure.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Record {
    pub key: String,
    pub values: BTreeMap<String, f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Record {
    pub fn new(key: &str) -> Record {
        Record {
            key: key.to_owned(),
            ..Record::default()
        }
    }

    pub fn set(mut self, name: &str, value: f64) -> Record {
        self.values.insert(name.to_owned(), value);
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Record {
        self.note = Some(note.into());
        self
    }

    /// Appends the record to the results file and echoes it on stderr.
    pub fn append(&self, path: &Path) -> anyhow::Result<()> {
        let line = serde_json::to_string(self)?;
        eprintln!("loadgen: {line}");
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)?;
        writeln!(f, "{line}")?;
        Ok(())
    }
}

/// Reads a results file; the last record of a key wins.
pub fn load(path: &Path) -> anyhow::Result<BTreeMap<String, Record>> {
    let text = std::fs::read_to_string(path)?;
    let mut records = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let r: Record = serde_json::from_str(line)?;
        records.insert(r.key.clone(), r);
    }
    Ok(records)
}

struct Row {
    figure: String,
    result: String,
    baseline: String,
    ratio: String,
    goal: String,
    verdict: &'static str,
}

fn verdict(ok: Option<bool>) -> &'static str {
    match ok {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "",
    }
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "-".into()
    } else if v < 10.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn fmt_rate(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k/s", v / 1000.0)
    } else {
        format!("{v:.0}/s")
    }
}

/// A row of a figure against its same-run baseline: `lower` when smaller is better (latency,
/// memory; the goal is a ceiling), else the goal is a floor (rates).
struct Compare<'a> {
    figure: String,
    value: Option<f64>,
    base: Option<f64>,
    goal: Option<f64>,
    lower: bool,
    fmt: &'a dyn Fn(f64) -> String,
}

impl Compare<'_> {
    fn row(self) -> Row {
        let Some(v) = self.value else {
            return Row {
                figure: self.figure,
                result: "not measured".into(),
                baseline: "-".into(),
                ratio: "-".into(),
                goal: String::new(),
                verdict: "",
            };
        };
        let ratio = self.base.map(|b| v / b);
        let goal = self.goal.map_or("-".into(), |g| {
            format!("{} {g}x", if self.lower { "<=" } else { ">=" })
        });
        let ok = self
            .goal
            .and_then(|g| ratio.map(|r| if self.lower { r <= g } else { r >= g }));
        Row {
            figure: self.figure,
            result: (self.fmt)(v),
            baseline: self.base.map_or("-".into(), |b| (self.fmt)(b)),
            ratio: ratio.map_or("-".into(), |r| format!("{r:.2}x")),
            goal,
            verdict: verdict(ok),
        }
    }
}

fn info(figure: String, result: String) -> Row {
    Row {
        figure,
        result,
        baseline: "-".into(),
        ratio: "-".into(),
        goal: "-".into(),
        verdict: "",
    }
}

/// The results table (markdown), with ratios against the same run's baselines.
pub fn table(records: &BTreeMap<String, Record>) -> String {
    let get = |key: &str, name: &str| -> Option<f64> {
        records.get(key).and_then(|r| r.values.get(name)).copied()
    };
    let ms: &dyn Fn(f64) -> String = &fmt_ms;
    let rate: &dyn Fn(f64) -> String = &fmt_rate;
    let kib: &dyn Fn(f64) -> String = &|b: f64| format!("{:.2} KiB", b / 1024.0);
    let mut rows: Vec<Row> = Vec::new();
    let high = get("login_high", "concurrency")
        .or(get("peer_high", "concurrency"))
        .map_or("1000".to_owned(), |c| format!("{c:.0}"));

    // JSON-lines logins: latency against the bare two-hop, rate against the same peer.
    for (c, login, rtt, peer, p50_goal, p99_goal) in [
        ("1", "login_c1", "rtt_c1", "peer_c1", Some(1.3), Some(1.2)),
        (
            "200",
            "login_c200",
            "rtt_c200",
            "peer_c200",
            Some(1.3),
            Some(1.3),
        ),
    ] {
        for (p, name, goal) in [
            ("p50", "p50_ms", p50_goal),
            ("p99", "p99_ms", p99_goal),
            ("p99.9", "p999_ms", None),
        ] {
            rows.push(
                Compare {
                    figure: format!(
                        "login round trip {p}, concurrency {c} (baseline: bare two-hop)"
                    ),
                    value: get(login, name),
                    base: get(rtt, name),
                    goal,
                    lower: true,
                    fmt: ms,
                }
                .row(),
            );
        }
        rows.push(
            Compare {
                figure: format!(
                    "logins/s, concurrency {c} (each: connect, hello, login; baseline: the same peer without the service)"
                ),
                value: get(login, "per_s"),
                base: get(peer, "per_s"),
                goal: (c != "1").then_some(0.8),
                lower: false,
                fmt: rate,
            }
            .row(),
        );
    }
    if records.contains_key("login_high") || records.contains_key("peer_high") {
        for (p, name) in [("p50", "p50_ms"), ("p99", "p99_ms")] {
            rows.push(
                Compare {
                    figure: format!(
                        "login round trip {p}, concurrency {high} (baseline: the same peer without the service)"
                    ),
                    value: get("login_high", name),
                    base: get("peer_high", name),
                    goal: None,
                    lower: true,
                    fmt: ms,
                }
                .row(),
            );
        }
        rows.push(
            Compare {
                figure: format!(
                    "logins/s, concurrency {high} (baseline: the same peer without the service)"
                ),
                value: get("login_high", "per_s"),
                base: get("peer_high", "per_s"),
                goal: Some(0.8),
                lower: false,
                fmt: rate,
            }
            .row(),
        );
    }

    // The game socket against the JSON-lines gateway: the same window, connect to answer.
    if records.contains_key("game_c1") || records.contains_key("game_c200") {
        for (c, game, json) in [
            ("1", "game_c1", "login_c1"),
            ("200", "game_c200", "login_c200"),
        ] {
            for (p, name, goal) in [
                ("p50", "total_p50_ms", Some(1.1)),
                ("p99", "total_p99_ms", None),
            ] {
                rows.push(
                    Compare {
                        figure: format!(
                            "game socket login {p}, concurrency {c}: TCP connect + hello → AuthSuccess (baseline: JSON lines, connect + hello → login_ok)"
                        ),
                        value: get(game, name),
                        base: get(json, name),
                        goal,
                        lower: true,
                        fmt: ms,
                    }
                    .row(),
                );
            }
        }
        rows.push(
            Compare {
                figure: "game socket logins/s, concurrency 200 (baseline: JSON lines)".into(),
                value: get("game_c200", "per_s"),
                base: get("login_c200", "per_s"),
                goal: None,
                lower: false,
                fmt: rate,
            }
            .row(),
        );
    }

    // The durable session start: connect → hello against a TCP connect + an awaited produce.
    for key in ["connect_c1", "connect_c200"] {
        if !records.contains_key(key) {
            continue;
        }
        let c = get(key, "concurrency").unwrap_or(f64::NAN);
        for (p, name) in [("p50", "p50_ms"), ("p99", "p99_ms")] {
            rows.push(
                Compare {
                    figure: format!(
                        "connect → hello {p}, concurrency {c:.0} (the session's start on the ledger first; baseline: TCP connect + one awaited produce to the same broker)"
                    ),
                    value: get(key, name),
                    base: get(&format!("{key}_floor"), name),
                    goal: None,
                    lower: true,
                    fmt: ms,
                }
                .row(),
            );
        }
    }

    // Cost as work grows.
    let at = |key: &str| {
        get(key, "per_s").map_or("-".into(), |r| {
            format!(
                "{} (p99 {})",
                fmt_rate(r),
                fmt_ms(get(key, "p99_ms").unwrap_or(f64::NAN))
            )
        })
    };
    if records.contains_key("login_c1") {
        rows.push(info(
            format!("logins/s (login p99) at 1 / 200 / {high} clients"),
            format!(
                "{} / {} / {}",
                at("login_c1"),
                at("login_c200"),
                at("login_high")
            ),
        ));
        rows.push(info(
            format!(
                "(baseline of the above) the same peer without the service at 1 / 200 / {high}"
            ),
            format!(
                "{} / {} / {}",
                at("peer_c1"),
                at("peer_c200"),
                at("peer_high")
            ),
        ));
    }

    // Throughput: routing against its real limit, the client-write floor.
    rows.push(
        Compare {
            figure: format!(
                "routing throughput (events/s; baseline: the client-write floor, the same lines written with no service or Kafka, one thread, one write per line, round-robin over {:.0} connections)",
                get("routing_fanout", "connections").unwrap_or(f64::NAN)
            ),
            value: get("routing", "per_s"),
            base: get("routing_fanout", "per_s"),
            goal: Some(0.95),
            lower: false,
            fmt: rate,
        }
        .row(),
    );
    rows.push(
        Compare {
            figure: "filtering throughput (events/s; baseline: bare drain)".into(),
            value: get("filtering", "per_s"),
            base: get("filtering_drain", "per_s"),
            goal: Some(0.9),
            lower: false,
            fmt: rate,
        }
        .row(),
    );

    // Memory per idle session: JSON lines, then the game socket beside it.
    let steps = |key: &str| -> Vec<(u64, f64)> {
        let mut v: Vec<(u64, f64)> = records
            .get(key)
            .map(|r| {
                r.values
                    .iter()
                    .filter_map(|(k, v)| {
                        let n = k.strip_prefix("bytes_per_session_at_")?.parse().ok()?;
                        Some((n, *v))
                    })
                    .collect()
            })
            .unwrap_or_default();
        v.sort_by_key(|s| s.0);
        v
    };
    let json_steps = steps("memory");
    if json_steps.is_empty() {
        rows.push(
            Compare {
                figure: "memory per idle session".into(),
                value: None,
                base: None,
                goal: None,
                lower: true,
                fmt: kib,
            }
            .row(),
        );
    }
    let within = |figure: String, v: f64, base: Option<f64>| {
        let mut row = Compare {
            figure,
            value: Some(v),
            base,
            goal: None,
            lower: true,
            fmt: kib,
        }
        .row();
        row.goal = "<= 4 KiB".into();
        row.verdict = verdict(Some(v / 1024.0 <= 4.0));
        row
    };
    for &(n, bytes) in &json_steps {
        rows.push(within(
            format!("memory per idle session, {n} JSON-lines sessions"),
            bytes,
            None,
        ));
    }
    let game_steps = steps("memory_game");
    for &(n, bytes) in &game_steps {
        let base = json_steps.iter().find(|s| s.0 == n).map(|s| s.1);
        rows.push(within(
            format!(
                "memory per idle game session, {n} sessions (beside: JSON lines at the same count)"
            ),
            bytes,
            base,
        ));
    }
    // What each further session costs between two steps (the fixed costs of the first sessions
    // left out: allocator arenas, pooled REST connections, ...).
    for (what, list) in [("JSON-lines", &json_steps), ("game", &game_steps)] {
        let marginal: Vec<String> = list
            .windows(2)
            .map(|w| {
                let (a, b) = (w[0], w[1]);
                let per = (b.1 * b.0 as f64 - a.1 * a.0 as f64) / (b.0 - a.0) as f64;
                format!("{}→{}: {:.2} KiB", a.0, b.0, per / 1024.0)
            })
            .collect();
        if !marginal.is_empty() {
            rows.push(info(
                format!("(diagnostic) memory per further idle {what} session, between steps"),
                marginal.join(" / "),
            ));
        }
    }

    match get("shutdown", "seconds") {
        Some(s) => rows.push(Row {
            figure: format!(
                "shutdown drain, {} sessions",
                get("shutdown", "sessions").unwrap_or(f64::NAN)
            ),
            result: format!("{s:.2} s"),
            baseline: "-".into(),
            ratio: "-".into(),
            goal: "<= 2 s".into(),
            verdict: verdict(Some(
                s <= 2.0 && get("shutdown", "destroyed") == get("shutdown", "sessions"),
            )),
        }),
        None => rows.push(Row {
            figure: "shutdown drain".into(),
            result: "not measured".into(),
            baseline: "-".into(),
            ratio: "-".into(),
            goal: String::new(),
            verdict: "",
        }),
    }

    // Diagnostics.
    let against = |figure: String, key: &str, base: &str| -> Option<Row> {
        let (v, b) = (get(key, "per_s")?, get(base, "per_s")?);
        Some(Row {
            figure,
            result: fmt_rate(v),
            baseline: format!(
                "{} ({:.2} s)",
                fmt_rate(b),
                get(base, "seconds").unwrap_or(f64::NAN)
            ),
            ratio: format!("{:.2}x", v / b),
            goal: "-".into(),
            verdict: "",
        })
    };
    rows.extend(against(
        "(diagnostic) routing against the bare drain of the same events".into(),
        "routing",
        "routing_drain",
    ));
    rows.extend(against(
        "(diagnostic) filtering against a bare drain that also assigns the service's two other consumed topics (idle), as the service's consumer does".into(),
        "filtering",
        "filtering_drain_3topics",
    ));
    for (what, key) in [
        ("login c=1", "login_c1"),
        ("login c=200", "login_c200"),
        (&*format!("login c={high}"), "login_high"),
        ("game login c=1", "game_c1"),
        ("game login c=200", "game_c200"),
    ] {
        let Some(connect) = get(key, "connect_p50_ms") else {
            continue;
        };
        let b = format!("{key}_breakdown");
        rows.push(info(
            format!(
                "(diagnostic) {what}, median legs: TCP connect; hello (ledger record); request → CREATE sent; CREATE → CREATED (hop 1 + simulator); CREATED → answer (hop 2 + service)"
            ),
            format!(
                "{} / {} / {} / {} / {}",
                fmt_ms(connect),
                fmt_ms(get(key, "hello_p50_ms").unwrap_or(f64::NAN)),
                fmt_ms(get(&b, "to_create_ms").unwrap_or(f64::NAN)),
                fmt_ms(get(&b, "create_to_created_ms").unwrap_or(f64::NAN)),
                fmt_ms(get(&b, "created_to_ok_ms").unwrap_or(f64::NAN)),
            ),
        ));
    }
    for (what, login, shape) in [
        ("200", "login_c200", "shape_c200"),
        (&*high, "login_high", "shape_high"),
    ] {
        rows.extend(against(
            format!(
                "(diagnostic) logins/s, concurrency {what}, against a bare client of the service's shape: the same peer, and also the two ledger records (awaited) and the session CREATED, no TCP client and no service"
            ),
            login,
            shape,
        ));
    }
    let cpu = |key: &str| -> Option<String> {
        let r = records.get(key)?;
        let parts: Vec<String> = r
            .values
            .iter()
            .filter_map(|(k, v)| Some(format!("{} {v:.0}", k.strip_prefix("cpu_us_")?)))
            .collect();
        let total: f64 = r
            .values
            .iter()
            .filter(|(k, _)| k.starts_with("cpu_us_"))
            .map(|(_, v)| v)
            .sum();
        (!parts.is_empty()).then(|| format!("{} = {total:.0} µs", parts.join(" + ")))
    };
    let same_peer = "the same peer without the service";
    let shaped = "the bare client of the service's shape";
    for (what, login, peer, base) in [
        ("200", "login_c200", "peer_c200", same_peer),
        (&*high, "login_high", "peer_high", same_peer),
        ("200", "login_c200", "shape_c200", shaped),
    ] {
        if let (Some(a), Some(b)) = (cpu(login), cpu(peer)) {
            rows.push(Row {
                figure: format!(
                    "(diagnostic) CPU per login by process, concurrency {what} (baseline: {base})"
                ),
                result: a,
                baseline: b,
                ratio: "-".into(),
                goal: "-".into(),
                verdict: "",
            });
        }
    }
    if let Some(a) = cpu("game_c200") {
        rows.push(info(
            "(diagnostic) CPU per game login by process, concurrency 200".into(),
            a,
        ));
    }
    for (c, key) in [("1", "rtt_serial_c1"), ("200", "rtt_serial_c200")] {
        if let Some(p50) = get(key, "p50_ms") {
            rows.push(info(
                format!(
                    "(diagnostic) two-hop shaped like the login (serial echo sending 2 awaited messages, client consumer of 3 topics / 12 partitions), c={c}: p50 / p99"
                ),
                format!(
                    "{} / {}",
                    fmt_ms(p50),
                    fmt_ms(get(key, "p99_ms").unwrap_or(f64::NAN))
                ),
            ));
        }
    }

    let mut out = String::new();
    out.push_str("| figure | result | baseline (same run) | ratio | goal | |\n");
    out.push_str("|---|---|---|---|---|---|\n");
    for r in rows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            r.figure, r.result, r.baseline, r.ratio, r.goal, r.verdict
        );
    }
    let mut notes: Vec<String> = records
        .values()
        .filter_map(|r| r.note.as_ref().map(|n| format!("- {}: {}", r.key, n)))
        .collect();
    let lost: Vec<String> = records
        .values()
        .filter(|r| !r.key.contains('#'))
        .filter_map(|r| {
            let n = *r.values.get("lost")?;
            (n > 0.0).then(|| format!("{} {n:.0}", r.key))
        })
        .collect();
    if !lost.is_empty() {
        notes.push(format!(
            "- connections that never said hello within 5 s and were made again (their time counts in the connect leg): {}",
            lost.join(", ")
        ));
    }
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}
