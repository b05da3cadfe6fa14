//! The manifests and the image against the code: kinds, ports, probes, scraping, the
//! ConfigMaps against config/default.env and config/service.json, one pod per SERVICE_ID, the
//! shutdown budget, the memory budget.

use std::collections::BTreeSet;

use login_orchestrator::config::{Env, KNOWN_VARS};
use serde_json::Value;

use super::*;

/// Variables of config/default.env deliberately not in the ConfigMap, and where they are.
const LEFT_OUT: &[(&str, &str)] = &[(
    "SERVICE_ID",
    "one per instance: the Deployment's env, never shared",
)];
/// ConfigMap variables the code does not read yet, and why they are there already.
const PENDING: &[(&str, &str)] = &[];
/// ConfigMap values that differ from config/default.env on purpose.
const OVERRIDES: &[(&str, &str, &str)] = &[
    (
        "BOOTSTRAP_SERVERS",
        "kafka:9092",
        "a cluster, never the embedded broker",
    ),
    (
        "SERVICE_CONFIG",
        "/etc/login-orchestrator/service.json",
        "the mounted ConfigMap",
    ),
    (
        "GATEWAY_BIND_ADDRESS",
        "0.0.0.0",
        "clients connect from beyond the pod",
    ),
    (
        "ADMIN_ADDRESS",
        "0.0.0.0:9464",
        "the kubelet and Prometheus, from beyond the pod",
    ),
    (
        "EMBEDDED_ACCOUNT_SIM",
        "false",
        "no simulator in a cluster, even by mistake",
    ),
    (
        "EMBEDDED_ATLAS_SIM",
        "false",
        "no REST simulator in a cluster, even by mistake",
    ),
    (
        "BASE_SERVICE_URL",
        "http://atlas-ingress.atlas.svc.cluster.local:80/api/",
        "Atlas's ingress in the cluster",
    ),
    ("LOG_FORMAT", "json", "for the cluster's log collector"),
];
/// The drain's upper bound (issue 16 item 4: DRAIN_DEADLINE_MS at most 5000).
const DRAIN_MAX_SECONDS: u64 = 5;
/// Shutdown steps bounded by SHUTDOWN_STEP_TIMEOUT_MS (src/app.rs): sessions' end, producer
/// flush, offset commit.
const SHUTDOWN_STEPS: u64 = 3;
/// Teardown after the steps: clients stopped, process exit.
const TEARDOWN_SECONDS: u64 = 5;
/// BENCHMARKS.md: memory per idle session; the idle process (measured); librdkafka's consumer
/// prefetch (queued.max.messages.kbytes) plus one fetch in flight (fetch.max.bytes).
const KIB_PER_IDLE_SESSION: f64 = 3.9;
const IDLE_PROCESS_MIB: f64 = 12.0;
const KAFKA_BUFFERS_MIB: f64 = 64.0 + 50.0;

fn ports(list: &Value, port_key: &str) -> BTreeSet<(String, u64)> {
    list.as_array()
        .expect("a list of ports")
        .iter()
        .map(|p| {
            assert_eq!(p["protocol"], "TCP", "{p}");
            (
                p["name"].as_str().unwrap().to_owned(),
                p[port_key].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_manifest_parses_as_the_expected_kinds() {
    let found: Vec<(String, String, String, String)> = manifests()
        .into_iter()
        .map(|(file, d)| {
            assert_eq!(d["metadata"]["namespace"], NAMESPACE, "{file}: {d}");
            let s = |v: &Value| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{file}: {d}"))
                    .to_owned()
            };
            let (api, kind, name) = (
                s(&d["apiVersion"]),
                s(&d["kind"]),
                s(&d["metadata"]["name"]),
            );
            (file, api, kind, name)
        })
        .collect();
    let expected = [
        ("configmap.yaml", "v1", "ConfigMap", ENV_CONFIGMAP),
        ("configmap.yaml", "v1", "ConfigMap", SERVICE_CONFIGMAP),
        ("deployment.yaml", "apps/v1", "Deployment", DEPLOYMENT),
        ("service.yaml", "v1", "Service", CLUSTER_SERVICE),
        ("service.yaml", "v1", "Service", LB_SERVICE),
    ]
    .map(|(f, a, k, n)| (f.to_owned(), a.to_owned(), k.to_owned(), n.to_owned()));
    assert_eq!(found, expected);
}

#[test]
fn ports_are_the_service_files_tenant_ports_and_the_admin_port() {
    let (tenants, admin) = (tenant_ports(), admin_port());
    let hint = format!(
        "config/service.json's tenants listen on {tenants:?} and the admin port is {admin}: \
         update the ports of config/kubernetes/deployment.yaml and service.yaml (both Services, \
         ports named tenant-<port>), the service file in configmap.yaml and EXPOSE in \
         config/docker/Dockerfile"
    );
    let tenant_set: BTreeSet<(String, u64)> = tenants
        .iter()
        .map(|p| (format!("tenant-{p}"), u64::from(*p)))
        .collect();
    let mut all = tenant_set.clone();
    all.insert(("admin".to_owned(), u64::from(admin)));

    assert_eq!(ports(&container()["ports"], "containerPort"), all, "{hint}");
    for (name, expected) in [(CLUSTER_SERVICE, &all), (LB_SERVICE, &tenant_set)] {
        let list = &object("Service", name)["spec"]["ports"];
        assert_eq!(&ports(list, "port"), expected, "Service {name}: {hint}");
        for p in list.as_array().unwrap() {
            assert_eq!(
                p["targetPort"], p["name"],
                "Service {name} targets the named port: {p}"
            );
        }
    }
    let exposed: BTreeSet<u64> = dockerfile("EXPOSE")
        .iter()
        .flat_map(|l| l.split_whitespace().map(|p| p.parse().unwrap()))
        .collect();
    assert_eq!(exposed, all.iter().map(|(_, p)| *p).collect(), "{hint}");
}

#[test]
fn probes_and_scraping_use_the_admin_listener() {
    let c = container();
    let admin = admin_port().to_string();
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    for probe in ["livenessProbe", "readinessProbe"] {
        assert_eq!(
            c[probe]["httpGet"]["port"], "admin",
            "{probe} on the admin port"
        );
    }
    let annotations =
        &object("Deployment", DEPLOYMENT)["spec"]["template"]["metadata"]["annotations"];
    assert_eq!(annotations["prometheus.io/scrape"], "true");
    assert_eq!(annotations["prometheus.io/port"], admin.as_str());
    assert_eq!(annotations["prometheus.io/path"], "/metrics");
    let env = configmap_env();
    assert!(
        env["ADMIN_ADDRESS"].ends_with(&format!(":{admin}")),
        "{}",
        env["ADMIN_ADDRESS"]
    );
}

#[test]
fn the_configmap_carries_every_variable_of_default_env() {
    let (documented, env) = (default_env(), configmap_env());
    let left_out: BTreeSet<&str> = LEFT_OUT.iter().map(|(n, _)| *n).collect();
    let pending: BTreeSet<&str> = PENDING.iter().map(|(n, _)| *n).collect();
    for name in documented.keys().filter(|n| !left_out.contains(n.as_str())) {
        assert!(
            env.contains_key(name),
            "config/default.env documents {name} but {ENV_CONFIGMAP} (config/kubernetes/configmap.yaml) \
             lacks it: add it there, or to LEFT_OUT in tests/it/ops.rs with the reason"
        );
    }
    for name in env.keys() {
        assert!(
            documented.contains_key(name)
                || pending.contains(name.as_str())
                || name.starts_with("KAFKA_"),
            "{ENV_CONFIGMAP} sets {name}, which config/default.env does not document"
        );
        assert!(
            !left_out.contains(name.as_str()),
            "{name} is left out of the ConfigMap on purpose"
        );
    }
    for (name, why) in PENDING {
        assert!(
            !KNOWN_VARS.contains(name),
            "{name} ({why}) is read by the code now: drop it from PENDING in tests/it/ops.rs"
        );
    }
    for (name, default) in &documented {
        let Some(value) = env.get(name) else { continue };
        match (OVERRIDES.iter().find(|(n, ..)| n == name), default) {
            (Some((_, wanted, why)), _) => {
                assert_eq!(value, wanted, "{name}: {why}");
                assert_ne!(Some(*wanted), default.as_deref(), "{name} is no override");
            }
            (None, Some(default)) => {
                assert_eq!(value, default, "{name}: the default of config/default.env")
            }
            (None, None) => assert_eq!(
                value, "",
                "{name} has no default: empty (unset) or an override"
            ),
        }
    }
    // The image sets the same listening addresses.
    for env_line in dockerfile("ENV") {
        for pair in env_line.split_whitespace() {
            let (name, value) = pair.split_once('=').unwrap();
            assert_eq!(
                env[name], value,
                "the Dockerfile's ENV {name} and the ConfigMap's"
            );
        }
    }
}

#[test]
fn the_configmap_and_the_deployment_make_a_valid_configuration() {
    let mut vars: Vec<(String, String)> = configmap_env().into_iter().collect();
    let service_id = container()["env"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "SERVICE_ID")
        .map(|e| e["value"].as_str().unwrap().to_owned())
        .expect("SERVICE_ID in the Deployment's env");
    vars.push(("SERVICE_ID".into(), service_id));
    let env = Env::from_vars(vars).expect("the pod's environment is a valid configuration");
    assert!(
        env.gateway_bind_address.is_unspecified(),
        "listen beyond the pod's loopback"
    );
    assert!(
        env.admin_address.ip().is_unspecified(),
        "listen beyond the pod's loopback"
    );
    assert!(
        env.bootstrap_servers.is_some(),
        "a cluster, not the embedded broker"
    );
    assert!(!env.embedded_account_sim);
}

#[test]
fn the_service_file_configmap_is_config_service_json_mounted_at_service_config() {
    let cm = object("ConfigMap", SERVICE_CONFIGMAP);
    let copy: Value = serde_json::from_str(cm["data"]["service.json"].as_str().unwrap()).unwrap();
    let original: Value = serde_json::from_str(&read("config/service.json")).unwrap();
    assert_eq!(
        copy, original,
        "{SERVICE_CONFIGMAP} (config/kubernetes/configmap.yaml) must be a copy of config/service.json"
    );
    let pod = object("Deployment", DEPLOYMENT)["spec"]["template"]["spec"].clone();
    let volume = &pod["volumes"][0];
    assert_eq!(volume["configMap"]["name"], SERVICE_CONFIGMAP);
    let mount = &container()["volumeMounts"][0];
    assert_eq!(mount["name"], volume["name"]);
    let path = format!(
        "{}/{}",
        mount["mountPath"].as_str().unwrap(),
        volume["configMap"]["items"][0]["path"].as_str().unwrap()
    );
    assert_eq!(configmap_env()["SERVICE_CONFIG"], path);
}

#[test]
fn one_pod_per_service_id_as_the_images_user() {
    let d = object("Deployment", DEPLOYMENT);
    let spec = &d["spec"];
    assert_eq!(spec["replicas"], 1, "one replica per SERVICE_ID");
    assert_eq!(
        spec["strategy"]["type"], "Recreate",
        "never two pods of one SERVICE_ID"
    );
    let pod = &spec["template"]["spec"];
    assert_eq!(
        pod["enableServiceLinks"], false,
        "injected KAFKA_* service links would reach librdkafka"
    );
    let labels = &spec["selector"]["matchLabels"];
    for (k, v) in labels.as_object().unwrap() {
        assert_eq!(
            &spec["template"]["metadata"]["labels"][k], v,
            "the template has the selector's labels"
        );
    }
    for name in [CLUSTER_SERVICE, LB_SERVICE] {
        assert_eq!(
            &object("Service", name)["spec"]["selector"],
            labels,
            "Service {name} selects the pod"
        );
    }
    assert_eq!(
        object("Service", LB_SERVICE)["spec"]["externalTrafficPolicy"],
        "Local",
        "client IPs for MAX_SESSIONS_PER_IP"
    );
    let c = container();
    assert_eq!(c["envFrom"][0]["configMapRef"]["name"], ENV_CONFIGMAP);
    assert_eq!(
        c["image"],
        format!("login-orchestrator:{}", env!("CARGO_PKG_VERSION")).as_str()
    );
    let user = dockerfile("USER");
    let (uid, gid) = user[0].split_once(':').unwrap();
    assert_ne!(uid, "0", "the image runs as a non-root user");
    assert_eq!(
        pod["securityContext"]["runAsUser"].to_string(),
        uid,
        "the image's USER"
    );
    assert_eq!(
        pod["securityContext"]["runAsGroup"].to_string(),
        gid,
        "the image's USER"
    );
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(c["securityContext"]["allowPrivilegeEscalation"], false);
}

#[test]
fn the_grace_period_covers_prestop_drain_and_every_shutdown_step() {
    let env = configmap_env();
    let step_ms: u64 = env["SHUTDOWN_STEP_TIMEOUT_MS"].parse().unwrap();
    let drain_ms: u64 = env["DRAIN_DEADLINE_MS"].parse().unwrap();
    assert!(
        drain_ms <= DRAIN_MAX_SECONDS * 1000,
        "DRAIN_DEADLINE_MS is at most 5000"
    );
    let command = &container()["lifecycle"]["preStop"]["exec"]["command"];
    assert_eq!(command[0], "sleep", "{command}");
    let pre_stop: u64 = command[1].as_str().unwrap().parse().unwrap();
    assert!(
        pre_stop >= 1,
        "a preStop pause while the endpoints are updated"
    );
    let needed =
        pre_stop + DRAIN_MAX_SECONDS + SHUTDOWN_STEPS * step_ms.div_ceil(1000) + TEARDOWN_SECONDS;
    let grace = object("Deployment", DEPLOYMENT)["spec"]["template"]["spec"]
        ["terminationGracePeriodSeconds"]
        .as_u64()
        .expect("terminationGracePeriodSeconds");
    assert!(
        grace >= needed,
        "terminationGracePeriodSeconds {grace} < preStop {pre_stop} + drain {DRAIN_MAX_SECONDS} + \
         {SHUTDOWN_STEPS} x {step_ms} ms + {TEARDOWN_SECONDS} = {needed}"
    );
}

/// "768Mi" in MiB.
fn mebibytes(quantity: &str) -> f64 {
    let units = [("Ki", 1.0 / 1024.0), ("Mi", 1.0), ("Gi", 1024.0)];
    let (number, factor) = units
        .iter()
        .find_map(|(u, f)| quantity.strip_suffix(u).map(|n| (n, *f)))
        .unwrap_or_else(|| panic!("a quantity in Ki, Mi or Gi: {quantity}"));
    number.parse::<f64>().unwrap() * factor
}

#[test]
fn the_memory_limit_fits_max_sessions_idle_sessions() {
    let resources = &container()["resources"];
    let limit = mebibytes(resources["limits"]["memory"].as_str().unwrap());
    let request = mebibytes(resources["requests"]["memory"].as_str().unwrap());
    let max_sessions: f64 = configmap_env()["MAX_SESSIONS"].parse().unwrap();
    let needed =
        IDLE_PROCESS_MIB + KAFKA_BUFFERS_MIB + max_sessions * KIB_PER_IDLE_SESSION / 1024.0;
    assert!(
        limit >= needed,
        "memory limit {limit} MiB < {needed:.0} MiB for MAX_SESSIONS {max_sessions}"
    );
    assert!(
        request >= IDLE_PROCESS_MIB + KAFKA_BUFFERS_MIB && request <= limit,
        "request {request} MiB"
    );
}
