//! The dashboard (config/grafana/login-orchestrator.json): the metric names its PromQL reads,
//! all of src/metrics.rs and nothing else, each found in `/metrics` of a running service.

use std::collections::BTreeSet;

use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};
use uuid::Uuid;

use super::{container, read};
use crate::helpers::*;
use crate::world::World;

/// The metric names a PromQL expression reads: `login_...` identifiers outside string literals.
fn promql_metric_names(expr: &str) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    let mut chars = expr.chars().peekable();
    let mut word = String::new();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == ':';
    let mut flush = |word: &mut String| {
        if word.starts_with("login_")
            && word[6..]
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '_')
        {
            names.insert(word.clone());
        }
        word.clear();
    };
    while let Some(c) = chars.next() {
        if matches!(c, '"' | '\'' | '`') {
            flush(&mut word);
            while let Some(d) = chars.next() {
                if d == '\\' {
                    chars.next();
                } else if d == c {
                    break;
                }
            }
        } else if ident(c) && !(word.is_empty() && c == '$') {
            word.push(c);
        } else {
            flush(&mut word);
            if c == '$' {
                // A Grafana variable such as $__rate_interval: skip its name.
                while chars.peek().is_some_and(|d| ident(*d)) {
                    chars.next();
                }
            }
        }
    }
    flush(&mut word);
    names
}

/// The metrics src/metrics.rs exports (its `const NAME: &str = "login_..."` names) and which
/// of them are histograms (`describe_histogram!(NAME, ...)`), read from the source: the module
/// is the crate's own.
struct Exported {
    names: BTreeSet<String>,
    histograms: BTreeSet<String>,
}

impl Exported {
    fn read() -> Exported {
        let source = read("src/metrics.rs");
        let mut consts = Vec::new();
        for line in source.lines() {
            let Some((head, value)) = line.split_once(": &str = \"") else {
                continue;
            };
            let (Some(ident), Some(name)) =
                (head.split_whitespace().last(), value.strip_suffix("\";"))
            else {
                continue;
            };
            if head.contains("const ") && name.starts_with("login_") {
                consts.push((ident.to_owned(), name.to_owned()));
            }
        }
        let described: Vec<&str> = source
            .split("describe_histogram!(")
            .skip(1)
            .filter_map(|rest| rest.split([',', ')']).next())
            .map(str::trim)
            .collect();
        let histograms: BTreeSet<String> = consts
            .iter()
            .filter(|(ident, _)| described.contains(&ident.as_str()))
            .map(|(_, name)| name.clone())
            .collect();
        let names: BTreeSet<String> = consts.into_iter().map(|(_, name)| name).collect();
        assert!(
            names.len() >= 9 && !histograms.is_empty(),
            "src/metrics.rs read: {names:?}, {histograms:?}"
        );
        Exported { names, histograms }
    }

    /// The exported metric a queried series belongs to (a histogram's `_bucket`, `_sum`, `_count`).
    fn metric_of<'a>(&'a self, series: &'a str) -> &'a str {
        for suffix in ["_bucket", "_sum", "_count"] {
            if let Some(base) = series
                .strip_suffix(suffix)
                .filter(|b| self.histograms.contains(*b))
            {
                return base;
            }
        }
        series
    }
}

/// Every query of the dashboard: panel targets' `expr`, template variables' queries.
fn dashboard_queries() -> Vec<String> {
    fn walk(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                for (k, v) in o {
                    match (k.as_str(), v) {
                        ("expr" | "query" | "definition", Value::String(s)) => out.push(s.clone()),
                        _ => walk(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| walk(v, out)),
            _ => {}
        }
    }
    let dashboard: Value =
        serde_json::from_str(&read("config/grafana/login-orchestrator.json")).unwrap();
    let mut out = Vec::new();
    walk(&dashboard, &mut out);
    out.retain(|q| q != "prometheus"); // the data source variable's type
    out
}

fn dashboard_series() -> BTreeSet<String> {
    dashboard_queries()
        .iter()
        .flat_map(|q| promql_metric_names(q))
        .collect()
}

#[test]
fn metric_names_are_read_from_promql_outside_strings_and_variables() {
    let expr = r#"histogram_quantile(0.99, sum by (le) (rate(login_login_duration_seconds_bucket{tenant=~"login_not_a_metric", instance=~"$instance"}[$__rate_interval]))) / on() sum(login_sessions_active) + label_values(login_consumer_lag, topic) + rate(xlogin_fake_total[5m])"#;
    let names: Vec<String> = promql_metric_names(expr).into_iter().collect();
    assert_eq!(
        names,
        [
            "login_consumer_lag",
            "login_login_duration_seconds_bucket",
            "login_sessions_active"
        ]
    );
    let exported = Exported::read();
    assert!(exported
        .histograms
        .contains("login_produce_duration_seconds"));
    assert_eq!(
        exported.metric_of("login_produce_duration_seconds_count"),
        "login_produce_duration_seconds"
    );
    assert_eq!(
        exported.metric_of("login_logins_total"),
        "login_logins_total"
    );
    assert_eq!(
        exported.metric_of("login_logins_total_count"),
        "login_logins_total_count"
    );
}

#[test]
fn the_dashboard_shows_every_exported_metric_and_no_other() {
    let exported = Exported::read();
    let series = dashboard_series();
    let shown: BTreeSet<String> = series
        .iter()
        .map(|s| exported.metric_of(s).to_owned())
        .collect();
    for name in &shown {
        assert!(
            exported.names.contains(name),
            "the dashboard queries {name}, which src/metrics.rs does not export"
        );
    }
    assert_eq!(
        shown, exported.names,
        "config/grafana/login-orchestrator.json should show every metric of src/metrics.rs"
    );
}

/// Connects from 127.0.0.1 and expects the refusal of MAX_SESSIONS_PER_IP.
async fn expect_refused(addr: std::net::SocketAddr) {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let mut line = String::new();
    tokio::time::timeout(DEADLINE, BufReader::new(stream).read_line(&mut line))
        .await
        .expect("the refusal in time")
        .unwrap();
    let refusal: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(
        (&refusal["event"], &refusal["code"]),
        (&json!("error"), &json!("UNAVAILABLE"))
    );
}

#[actix_rt::test]
async fn every_metric_the_dashboard_queries_is_in_metrics_of_a_running_service() {
    let (tenant, game_tenant) = (Uuid::new_v4().to_string(), Uuid::new_v4().to_string());
    // The JSON-lines tenant, and a game-socket tenant for the game's own metrics.
    let mut service: Value = serde_json::from_str(&service_json_for(&tenant, None)).unwrap();
    service["tenants"]
        .as_array_mut()
        .unwrap()
        .push(json!({"id": game_tenant,
        "region": "GMS", "majorVersion": 83, "minorVersion": 1, "port": 0, "protocol": "maple"}));
    let mut w = World::start(true, &service.to_string(), &[("MAX_SESSIONS_PER_IP", "1")]).await;
    let admin = w.app.as_ref().unwrap().admin;
    // What makes each metric appear: a login (sessions, logins and their latency, produced
    // messages and their latency, consumed events), a refusal, a session's end, a game packet
    // before login (dropped); the consumer lag comes with librdkafka's statistics every second.
    let mut c = w.client().await;
    assert_eq!(c.login("admin", "admin").await["event"], "login_ok");
    expect_refused(w.addr()).await;
    c.send(json!({"op":"logout"})).await;
    c.expect("bye").await;
    let game_addr = w.app.as_ref().unwrap().gateway[1];
    let version: maple_client::Version = "GMS/83/1".parse().unwrap();
    let (mut game, _) = maple_client::Client::connect(game_addr, version, DEADLINE)
        .await
        .expect("a game client's hello");
    game.send(0x0B, &[])
        .await
        .expect("a server-list request before login");

    // Only series of this test's own tenants or topics count (other tests share the recorder).
    let ours: Vec<String> = [tenant.clone(), game_tenant.clone()]
        .into_iter()
        .chain(w.topics.all())
        .map(|v| format!("=\"{v}\""))
        .collect();
    let series = dashboard_series();
    let missing = |body: &str| -> Vec<String> {
        series
            .iter()
            .filter(|s| {
                !body
                    .lines()
                    .any(|l| l.starts_with(&format!("{s}{{")) && ours.iter().any(|o| l.contains(o)))
            })
            .cloned()
            .collect()
    };
    assert!(
        series.len() >= 9,
        "the dashboard's series were found: {series:?}"
    );
    let end = std::time::Instant::now() + DEADLINE;
    let mut left = missing("");
    while !left.is_empty() && std::time::Instant::now() < end {
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        let (code, body) = admin_get(admin, "/metrics").await;
        assert_eq!(code, 200);
        left = missing(&body);
    }
    assert!(
        left.is_empty(),
        "/metrics lacks these series the dashboard queries (for this test's tenant and topics): {left:?}"
    );
    // The Deployment's probe paths answer on the admin listener of a ready service.
    let c = container();
    for probe in ["livenessProbe", "readinessProbe"] {
        let path = c[probe]["httpGet"]["path"].as_str().unwrap();
        assert_eq!(admin_get(admin, path).await.0, 200, "{probe} {path}");
    }
    w.shutdown().await;
}
