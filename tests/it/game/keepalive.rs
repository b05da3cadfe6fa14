//! Keep-alive: the idle task of the service file ends quiet sessions; a Pong is a request that
//! keeps a session alive; after 30 s of quiet the service pings (a long test: 30 s is Atlas's
//! constant, not configurable).

use std::time::{Duration, Instant};

use maple_client::Error;

use super::*;

/// The idle task of these tests: scan every 200 ms, end sessions quiet for 1.5 s.
const SCAN_MS: u64 = 200;
const IDLE_MS: u64 = 1500;

#[actix_rt::test]
async fn pongs_keep_a_session_alive_and_the_idle_timeout_ends_it_once() {
    let mut g = Setup::default()
        .own_tenant()
        .timeout_task(SCAN_MS, IDLE_MS)
        .start()
        .await;
    // A Pong before login (the client is pinged at its login screen too) is served as well.
    let mut c = g.connect().await;
    c.pong().await.expect("Pong sent");
    let outcome = c.login("admin", "admin", HWID).await.expect("login");
    assert!(
        matches!(outcome, maple_client::LoginOutcome::Success(_)),
        "{outcome:?}"
    );
    let session = g.session_of("admin").await;
    // Twice the idle time, answered only with Pongs.
    let until = Instant::now() + Duration::from_millis(2 * IDLE_MS);
    while Instant::now() < until {
        c.pong().await.expect("Pong sent");
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    let list = c.server_list().await.expect("still served");
    assert_eq!(list.worlds.len(), 3);
    assert_eq!(
        g.tenant_metric("login_requests_dropped_total", &[]).await,
        0.0,
        "a Pong is served, not dropped"
    );
    // Quiet now: ended within the idle time plus a scan (and a margin).
    let quiet = Instant::now();
    assert!(c.closed_within(Duration::from_secs(5)).await.expect("read"));
    let waited = quiet.elapsed();
    assert!(
        waited >= Duration::from_millis(IDLE_MS - 100),
        "ended too early: {waited:?}"
    );
    g.assert_ended_once(session, 1).await;
    g.wait_tenant_metric(
        "login_sessions_ended_total",
        &[("reason", "idle_timeout")],
        1.0,
    )
    .await;
}

/// Atlas refreshes a session's `lastPacket` only for a packet that passed its validator: a
/// client that never logs in cannot keep its connection by sending packets that are dropped.
#[actix_rt::test]
async fn dropped_packets_do_not_keep_a_session_alive() {
    let mut g = Setup::default()
        .own_tenant()
        .timeout_task(SCAN_MS, IDLE_MS)
        .start()
        .await;
    let mut c = g.connect().await;
    let started = Instant::now();
    let mut closed = false;
    while started.elapsed() < Duration::from_millis(3 * IDLE_MS) {
        // A server-list request before login (dropped by the LoggedIn validator) and an
        // unknown opcode.
        if c.send(0x0B, &[]).await.is_err() || c.send(0x7777, &[]).await.is_err() {
            closed = true;
            break;
        }
        if c.closed_within(Duration::from_millis(300))
            .await
            .expect("read")
        {
            closed = true;
            break;
        }
    }
    assert!(
        closed,
        "the session outlived its idle time on dropped packets"
    );
    g.assert_unbound_ends(1).await;
    assert!(
        g.tenant_metric(
            "login_requests_dropped_total",
            &[("reason", "not_logged_in")]
        )
        .await
            >= 1.0
    );
}

#[actix_rt::test]
#[ignore = "long test: `LONG_TESTS=1 make test` (and CI) runs it"]
async fn a_quiet_client_is_pinged_after_30_seconds_and_a_pong_keeps_it() {
    let mut g = Setup::default().timeout_task(1000, 60_000).start().await;
    let (mut c, _, session) = g.logged_in("admin", "admin").await;
    let quiet = Instant::now();
    let ping = c
        .recv_timeout(Duration::from_secs(40))
        .await
        .expect("a Ping");
    assert_eq!(ping.opcode, 0x11, "{ping:?}");
    assert!(ping.body.is_empty());
    let after = quiet.elapsed();
    assert!(
        after >= Duration::from_secs(30) && after < Duration::from_secs(33),
        "pinged after {after:?}"
    );
    // One Ping per quiet period.
    let again = c.recv_timeout(Duration::from_secs(3)).await;
    assert!(matches!(again, Err(Error::Timeout { .. })), "{again:?}");
    c.pong().await.expect("Pong");
    assert_eq!(c.server_list().await.expect("still served").worlds.len(), 3);
    drop(c);
    g.assert_ended_once(session, 1).await;
}
