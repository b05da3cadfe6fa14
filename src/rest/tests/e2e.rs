//! End-to-end calls of the client against the tiny test server: headers, bodies, status rules,
//! timeouts.

use std::time::{Duration, Instant};

use uuid::Uuid;

use super::super::*;
use super::server::{reply, serve, silent, TestServer};

const ACCOUNT: &str = include_str!("data/account.json");

fn client_for(base: String, timeout: Duration) -> RestClient {
    let endpoints = Endpoints::new(Some(base), vec![]).expect("endpoints");
    let config = ClientConfig {
        timeout,
        ..ClientConfig::default()
    };
    RestClient::new(endpoints, config).expect("client")
}

fn client(server: &TestServer) -> RestClient {
    client_for(server.base(), Duration::from_secs(2))
}

fn ctx() -> Context {
    let id = Uuid::parse_str("083839c6-c47c-42a6-9585-76492795d123").expect("uuid");
    Context::new(id, "GMS", 83, 1)
}

#[tokio::test]
async fn a_get_carries_tenant_and_trace_headers_and_no_content_type() {
    let server = serve(|_| reply(200, ACCOUNT)).await;
    let account = client(&server).account(&ctx(), 7).await.expect("account");
    assert_eq!(account.name, "carol");
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("GET", "/api/accounts/7")
    );
    assert_eq!(
        req.header("TENANT_ID"),
        Some("083839c6-c47c-42a6-9585-76492795d123")
    );
    assert_eq!(req.header("REGION"), Some("GMS"));
    assert_eq!(
        (req.header("MAJOR_VERSION"), req.header("MINOR_VERSION")),
        (Some("83"), Some("1"))
    );
    assert_eq!(req.header("traceparent").map(str::len), Some(55));
    assert_eq!(
        (req.header("tracestate"), req.header("content-type")),
        (None, None)
    );
}

#[tokio::test]
async fn a_patch_sends_json_with_charset_and_accepts_an_empty_answer() {
    let server = serve(|_| reply(204, "")).await;
    let c = client(&server);
    let account = Account {
        id: 7,
        password: "pw".into(),
        pin: "1111".into(),
        ..Account::default()
    };
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".to_string();
    let traced = ctx().with_trace(tp.clone(), Some("a=b".into()));
    let changed = c
        .change_account(&traced, &account, AccountChange::Pin("2222".into()))
        .await;
    assert_eq!(changed.expect("patched").pin, "2222");
    let req = &server.requests()[0];
    assert_eq!(
        (req.method.as_str(), req.target.as_str()),
        ("PATCH", "/api/accounts/7")
    );
    assert_eq!(
        req.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(
        (req.header("traceparent"), req.header("tracestate")),
        (Some(tp.as_str()), Some("a=b"))
    );
    let body = req.json();
    assert_eq!(body["data"]["attributes"]["password"], "");
    assert_eq!(body["data"]["attributes"]["pin"], "2222");
}

#[tokio::test]
async fn an_attempt_posts_success_ip_and_hwid() {
    let answer = r#"{"data":{"type":"pic-attempts","id":"7","attributes":{"attempts":1,"limitReached":false}}}"#;
    let server = serve(move |_| reply(201, answer)).await;
    let attempt = Attempt {
        success: false,
        ip_address: "10.0.0.9".into(),
        hwid: "00ff".into(),
    };
    let result = client(&server)
        .record_pic_attempt(&ctx(), 7, &attempt)
        .await
        .expect("attempt");
    assert_eq!(
        result,
        AttemptResult {
            attempts: 1,
            limit_reached: false
        }
    );
    let req = &server.requests()[0];
    assert_eq!(req.target, "/api/accounts/7/pic-attempts");
    let data = &req.json()["data"];
    assert_eq!(data["type"], "pic-attempts");
    assert_eq!(
        data["attributes"],
        serde_json::json!({"success":false,"ipAddress":"10.0.0.9","hwid":"00ff"})
    );
}

#[tokio::test]
async fn statuses_map_to_errors_as_atlas_does() {
    let server = serve(|r| match r.target.as_str() {
        "/api/accounts/1" => reply(404, r#"{"errors":[]}"#),
        "/api/accounts/2" => reply(400, "bad"),
        "/api/accounts/3" => reply(500, "boom"),
        "/api/accounts/4" => reply(404, ""),
        _ => reply(503, ""),
    })
    .await;
    let c = client(&server);
    assert!(matches!(
        c.account(&ctx(), 1).await,
        Err(RestError::NotFound { .. })
    ));
    assert!(matches!(
        c.account(&ctx(), 2).await,
        Err(RestError::BadRequest { .. })
    ));
    assert!(matches!(
        c.account(&ctx(), 3).await,
        Err(RestError::Status { status: 500, .. })
    ));
    let gone = Account {
        id: 4,
        ..Account::default()
    };
    assert!(
        c.update_account(&ctx(), &gone).await.is_ok(),
        "empty 404 on PATCH is success"
    );
    let down = Account {
        id: 5,
        ..Account::default()
    };
    let err = c
        .update_account(&ctx(), &down)
        .await
        .expect_err("empty 503 is an error");
    assert!(
        matches!(err, RestError::Status { status: 503, .. }),
        "{err}"
    );
}

#[tokio::test]
async fn list_queries_treat_404_as_empty_and_escape_the_name() {
    let server = serve(|_| reply(404, "")).await;
    let c = client(&server);
    assert!(c
        .characters_of(&ctx(), 1, 0)
        .await
        .expect("404 is empty")
        .is_empty());
    assert!(c
        .characters_named(&ctx(), "Jo sé&x")
        .await
        .expect("404 is empty")
        .is_empty());
    assert_eq!(c.guild_of(&ctx(), 1).await.expect("404 is no guild"), None);
    let targets: Vec<String> = server.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets[0], "/api/characters?accountId=1&worldId=0");
    assert_eq!(targets[1], "/api/characters?name=Jo%20s%C3%A9%26x");
    assert_eq!(targets[2], "/api/guilds?filter[members.id]=1");
}

#[tokio::test]
async fn an_empty_guild_list_is_no_guild_and_a_seed_returns_its_transaction() {
    let tx = "5f8c1d2e-3a4b-4c5d-8e9f-0a1b2c3d4e5f";
    let seed_answer =
        format!(r#"{{"data":{{"type":"characters","id":"{tx}","attributes":{{}}}}}}"#);
    let server = serve(move |r| match r.method.as_str() {
        "POST" => reply(202, &seed_answer),
        _ => reply(200, r#"{"data":[]}"#),
    })
    .await;
    let c = client(&server);
    assert_eq!(c.guild_of(&ctx(), 9).await.expect("empty"), None);
    let mut seed = SeedRequest::new(1, 0, "Newbie");
    seed.weapon = 1_302_000;
    let id = c.seed_character(&ctx(), &seed).await.expect("seed");
    assert_eq!(id.map(|u| u.to_string()).as_deref(), Some(tx));
    let req = &server.requests()[1];
    assert_eq!(req.target, "/api/characters/seed");
    let attrs = &req.json()["data"]["attributes"];
    assert_eq!(
        (
            attrs["strength"].as_u64(),
            attrs["hp"].as_u64(),
            attrs["mp"].as_u64()
        ),
        (Some(13), Some(50), Some(5))
    );
    assert_eq!(
        (attrs["name"].as_str(), attrs["weapon"].as_u64()),
        (Some("Newbie"), Some(1_302_000))
    );
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_configured_time() {
    let (addr, task) = silent().await;
    let c = client_for(format!("http://{addr}/"), Duration::from_millis(300));
    let started = Instant::now();
    let err = c.worlds(&ctx()).await.expect_err("timeout");
    let elapsed = started.elapsed();
    assert!(matches!(err, RestError::Timeout { .. }), "{err}");
    assert!(
        elapsed >= Duration::from_millis(250) && elapsed < Duration::from_secs(2),
        "{elapsed:?}"
    );
    assert_eq!(
        err.to_string(),
        "GET worlds?include=channels timed out after 300 ms"
    );
    task.abort();
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let (addr, task) = silent().await;
    task.abort();
    let _ = task.await;
    let c = client_for(format!("http://{addr}/"), Duration::from_secs(1));
    let err = c.character(&ctx(), 1).await.expect_err("refused");
    assert!(matches!(err, RestError::Transport { .. }), "{err}");
}

#[tokio::test]
async fn an_undecodable_answer_is_a_decode_error() {
    let server = serve(|_| {
        reply(
            200,
            r#"{"data":{"type":"worlds","id":"0","attributes":{"state":"x"}}}"#,
        )
    })
    .await;
    let err = client(&server).world(&ctx(), 0).await.expect_err("decode");
    assert_eq!(
        err.to_string(),
        "cannot decode worlds.state: invalid type: string \"x\", expected u8"
    );
}
