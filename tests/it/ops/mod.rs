//! Operating it: the Kubernetes manifests (config/kubernetes/), the container image
//! (config/docker/Dockerfile) and the Grafana dashboard (config/grafana/) checked against the
//! code's defaults, config/default.env and config/service.json ([`manifests`]); and every metric
//! the dashboard queries found in `/metrics` of a running service ([`dashboard`]). Here: readers
//! of those files shared by both.

mod dashboard;
mod manifests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use login_orchestrator::config::{Env, ServiceConfig};
use serde_json::{json, Value};
use uuid::Uuid;
use yaml_rust2::{Yaml, YamlLoader};

const NAMESPACE: &str = "atlas";
const ENV_CONFIGMAP: &str = "login-orchestrator-env";
const SERVICE_CONFIGMAP: &str = "login-orchestrator-service";
const DEPLOYMENT: &str = "login-orchestrator";
const CLUSTER_SERVICE: &str = "login-orchestrator";
const LB_SERVICE: &str = "login-orchestrator-lb";

fn repo(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// A YAML node as JSON (mapping keys must be strings), to navigate with `[]` and pointers.
fn to_json(node: &Yaml) -> Value {
    match node {
        Yaml::Hash(h) => Value::Object(
            h.iter()
                .map(|(k, v)| match k {
                    Yaml::String(k) => (k.clone(), to_json(v)),
                    other => panic!("a mapping key that is not a string: {other:?}"),
                })
                .collect(),
        ),
        Yaml::Array(a) => Value::Array(a.iter().map(to_json).collect()),
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => json!(i),
        Yaml::Real(r) => json!(r.parse::<f64>().unwrap()),
        Yaml::Boolean(b) => json!(b),
        Yaml::Null => Value::Null,
        other => panic!("unexpected YAML node {other:?}"),
    }
}

/// Every document of every manifest, with its file name, in file order.
fn manifests() -> Vec<(String, Value)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("config/kubernetes"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut docs = Vec::new();
    for path in files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name.ends_with(".yaml"), "not a manifest: {name}");
        let text = std::fs::read_to_string(&path).unwrap();
        let loaded = YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        docs.extend(loaded.iter().map(|d| (name.clone(), to_json(d))));
    }
    docs
}

fn object(kind: &str, name: &str) -> Value {
    manifests()
        .into_iter()
        .map(|(_, d)| d)
        .find(|d| d["kind"] == kind && d["metadata"]["name"] == name)
        .unwrap_or_else(|| panic!("no {kind} {name} in config/kubernetes/"))
}

fn container() -> Value {
    object("Deployment", DEPLOYMENT)["spec"]["template"]["spec"]["containers"][0].clone()
}

/// The environment ConfigMap's data, every value a string.
fn configmap_env() -> BTreeMap<String, String> {
    let data = object("ConfigMap", ENV_CONFIGMAP)["data"].clone();
    let data = data.as_object().expect("the ConfigMap has data");
    data.iter()
        .map(|(k, v)| {
            let v = v.as_str().unwrap_or_else(|| {
                panic!("{ENV_CONFIGMAP}: {k} must be a string (quote it), got {v}")
            });
            (k.clone(), v.to_owned())
        })
        .collect()
}

/// `NAME` of a line `NAME=value` or `# NAME=value` of config/default.env, with its value when
/// the line is not a comment.
fn default_env() -> BTreeMap<String, Option<String>> {
    let mut vars = BTreeMap::new();
    for line in read("config/default.env").lines() {
        let commented = line.trim_start().starts_with('#');
        let Some((name, value)) = line.trim_start_matches('#').trim().split_once('=') else {
            continue;
        };
        let is_name = name.starts_with(|c: char| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if is_name && !name.starts_with("KAFKA_") {
            let value = (!commented).then(|| value.to_owned());
            vars.insert(name.to_owned(), value);
        }
    }
    vars
}

/// The runtime stage's instructions (after the last FROM), continuation lines joined.
fn dockerfile_runtime() -> Vec<(String, String)> {
    let text = read("config/docker/Dockerfile");
    let mut steps = Vec::new();
    let mut pending = String::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || (line.is_empty() && pending.is_empty()) {
            continue;
        }
        if let Some(part) = line.strip_suffix('\\') {
            pending.push_str(part);
            pending.push(' ');
            continue;
        }
        pending.push_str(line);
        let (word, rest) = pending.split_once(' ').unwrap_or((&pending, ""));
        if word.eq_ignore_ascii_case("FROM") {
            steps.clear();
        }
        steps.push((word.to_ascii_uppercase(), rest.trim().to_owned()));
        pending.clear();
    }
    steps
}

fn dockerfile(word: &str) -> Vec<String> {
    dockerfile_runtime()
        .into_iter()
        .filter(|(w, _)| w == word)
        .map(|(_, rest)| rest)
        .collect()
}

fn tenant_ports() -> Vec<u16> {
    let service = ServiceConfig::load(&repo("config/service.json")).expect("config/service.json");
    service.tenants.iter().map(|t| t.port).collect()
}

/// The code's default admin port (ADMIN_ADDRESS unset).
fn admin_port() -> u16 {
    let vars = [("SERVICE_ID".to_owned(), Uuid::new_v4().to_string())];
    Env::from_vars(vars).unwrap().admin_address.port()
}
