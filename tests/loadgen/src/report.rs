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

/// The results table (markdown), with ratios against the same run's baselines.
pub fn table(records: &BTreeMap<String, Record>) -> String {
    let get = |key: &str, name: &str| -> Option<f64> {
        records.get(key).and_then(|r| r.values.get(name)).copied()
    };
    let mut rows: Vec<Row> = Vec::new();
    let missing = || Row {
        figure: String::new(),
        result: "not measured".into(),
        baseline: "-".into(),
        ratio: "-".into(),
        goal: String::new(),
        verdict: "",
    };

    for (c, login, rtt) in [
        ("1", "login_c1", "rtt_c1"),
        ("200", "login_c200", "rtt_c200"),
    ] {
        for (p, name, goal) in [
            ("p50", "p50_ms", Some(1.3)),
            ("p99", "p99_ms", Some(1.3)),
            ("p99.9", "p999_ms", None),
        ] {
            let figure = format!("login round trip {p}, concurrency {c}");
            match (get(login, name), get(rtt, name)) {
                (Some(v), base) => {
                    let ratio = base.map(|b| v / b);
                    rows.push(Row {
                        figure,
                        result: fmt_ms(v),
                        baseline: base.map_or("-".into(), fmt_ms),
                        ratio: ratio.map_or("-".into(), |r| format!("{r:.2}x")),
                        goal: goal.map_or("-".into(), |g| format!("<= {g}x")),
                        verdict: verdict(goal.and_then(|g| ratio.map(|r| r <= g))),
                    })
                }
                (None, _) => rows.push(Row {
                    figure,
                    ..missing()
                }),
            }
        }
        let figure = format!("logins/s, concurrency {c}");
        match (get(login, "per_s"), get(rtt, "per_s")) {
            (Some(v), base) => rows.push(Row {
                figure,
                result: fmt_rate(v),
                baseline: base.map_or("-".into(), fmt_rate),
                ratio: base.map_or("-".into(), |b| format!("{:.2}x", v / b)),
                goal: "-".into(),
                verdict: "",
            }),
            (None, _) => rows.push(Row {
                figure,
                ..missing()
            }),
        }
    }

    for (key, drain, label, goal) in [
        (
            "routing",
            "routing_drain",
            "routing throughput (events/s)",
            0.8,
        ),
        (
            "filtering",
            "filtering_drain",
            "filtering throughput (events/s)",
            0.9,
        ),
    ] {
        let figure = label.to_owned();
        match (get(key, "per_s"), get(drain, "per_s")) {
            (Some(v), base) => {
                let ratio = base.map(|b| v / b);
                rows.push(Row {
                    figure,
                    result: format!(
                        "{} ({:.2} s)",
                        fmt_rate(v),
                        get(key, "seconds").unwrap_or(f64::NAN)
                    ),
                    baseline: base.map_or("-".into(), |b| {
                        format!(
                            "{} ({:.2} s)",
                            fmt_rate(b),
                            get(drain, "seconds").unwrap_or(f64::NAN)
                        )
                    }),
                    ratio: ratio.map_or("-".into(), |r| format!("{r:.2}x")),
                    goal: format!(">= {goal}x"),
                    verdict: verdict(ratio.map(|r| r >= goal)),
                });
            }
            (None, _) => rows.push(Row {
                figure,
                ..missing()
            }),
        }
    }

    if let Some(r) = records.get("memory") {
        let mut steps: Vec<(u64, f64)> = r
            .values
            .iter()
            .filter_map(|(k, v)| {
                let n = k.strip_prefix("bytes_per_session_at_")?.parse().ok()?;
                Some((n, *v))
            })
            .collect();
        steps.sort_by_key(|s| s.0);
        for (n, bytes) in steps {
            let kib = bytes / 1024.0;
            rows.push(Row {
                figure: format!("memory per idle session, {n} sessions"),
                result: format!("{kib:.2} KiB"),
                baseline: "-".into(),
                ratio: "-".into(),
                goal: "<= 4 KiB".into(),
                verdict: verdict(Some(kib <= 4.0)),
            });
        }
    } else {
        rows.push(Row {
            figure: "memory per idle session".into(),
            ..missing()
        });
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
            ..missing()
        }),
    }

    // A figure against a diagnostic baseline of its own (not the goal's).
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
        format!(
            "(diagnostic) routing against the client-write floor: the same number of lines written with no service or Kafka, one thread, one write per line, round-robin over {:.0} connections",
            get("routing_fanout", "connections").unwrap_or(f64::NAN)
        ),
        "routing",
        "routing_fanout",
    ));
    rows.extend(against(
        "(diagnostic) filtering against a bare drain that also assigns the service's two other consumed topics (idle), as the service's consumer does".into(),
        "filtering",
        "filtering_drain_3topics",
    ));
    for (c, key) in [("1", "login_c1_breakdown"), ("200", "login_c200_breakdown")] {
        if let Some(a) = get(key, "to_create_ms") {
            rows.push(Row {
                figure: format!(
                    "(diagnostic) login c={c}, median legs: request → CREATE sent; CREATE → CREATED (hop 1 + simulator); CREATED → login_ok (hop 2 + service)"
                ),
                result: format!(
                    "{} / {} / {}",
                    fmt_ms(a),
                    fmt_ms(get(key, "create_to_created_ms").unwrap_or(f64::NAN)),
                    fmt_ms(get(key, "created_to_ok_ms").unwrap_or(f64::NAN))
                ),
                baseline: "-".into(),
                ratio: "-".into(),
                goal: "-".into(),
                verdict: "",
            });
        }
    }
    for (c, key) in [("1", "rtt_serial_c1"), ("200", "rtt_serial_c200")] {
        if let Some(p50) = get(key, "p50_ms") {
            rows.push(Row {
                figure: format!(
                    "(diagnostic) two-hop shaped like the login (serial echo sending 2 awaited messages, client consumer of 3 topics / 12 partitions), c={c}: p50 / p99"
                ),
                result: format!(
                    "{} / {}",
                    fmt_ms(p50),
                    fmt_ms(get(key, "p99_ms").unwrap_or(f64::NAN))
                ),
                baseline: "-".into(),
                ratio: "-".into(),
                goal: "-".into(),
                verdict: "",
            });
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
    let notes: Vec<String> = records
        .values()
        .filter_map(|r| r.note.as_ref().map(|n| format!("- {}: {}", r.key, n)))
        .collect();
    if !notes.is_empty() {
        out.push_str("\nNotes:\n");
        for n in notes {
            out.push_str(&n);
            out.push('\n');
        }
    }
    out
}
