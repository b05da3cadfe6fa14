//! Tests of `gateway/json_lines/event.rs`: every session output's line, byte for byte.

use super::*;
use crate::session::output::{AccountInfo, PeerCode};

const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";

fn line(output: &Output) -> String {
    let mut buf = Vec::new();
    Event::of(output).expect("told").write_line(&mut buf);
    String::from_utf8(buf).unwrap()
}

#[test]
fn spec_example_events_are_reproduced_byte_for_byte() {
    let cases = [
        (
            Output::Hello {
                session_id: SESSION.parse().unwrap(),
            },
            r#"{"event":"hello","sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","protocol":1}"#,
        ),
        (
            Output::LoginAccepted(AccountInfo {
                id: 1,
                name: "admin".into(),
                ..AccountInfo::default()
            }),
            r#"{"event":"login_ok","accountId":1,"accountName":"admin"}"#,
        ),
        (
            Output::ChannelReady {
                ip_address: "10.0.0.5".into(),
                port: 7575,
                character_id: 1,
            },
            r#"{"event":"server_ip","ipAddress":"10.0.0.5","port":7575,"characterId":1}"#,
        ),
        (
            Output::Ending(EndReason::Logout),
            r#"{"event":"bye","reason":"logout"}"#,
        ),
    ];
    for (output, expected) in cases {
        assert_eq!(line(&output), format!("{expected}\n"));
    }
}

#[test]
fn every_other_output_has_its_documented_bytes() {
    let cases = [
        (
            Output::LicenseRequired(AccountInfo {
                id: 7,
                name: "newbie".into(),
                ..AccountInfo::default()
            }),
            r#"{"event":"license_agreement","accountId":7}"#,
        ),
        (
            Output::LoginRefused(Refusal::Peer(PeerCode::IncorrectPassword)),
            r#"{"event":"login_failed","code":"INCORRECT_PASSWORD"}"#,
        ),
        (
            Output::LoginRefused(Refusal::Peer(PeerCode::parse("SOMETHING_NEW"))),
            r#"{"event":"login_failed","code":"SOMETHING_NEW"}"#,
        ),
        (
            Output::LoginRefused(Refusal::Unavailable),
            r#"{"event":"login_failed","code":"SYSTEM_ERROR"}"#,
        ),
        (
            Output::LoginRefused(Refusal::TooManyAttempts),
            r#"{"event":"login_failed","code":"TOO_MANY_ATTEMPTS"}"#,
        ),
        (
            Output::Banned {
                permanent: false,
                reason: 1,
                until: Until::Ticks(133500000000000000),
            },
            r#"{"event":"banned","permanent":false,"reason":1,"until":133500000000000000}"#,
        ),
        (
            Output::Banned {
                permanent: true,
                reason: 2,
                until: Until::Time("0001-01-01T00:00:00Z".into()),
            },
            r#"{"event":"banned","permanent":true,"reason":2,"until":"0001-01-01T00:00:00Z"}"#,
        ),
        (
            Output::CharacterCreated {
                character_id: 5,
                character: None,
            },
            r#"{"event":"character_created","characterId":5}"#,
        ),
        (
            Output::CharacterCreationFailed {
                reason: "name taken".into(),
            },
            r#"{"event":"character_creation_failed","reason":"name taken"}"#,
        ),
        (Output::Pong, r#"{"event":"pong"}"#),
    ];
    for (output, expected) in cases {
        assert_eq!(line(&output), format!("{expected}\n"));
    }
}

#[test]
fn every_problem_is_an_error_with_its_code_and_message() {
    let cases = [
        (
            Problem::BadRequest("unknown op \"fly\"".into()),
            "BAD_REQUEST",
            r#"unknown op \"fly\""#,
        ),
        (Problem::TooLong, "LINE_TOO_LONG", "line too long"),
        (
            Problem::LoginInProgress,
            "LOGIN_IN_PROGRESS",
            "a login is in progress",
        ),
        (
            Problem::AlreadyLoggedIn,
            "ALREADY_LOGGED_IN",
            "this session is already logged in",
        ),
        (
            Problem::NotLoggedIn,
            "NOT_LOGGED_IN",
            "the account is not logged in",
        ),
        (
            Problem::UnknownChannel,
            "UNKNOWN_CHANNEL",
            "no such world and channel",
        ),
        (
            Problem::NotAwaitingLicense,
            "NOT_AWAITING_LICENSE",
            "no licence agreement is pending",
        ),
        (
            Problem::Unavailable(Unavailable::Kafka),
            "UNAVAILABLE",
            "the service cannot reach Kafka right now",
        ),
        (
            Problem::Unavailable(Unavailable::Limit("max_sessions")),
            "UNAVAILABLE",
            "too many sessions (max_sessions)",
        ),
    ];
    for (problem, code, message) in cases {
        assert_eq!(
            line(&Output::Problem(problem)),
            format!("{{\"event\":\"error\",\"code\":\"{code}\",\"message\":\"{message}\"}}\n")
        );
    }
}

#[test]
fn every_end_the_client_can_hear_is_a_bye_and_the_others_are_silent() {
    let cases = [
        (EndReason::Logout, Some("logout")),
        (EndReason::IdleTimeout, Some("idle_timeout")),
        (EndReason::Shutdown, Some("shutdown")),
        (EndReason::LicenseDeclined, Some("license_declined")),
        (EndReason::ProtocolViolation, Some("protocol_violation")),
        (EndReason::Replaced, Some("replaced")),
        (EndReason::ClientClosed, None),
        (EndReason::ClientStalled, None),
        (EndReason::Crashed, None),
        (EndReason::Unrecorded, None),
        (EndReason::TooManyAttempts, None),
    ];
    for (reason, bye) in cases {
        let output = Output::Ending(reason);
        assert_eq!(reason.is_told(), bye.is_some(), "{reason:?}");
        match bye {
            Some(text) => assert_eq!(
                line(&output),
                format!("{{\"event\":\"bye\",\"reason\":\"{text}\"}}\n")
            ),
            None => assert!(Event::of(&output).is_none()),
        }
    }
}

#[test]
fn event_text_is_escaped_so_a_line_holds_exactly_one_newline() {
    let text = line(&Output::Problem(Problem::BadRequest("a\nb\"c".into())));
    assert_eq!(text.matches('\n').count(), 1);
    assert_eq!(
        text,
        "{\"event\":\"error\",\"code\":\"BAD_REQUEST\",\"message\":\"a\\nb\\\"c\"}\n"
    );
}
