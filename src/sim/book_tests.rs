//! Behaviour of the simulator's account book: what the peer answers to CREATE, PROGRESS_STATE and
//! LOGOUT (`wire-contract.md` §7), checked as JSON, against the §8 golden vectors, and through
//! login's own consumer decoders.

use serde_json::{json, Value};

use super::*;
use crate::message::account_session as wire;

const TENANT: &str = "083839c6-c47c-42a6-9585-76492795d123";
const OTHER_TENANT: &str = "5b8d6f0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f";
const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";
const OTHER_SESSION: &str = "d3a1c6b2-7e8f-4a90-b1c2-d3e4f5a6b7c8";
const IP: &str = "192.168.1.10";
const HWID: &str = "00112233445566778899aabbccddeeff";
const BAN_UNTIL: u64 = 133_500_000_000_000_000;

// §8, consumed: the peer's messages byte for byte.
const GOLDEN_LOGGED_IN: &str = r#"{"account_id":1,"name":"admin","status":"LOGGED_IN"}"#;
const GOLDEN_CREATED: &str = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"CREATED","body":{"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#;
const GOLDEN_LICENCE: &str = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"REQUEST_LICENSE_AGREEMENT","body":null}"#;
const GOLDEN_STATE_CHANGED: &str = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"STATE_CHANGED","body":{"state":2,"params":{"characterId":1,"ipAddress":"10.0.0.5","port":7575}}}"#;
const GOLDEN_NOT_REGISTERED: &str = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":0,"accountName":"","type":"ERROR","body":{"code":"NOT_REGISTERED","reason":0,"until":0,"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#;
const GOLDEN_BANNED: &str = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"ERROR","body":{"code":"DELETED_OR_BLOCKED","reason":1,"until":133500000000000000,"ipAddress":"","hwid":""}}"#;

fn uuid(text: &str) -> Uuid {
    Uuid::parse_str(text).expect("test uuid")
}

fn tenant() -> Uuid {
    uuid(TENANT)
}

fn session() -> Uuid {
    uuid(SESSION)
}

fn other_session() -> Uuid {
    uuid(OTHER_SESSION)
}

/// The accounts file most tests use: the highest id is 7, so auto-registration gives 8.
fn accounts() -> Value {
    json!({
        "accounts": [
            {"id": 1, "name": "admin", "password": "admin", "licenseAccepted": true},
            {"id": 2, "name": "Newbie", "password": "pw"},
            {"id": 3, "name": "banned", "password": "pw", "ban": {"reason": 1, "until": BAN_UNTIL}},
            {"id": 7, "name": "perma", "password": "pw", "ban": {"reason": 2}},
        ]
    })
}

/// A file with account 1 "admin" only, as in §8, with `extra` merged into it.
fn admin_only(extra: Value) -> Value {
    let mut admin = json!({"id": 1, "name": "admin", "password": "admin"});
    if let (Some(admin), Value::Object(extra)) = (admin.as_object_mut(), extra) {
        admin.extend(extra);
    }
    json!({ "accounts": [admin] })
}

fn with_auto_register(mut file: Value) -> Value {
    file["autoRegister"] = json!(true);
    file
}

fn create_from(name: &str, password: &str, ip: &str, hwid: &str) -> Command {
    Command::Create(CreateBody {
        account_name: name.into(),
        password: password.into(),
        ip_address: ip.into(),
        hwid: hwid.into(),
    })
}

fn create(name: &str, password: &str) -> Command {
    create_from(name, password, IP, HWID)
}

fn channel() -> ChannelParams {
    ChannelParams {
        ip_address: "10.0.0.5".into(),
        port: 7575,
        character_id: 1,
    }
}

fn progress(state: u8) -> Command {
    Command::ProgressState {
        state,
        params: channel(),
    }
}

/// The book with a clock: every command of a test goes through here.
struct Peer {
    book: Book,
    now: Instant,
}

impl Peer {
    fn new(file: Value) -> Peer {
        let file: AccountsFile = serde_json::from_value(file).expect("accounts file");
        Peer {
            book: Book::new(file),
            now: Instant::now(),
        }
    }

    fn send_in(
        &mut self,
        tenant: Uuid,
        region: &str,
        session: Uuid,
        account_id: u32,
        command: Command,
    ) -> Vec<Output> {
        self.book
            .handle(tenant, region, session, account_id, command, self.now)
    }

    /// A command of the §8 tenant (GMS).
    fn send(&mut self, session: Uuid, account_id: u32, command: Command) -> Vec<Output> {
        self.send_in(tenant(), "GMS", session, account_id, command)
    }

    /// A first CREATE (accountId 0) in the §8 tenant.
    fn login(&mut self, session: Uuid, name: &str, password: &str) -> Vec<Output> {
        self.send(session, 0, create(name, password))
    }

    fn later(&mut self, by: Duration) {
        self.now += by;
    }

    fn holds(&self, account_id: u32) -> bool {
        self.book.has_session(tenant(), account_id)
    }
}

fn text(out: &Output) -> &str {
    std::str::from_utf8(&out.payload).expect("utf-8 payload")
}

fn value(out: &Output) -> Value {
    serde_json::from_slice(&out.payload).expect("json payload")
}

/// An account-status message: its topic, decoded with login's decoder, keyed by its account.
fn account_status(out: &Output) -> account::StatusEvent {
    assert_eq!(out.topic, OutTopic::AccountStatus, "{}", text(out));
    let event = account::StatusEvent::decode(&out.payload).expect("login decodes it");
    assert_eq!(out.account_id, event.account_id, "key: {}", text(out));
    event
}

/// An account-session message: its topic, decoded with login's decoder, keyed by its account.
fn session_status(out: &Output) -> wire::StatusEvent {
    assert_eq!(out.topic, OutTopic::AccountSessionStatus, "{}", text(out));
    let event = wire::Envelope::decode(&out.payload)
        .and_then(wire::Envelope::into_event)
        .expect("login decodes it");
    assert_eq!(out.account_id, event.account_id, "key: {}", text(out));
    event
}

fn status_event(account_id: u32, name: &str, status: &str) -> account::StatusEvent {
    account::StatusEvent {
        account_id,
        name: name.into(),
        status: status.into(),
    }
}

/// Exactly one ERROR; returns its decoded form after checking ids and name.
fn single_error(outputs: &[Output], session: Uuid, account_id: u32, name: &str) -> wire::ErrorBody {
    let [out] = outputs else {
        panic!(
            "expected one error, got {} outputs: {outputs:?}",
            outputs.len()
        )
    };
    let event = session_status(out);
    assert_eq!(
        (
            event.session_id,
            event.account_id,
            event.account_name.as_str()
        ),
        (session, account_id, name)
    );
    match event.body {
        wire::EventBody::Error(error) => error,
        other => panic!("not an error: {other:?}"),
    }
}

fn error_code(outputs: &[Output]) -> String {
    match outputs {
        [out] => match session_status(out).body {
            wire::EventBody::Error(error) => error.code,
            other => panic!("not an error: {other:?}"),
        },
        other => panic!("expected one error: {other:?}"),
    }
}

/// A successful CREATE: account status LOGGED_IN, then the session answer (returned).
fn logged_in_then(outputs: &[Output], account_id: u32, name: &str) -> wire::StatusEvent {
    let [first, second] = outputs else {
        panic!("expected LOGGED_IN and an answer, got {outputs:?}")
    };
    assert_eq!(
        account_status(first),
        status_event(account_id, name, "LOGGED_IN")
    );
    assert_eq!(account_status(first).logged_in(), Some(true));
    let answer = session_status(second);
    assert_eq!(
        (answer.account_id, answer.account_name.as_str()),
        (account_id, name)
    );
    answer
}

/// Exactly one LOGGED_OUT account status.
fn assert_logged_out(outputs: &[Output], account_id: u32, name: &str) {
    let [out] = outputs else {
        panic!("expected one LOGGED_OUT, got {outputs:?}")
    };
    assert_eq!(
        value(out),
        json!({"account_id": account_id, "name": name, "status": "LOGGED_OUT"})
    );
    assert_eq!(
        account_status(out),
        status_event(account_id, name, "LOGGED_OUT")
    );
    assert_eq!(account_status(out).logged_in(), Some(false));
}

/// The peer answers nothing.
fn assert_silent(outputs: &[Output]) {
    let texts: Vec<&str> = outputs.iter().map(text).collect();
    assert!(outputs.is_empty(), "expected nothing, got {texts:?}");
}

// --- CREATE: unknown account ---

#[test]
fn unknown_account_is_not_registered_with_account_id_zero() {
    let mut peer = Peer::new(accounts());
    let outputs = peer.login(session(), "ghost", "admin");
    let error = single_error(&outputs, session(), 0, "");
    assert_eq!(
        error,
        wire::ErrorBody {
            code: "NOT_REGISTERED".into(),
            reason: 0,
            until: wire::Until::Ticks(0),
        }
    );
    assert_eq!(outputs[0].account_id, 0, "keyed by account 0");
    assert!(!peer.holds(0));
}

#[test]
fn not_registered_matches_the_golden_vector_byte_for_byte() {
    let mut peer = Peer::new(json!({"accounts": []}));
    let outputs = peer.login(session(), "admin", "admin");
    let [out] = &outputs[..] else {
        panic!("{outputs:?}")
    };
    assert_eq!(text(out), GOLDEN_NOT_REGISTERED);
    assert_eq!(
        (out.topic, out.account_id),
        (OutTopic::AccountSessionStatus, 0)
    );
}

#[test]
fn unknown_account_with_auto_registration_is_created_logged_in_and_asked_for_the_licence() {
    let mut peer = Peer::new(with_auto_register(accounts()));
    let outputs = peer.login(session(), "Ghost", "boo");
    let answer = logged_in_then(&outputs, 8, "Ghost");
    assert_eq!(answer.body, wire::EventBody::LicenseAgreementRequired);
    assert_eq!(
        value(&outputs[1]),
        json!({"sessionId": SESSION, "accountId": 8, "accountName": "Ghost", "type": "REQUEST_LICENSE_AGREEMENT", "body": null})
    );
    assert!(peer.holds(8));
}

#[test]
fn an_auto_registered_account_keeps_its_id_and_password() {
    let mut peer = Peer::new(with_auto_register(accounts()));
    logged_in_then(&peer.login(session(), "Ghost", "boo"), 8, "Ghost");
    assert_logged_out(&peer.send(session(), 8, Command::Logout), 8, "Ghost");

    let wrong = peer.login(session(), "Ghost", "BOO");
    assert_eq!(
        single_error(&wrong, session(), 8, "Ghost").code,
        "INCORRECT_PASSWORD"
    );
    logged_in_then(&peer.login(session(), "gHoSt", "boo"), 8, "Ghost");

    // the next new name gets the next id
    logged_in_then(&peer.login(other_session(), "Other", "x"), 9, "Other");
}

#[test]
fn auto_registration_in_jms_is_created_without_the_licence() {
    let mut peer = Peer::new(with_auto_register(accounts()));
    let outputs = peer.send_in(tenant(), "JMS", session(), 0, create("Ghost", "boo"));
    assert_eq!(
        logged_in_then(&outputs, 8, "Ghost").body,
        wire::EventBody::Created
    );
}

// --- CREATE: banned ---

#[test]
fn banned_account_is_deleted_or_blocked_with_reason_and_until() {
    let mut peer = Peer::new(accounts());
    let outputs = peer.login(session(), "banned", "pw");
    assert_eq!(
        value(&outputs[0]),
        json!({
            "sessionId": SESSION, "accountId": 3, "accountName": "banned", "type": "ERROR",
            "body": {"code": "DELETED_OR_BLOCKED", "reason": 1, "until": BAN_UNTIL, "ipAddress": IP, "hwid": HWID}
        })
    );
    let error = single_error(&outputs, session(), 3, "banned");
    assert_eq!(
        (error.code.as_str(), error.reason),
        ("DELETED_OR_BLOCKED", 1)
    );
    assert_eq!(error.until, wire::Until::Ticks(BAN_UNTIL));
    assert!(!error.until.is_zero(), "a temporary ban");
    assert!(!peer.holds(3));
}

#[test]
fn a_permanent_ban_has_until_zero() {
    let mut peer = Peer::new(accounts());
    let error = single_error(&peer.login(session(), "perma", "pw"), session(), 7, "perma");
    assert_eq!(
        (error.code.as_str(), error.reason),
        ("DELETED_OR_BLOCKED", 2)
    );
    assert!(error.until.is_zero(), "{:?}", error.until);
}

#[test]
fn banned_matches_the_golden_vector_byte_for_byte() {
    let mut peer = Peer::new(admin_only(
        json!({"ban": {"reason": 1, "until": BAN_UNTIL}}),
    ));
    let outputs = peer.send(session(), 0, create_from("admin", "admin", "", ""));
    let [out] = &outputs[..] else {
        panic!("{outputs:?}")
    };
    assert_eq!(text(out), GOLDEN_BANNED);
    assert_eq!(
        (out.topic, out.account_id),
        (OutTopic::AccountSessionStatus, 1)
    );
}

// --- CREATE: already logged in, wrong password ---

#[test]
fn a_second_create_for_an_account_holding_a_session_is_already_logged_in() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");

    for from in [other_session(), session()] {
        let outputs = peer.send(from, 0, create_from("admin", "admin", "10.1.2.3", ""));
        assert_eq!(
            value(&outputs[0]),
            json!({
                "sessionId": from.to_string(), "accountId": 1, "accountName": "admin", "type": "ERROR",
                "body": {"code": "ALREADY_LOGGED_IN", "reason": 0, "until": 0, "ipAddress": "10.1.2.3", "hwid": ""}
            })
        );
        assert_eq!(
            single_error(&outputs, from, 1, "admin").code,
            "ALREADY_LOGGED_IN"
        );
    }
    // the first session still holds the account
    assert_logged_out(&peer.send(session(), 1, Command::Logout), 1, "admin");
}

#[test]
fn wrong_password_is_incorrect_password_and_leaves_no_session() {
    let mut peer = Peer::new(accounts());
    for password in ["nope", "Admin", "", "admin "] {
        let outputs = peer.login(session(), "admin", password);
        assert_eq!(
            value(&outputs[0]),
            json!({
                "sessionId": SESSION, "accountId": 1, "accountName": "admin", "type": "ERROR",
                "body": {"code": "INCORRECT_PASSWORD", "reason": 0, "until": 0, "ipAddress": IP, "hwid": HWID}
            }),
            "{password:?}"
        );
        assert_eq!(
            single_error(&outputs, session(), 1, "admin").code,
            "INCORRECT_PASSWORD"
        );
        assert!(!peer.holds(1), "{password:?}");
    }
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
}

// --- CREATE: success ---

#[test]
fn success_with_the_licence_accepted_is_logged_in_then_created() {
    let mut peer = Peer::new(accounts());
    let outputs = peer.login(session(), "admin", "admin");
    let answer = logged_in_then(&outputs, 1, "admin");
    assert_eq!(
        answer,
        wire::StatusEvent {
            session_id: session(),
            account_id: 1,
            account_name: "admin".into(),
            body: wire::EventBody::Created,
        }
    );
    assert_eq!(
        value(&outputs[0]),
        json!({"account_id": 1, "name": "admin", "status": "LOGGED_IN"})
    );
    assert_eq!(
        value(&outputs[1]),
        json!({"sessionId": SESSION, "accountId": 1, "accountName": "admin", "type": "CREATED", "body": {"ipAddress": IP, "hwid": HWID}})
    );
    assert!(peer.holds(1));
}

#[test]
fn logged_in_and_created_match_the_golden_vectors_byte_for_byte() {
    let mut peer = Peer::new(admin_only(json!({"licenseAccepted": true})));
    let outputs = peer.login(session(), "admin", "admin");
    let [status, created] = &outputs[..] else {
        panic!("{outputs:?}")
    };
    assert_eq!(text(status), GOLDEN_LOGGED_IN);
    assert_eq!(
        (status.topic, status.account_id),
        (OutTopic::AccountStatus, 1)
    );
    assert_eq!(text(created), GOLDEN_CREATED);
    assert_eq!(
        (created.topic, created.account_id),
        (OutTopic::AccountSessionStatus, 1)
    );
}

#[test]
fn success_without_the_licence_requests_the_licence_agreement_with_a_null_body() {
    let mut peer = Peer::new(accounts());
    let outputs = peer.login(session(), "Newbie", "pw");
    let answer = logged_in_then(&outputs, 2, "Newbie");
    assert_eq!(answer.body, wire::EventBody::LicenseAgreementRequired);
    assert_eq!(answer.session_id, session());
    assert_eq!(value(&outputs[1])["body"], Value::Null);
    assert!(
        peer.holds(2),
        "the session is held while the licence is pending"
    );
}

#[test]
fn a_licence_recorded_elsewhere_for_the_tenant_is_not_asked_again() {
    let file: AccountsFile = serde_json::from_value(accounts()).expect("accounts file");
    let recorded = tenant();
    let mut peer = Peer {
        book: Book::new(file)
            .with_recorded_licences(Box::new(move |t, id| t == recorded && id == 2)),
        now: Instant::now(),
    };
    let outputs = peer.login(session(), "Newbie", "pw");
    assert_eq!(
        logged_in_then(&outputs, 2, "Newbie").body,
        wire::EventBody::Created
    );
    let outputs = peer.send_in(
        uuid(OTHER_TENANT),
        "GMS",
        other_session(),
        0,
        create("Newbie", "pw"),
    );
    assert_eq!(
        logged_in_then(&outputs, 2, "Newbie").body,
        wire::EventBody::LicenseAgreementRequired,
        "recorded for another tenant"
    );
}

#[test]
fn licence_request_matches_the_golden_vector_byte_for_byte() {
    let mut peer = Peer::new(admin_only(json!({})));
    let outputs = peer.login(session(), "admin", "admin");
    let [status, licence] = &outputs[..] else {
        panic!("{outputs:?}")
    };
    assert_eq!(text(status), GOLDEN_LOGGED_IN);
    assert_eq!(text(licence), GOLDEN_LICENCE);
    assert_eq!(
        (licence.topic, licence.account_id),
        (OutTopic::AccountSessionStatus, 1)
    );
}

#[test]
fn jms_is_created_without_the_licence() {
    let mut peer = Peer::new(accounts());
    let outputs = peer.send_in(tenant(), "JMS", session(), 0, create("Newbie", "pw"));
    assert_eq!(
        logged_in_then(&outputs, 2, "Newbie").body,
        wire::EventBody::Created
    );
    assert_eq!(
        value(&outputs[1]),
        json!({"sessionId": SESSION, "accountId": 2, "accountName": "Newbie", "type": "CREATED", "body": {"ipAddress": IP, "hwid": HWID}})
    );
}

// --- CREATE: order of checks ---

#[test]
fn banned_is_checked_before_the_password() {
    let mut peer = Peer::new(accounts());
    assert_eq!(
        error_code(&peer.login(session(), "banned", "wrong")),
        "DELETED_OR_BLOCKED"
    );
}

#[test]
fn banned_is_checked_before_an_existing_session() {
    // The only way a banned account holds an entry: a PROGRESS_STATE for it.
    let mut peer = Peer::new(accounts());
    peer.send(other_session(), 3, progress(2));
    assert!(peer.holds(3));
    assert_eq!(
        error_code(&peer.login(session(), "banned", "pw")),
        "DELETED_OR_BLOCKED"
    );
}

#[test]
fn already_logged_in_is_checked_before_the_password() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    assert_eq!(
        error_code(&peer.login(other_session(), "admin", "wrong")),
        "ALREADY_LOGGED_IN"
    );
}

#[test]
fn not_registered_is_checked_first() {
    let mut peer = Peer::new(accounts());
    assert_eq!(
        error_code(&peer.login(session(), "nobody", "")),
        "NOT_REGISTERED"
    );
}

// --- PROGRESS_STATE ---

#[test]
fn progress_state_2_is_state_changed_echoing_state_and_params() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    let outputs = peer.send(session(), 1, progress(2));
    let [out] = &outputs[..] else {
        panic!("expected one STATE_CHANGED: {outputs:?}")
    };
    assert_eq!(
        value(out),
        json!({
            "sessionId": SESSION, "accountId": 1, "accountName": "admin", "type": "STATE_CHANGED",
            "body": {"state": 2, "params": {"characterId": 1, "ipAddress": "10.0.0.5", "port": 7575}}
        })
    );
    assert_eq!(
        text(out),
        GOLDEN_STATE_CHANGED,
        "members in the peer's order"
    );
    let params = wire::TransitionParams {
        character_id: 1,
        ip_address: "10.0.0.5".into(),
        port: 7575,
    };
    assert_eq!(
        session_status(out),
        wire::StatusEvent {
            session_id: session(),
            account_id: 1,
            account_name: "admin".into(),
            body: wire::EventBody::StateChanged {
                state: 2,
                params: Some(params),
            },
        }
    );
    assert!(peer.holds(1), "the entry moves to transition, it stays");
}

#[test]
fn a_session_in_transition_still_holds_the_account_within_the_ttl() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.send(session(), 1, progress(2));
    peer.later(TRANSITION_TTL - Duration::from_secs(1));
    assert_eq!(
        error_code(&peer.login(other_session(), "admin", "admin")),
        "ALREADY_LOGGED_IN"
    );
}

#[test]
fn a_session_in_transition_expires_silently_after_the_ttl() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.send(session(), 1, progress(2));
    peer.later(TRANSITION_TTL + Duration::from_secs(1));

    let outputs = peer.login(other_session(), "admin", "admin");
    // no LOGGED_OUT for the expired entry: just the new login
    let answer = logged_in_then(&outputs, 1, "admin");
    assert_eq!(
        (answer.session_id, answer.body),
        (other_session(), wire::EventBody::Created)
    );
}

#[test]
fn expiry_happens_on_any_command_and_sends_nothing() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.send(session(), 1, progress(2));
    peer.later(TRANSITION_TTL + Duration::from_secs(1));
    assert_silent(&peer.send(other_session(), 0, Command::Logout));
    assert!(!peer.holds(1));
}

#[test]
fn a_logged_in_session_does_not_expire() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.later(Duration::from_secs(3600));
    assert_eq!(
        error_code(&peer.login(other_session(), "admin", "admin")),
        "ALREADY_LOGGED_IN"
    );
    assert!(peer.holds(1));
}

#[test]
fn progress_state_0_logs_out_with_logged_out_and_state_changed_0() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    let outputs = peer.send(session(), 1, progress(0));
    let [logged_out, changed] = &outputs[..] else {
        panic!("expected LOGGED_OUT and STATE_CHANGED: {outputs:?}")
    };
    assert_eq!(
        account_status(logged_out),
        status_event(1, "admin", "LOGGED_OUT")
    );
    let changed = session_status(changed);
    assert_eq!((changed.session_id, changed.account_id), (session(), 1));
    assert!(
        matches!(changed.body, wire::EventBody::StateChanged { state: 0, .. }),
        "{:?}",
        changed.body
    );
    assert!(!peer.holds(1));
    logged_in_then(&peer.login(other_session(), "admin", "admin"), 1, "admin");
}

#[test]
fn progress_state_1_from_login_while_logged_in_changes_nothing() {
    // §7: "state 1 from LOGIN fails if already logged in": no second login, no echo.
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    let outputs = peer.send(session(), 1, progress(1));
    for out in &outputs {
        assert_eq!(
            out.topic,
            OutTopic::AccountSessionStatus,
            "no account status: {}",
            text(out)
        );
        assert!(
            matches!(session_status(out).body, wire::EventBody::Error(_)),
            "only an error may answer: {}",
            text(out)
        );
    }
    assert!(peer.holds(1));
    // still a plain login: a LOGOUT releases it
    assert_logged_out(&peer.send(session(), 1, Command::Logout), 1, "admin");
}

// --- LOGOUT ---

#[test]
fn logout_with_account_id_zero_does_nothing() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    assert_silent(&peer.send(session(), 0, Command::Logout));
    assert!(peer.holds(1));
}

#[test]
fn logout_of_a_session_in_transition_does_nothing() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.send(session(), 1, progress(2));
    assert_silent(&peer.send(session(), 1, Command::Logout));
    assert!(peer.holds(1), "the hand-off to the channel survives");
    assert_eq!(
        error_code(&peer.login(other_session(), "admin", "admin")),
        "ALREADY_LOGGED_IN"
    );
}

#[test]
fn logout_is_logged_out_and_the_account_can_log_in_again() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    let outputs = peer.send(session(), 1, Command::Logout);
    assert_logged_out(&outputs, 1, "admin");
    assert_eq!(
        (outputs[0].topic, outputs[0].account_id),
        (OutTopic::AccountStatus, 1)
    );
    assert!(!peer.holds(1));
    let answer = logged_in_then(&peer.login(other_session(), "admin", "admin"), 1, "admin");
    assert_eq!(answer.session_id, other_session());
}

#[test]
fn logout_from_another_session_than_the_holder_does_nothing() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    assert_silent(&peer.send(other_session(), 1, Command::Logout));
    assert!(peer.holds(1));
    assert_eq!(
        error_code(&peer.login(other_session(), "admin", "admin")),
        "ALREADY_LOGGED_IN"
    );
    assert_logged_out(&peer.send(session(), 1, Command::Logout), 1, "admin");
}

// --- tenants and names ---

#[test]
fn sessions_are_per_tenant() {
    let (one, two) = (tenant(), uuid(OTHER_TENANT));
    let mut peer = Peer::new(accounts());
    let first = peer.send_in(one, "GMS", session(), 0, create("admin", "admin"));
    assert_eq!(
        logged_in_then(&first, 1, "admin").body,
        wire::EventBody::Created
    );
    let second = peer.send_in(two, "GMS", other_session(), 0, create("admin", "admin"));
    assert_eq!(
        logged_in_then(&second, 1, "admin").body,
        wire::EventBody::Created
    );
    assert!(peer.book.has_session(one, 1) && peer.book.has_session(two, 1));

    // a LOGOUT in one tenant leaves the other's session alone
    assert_logged_out(
        &peer.send_in(one, "GMS", session(), 1, Command::Logout),
        1,
        "admin",
    );
    assert!(!peer.book.has_session(one, 1));
    assert!(peer.book.has_session(two, 1));
    let again = peer.send_in(two, "GMS", session(), 0, create("admin", "admin"));
    assert_eq!(error_code(&again), "ALREADY_LOGGED_IN");
}

#[test]
fn account_names_match_case_insensitively() {
    let mut peer = Peer::new(accounts());
    for name in ["newbie", "NEWBIE", "nEwBiE"] {
        let outputs = peer.login(session(), name, "pw");
        let answer = logged_in_then(&outputs, 2, "Newbie");
        assert_eq!(
            answer.body,
            wire::EventBody::LicenseAgreementRequired,
            "{name}"
        );
        assert_eq!(
            error_code(&peer.login(other_session(), "Newbie", "pw")),
            "ALREADY_LOGGED_IN"
        );
        assert_logged_out(&peer.send(session(), 2, Command::Logout), 2, "Newbie");
    }
    assert_eq!(
        error_code(&peer.login(session(), "BANNED", "pw")),
        "DELETED_OR_BLOCKED"
    );
}

#[test]
fn failed_creates_leave_no_session() {
    let mut peer = Peer::new(accounts());
    for (name, password, code) in [
        ("ghost", "x", "NOT_REGISTERED"),
        ("banned", "pw", "DELETED_OR_BLOCKED"),
        ("admin", "x", "INCORRECT_PASSWORD"),
    ] {
        assert_eq!(error_code(&peer.login(session(), name, password)), code);
    }
    for id in [0, 1, 3] {
        assert!(!peer.holds(id), "{id}");
    }
}

#[test]
fn accounts_file_fields_default_when_absent() {
    let file: AccountsFile = serde_json::from_value(
        json!({"accounts": [{"id": 4, "name": "a", "password": "b", "ban": {"reason": 9}}]}),
    )
    .expect("accounts file");
    assert!(!file.auto_register);
    let [account] = &file.accounts[..] else {
        panic!("{file:?}")
    };
    assert!(!account.license_accepted);
    assert_eq!(account.ban.map(|ban| (ban.reason, ban.until)), Some((9, 0)));
}

// --- the book's indexes (kept for speed: each answer is one look-up, not a scan) ---

#[test]
fn transitions_are_counted_through_repeats_expiry_and_sign_out() {
    let mut peer = Peer::new(accounts());
    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    assert_eq!(peer.book.transitions, 0);
    peer.send(session(), 1, progress(2));
    peer.send(session(), 1, progress(2));
    assert_eq!(
        peer.book.transitions, 1,
        "a transition entered again is one"
    );
    peer.later(TRANSITION_TTL + Duration::from_secs(1));
    assert_silent(&peer.send(other_session(), 0, Command::Logout));
    assert_eq!(peer.book.transitions, 0, "expired");
    assert!(!peer.holds(1));

    logged_in_then(&peer.login(session(), "admin", "admin"), 1, "admin");
    peer.send(session(), 1, progress(2));
    assert_eq!(peer.book.transitions, 1);
    assert_logged_out(&peer.send(session(), 1, progress(0))[..1], 1, "admin");
    assert_eq!(peer.book.transitions, 0, "signed out from the transition");
    assert!(!peer.holds(1));
}
