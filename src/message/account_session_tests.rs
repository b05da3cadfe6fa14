//! Tests of `message/account_session.rs`.

use super::*;

const SESSION: &str = "6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b";
const HWID: &str = "00112233445566778899aabbccddeeff";

fn session() -> Uuid {
    Uuid::parse_str(SESSION).expect("golden session id parses")
}

fn create_body() -> CreateBody {
    CreateBody {
        account_name: "admin".into(),
        password: "s3cr3t-pa55".into(),
        ip_address: "192.168.1.10".into(),
        hwid: HWID.into(),
    }
}

fn event(text: &str) -> Result<StatusEvent, DecodeError> {
    Envelope::decode(text.as_bytes())?.into_event()
}

/// An event for the golden session and account 1 with the given type and body text.
fn typed(kind: &str, body: &str) -> Result<StatusEvent, DecodeError> {
    event(&format!(
        r#"{{"sessionId":"{SESSION}","accountId":1,"accountName":"admin","type":"{kind}","body":{body}}}"#
    ))
}

fn error_body(body: &str) -> Result<ErrorBody, DecodeError> {
    match typed("ERROR", body)?.body {
        EventBody::Error(error) => Ok(error),
        other => panic!("not an error body: {other:?}"),
    }
}

fn params_of(body: &str) -> Option<TransitionParams> {
    match typed("STATE_CHANGED", body)
        .expect("state changed decodes")
        .body
    {
        EventBody::StateChanged { params, .. } => params,
        other => panic!("not state changed: {other:?}"),
    }
}

#[test]
fn golden_create_serialises_byte_for_byte() {
    let body = CreateBody {
        password: "admin".into(),
        ..create_body()
    };
    let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":0,"author":"LOGIN","type":"CREATE","body":{"accountName":"admin","password":"admin","ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#;
    assert_eq!(
        Command::create(session(), 0, body).to_json(),
        want.as_bytes()
    );
}

#[test]
fn golden_progress_state_serialises_byte_for_byte() {
    let params = ChannelParams {
        ip_address: "10.0.0.5".into(),
        port: 7575,
        character_id: 1,
    };
    let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"author":"LOGIN","type":"PROGRESS_STATE","body":{"state":2,"params":{"ipAddress":"10.0.0.5","port":7575,"characterId":1}}}"#;
    assert_eq!(
        Command::progress_state(session(), 1, 2, params).to_json(),
        want.as_bytes()
    );
}

#[test]
fn golden_logout_serialises_byte_for_byte() {
    let want = r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"author":"LOGIN","type":"LOGOUT","body":{}}"#;
    assert_eq!(Command::logout(session(), 1).to_json(), want.as_bytes());
}

#[test]
fn logout_body_is_an_empty_object() {
    assert_eq!(
        serde_json::to_string(&LogoutBody {}).expect("serialises"),
        "{}"
    );
}

#[test]
fn commands_carry_the_login_author() {
    let command = Command::logout(session(), 1);
    assert_eq!((command.author, command.kind), ("LOGIN", "LOGOUT"));
    assert_eq!(Command::create(session(), 0, create_body()).kind, "CREATE");
}

#[test]
fn create_body_strings_are_escaped() {
    let body = CreateBody {
        password: "a\"b\\c\u{1}é".into(),
        ..create_body()
    };
    let json = Command::create(session(), 0, body).to_json();
    let text = String::from_utf8(json).expect("utf-8");
    assert!(text.contains(r#""password":"a\"b\\c\u0001é""#), "{text}");
}

#[test]
fn debug_of_create_body_redacts_password_and_hwid() {
    let body = create_body();
    for text in [format!("{body:?}"), format!("{body:#?}")] {
        assert!(!text.contains("s3cr3t-pa55"), "{text}");
        assert!(!text.contains(HWID), "{text}");
        assert!(
            text.contains("<redacted>") && text.contains("admin"),
            "{text}"
        );
    }
}

#[test]
fn debug_of_create_command_redacts_password_and_hwid() {
    let command = Command::create(session(), 0, create_body());
    for text in [format!("{command:?}"), format!("{command:#?}")] {
        assert!(!text.contains("s3cr3t-pa55"), "{text}");
        assert!(!text.contains(HWID), "{text}");
        assert!(text.contains(SESSION), "{text}");
    }
}

#[test]
fn golden_created_decodes() {
    let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"CREATED","body":{"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#)
        .expect("golden vector decodes");
    let want = StatusEvent {
        session_id: session(),
        account_id: 1,
        account_name: "admin".into(),
        body: EventBody::Created,
    };
    assert_eq!(got, want);
}

#[test]
fn golden_request_license_agreement_decodes() {
    let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"REQUEST_LICENSE_AGREEMENT","body":null}"#)
        .expect("golden vector decodes");
    assert_eq!((got.session_id, got.account_id), (session(), 1));
    assert_eq!(got.body, EventBody::LicenseAgreementRequired);
}

#[test]
fn golden_state_changed_decodes() {
    let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"STATE_CHANGED","body":{"state":2,"params":{"characterId":1,"ipAddress":"10.0.0.5","port":7575}}}"#)
        .expect("golden vector decodes");
    let params = TransitionParams {
        character_id: 1,
        ip_address: "10.0.0.5".into(),
        port: 7575,
    };
    assert_eq!(
        got.body,
        EventBody::StateChanged {
            state: 2,
            params: Some(params)
        }
    );
    assert_eq!(got.account_name, "admin");
}

#[test]
fn golden_not_registered_error_decodes() {
    let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":0,"accountName":"","type":"ERROR","body":{"code":"NOT_REGISTERED","reason":0,"until":0,"ipAddress":"192.168.1.10","hwid":"00112233445566778899aabbccddeeff"}}"#)
        .expect("golden vector decodes");
    let want = ErrorBody {
        code: "NOT_REGISTERED".into(),
        reason: 0,
        until: Until::Ticks(0),
    };
    assert_eq!(
        (got.session_id, got.account_id, got.account_name.as_str()),
        (session(), 0, "")
    );
    assert_eq!(got.body, EventBody::Error(want));
}

#[test]
fn golden_deleted_or_blocked_error_decodes_with_a_non_zero_until() {
    let got = event(r#"{"sessionId":"6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","accountId":1,"accountName":"admin","type":"ERROR","body":{"code":"DELETED_OR_BLOCKED","reason":1,"until":133500000000000000,"ipAddress":"","hwid":""}}"#)
        .expect("golden vector decodes");
    let EventBody::Error(error) = got.body else {
        panic!("not an error: {got:?}")
    };
    assert_eq!(
        (error.code.as_str(), error.reason),
        ("DELETED_OR_BLOCKED", 1)
    );
    assert_eq!(error.until, Until::Ticks(133_500_000_000_000_000));
    assert!(!error.until.is_zero());
}

#[test]
fn envelope_decodes_without_decoding_the_body() {
    let text = format!(
        r#"{{"sessionId":"{SESSION}","accountId":7,"accountName":"admin","type":"STATE_CHANGED","body":{{"state":"x"}}}}"#
    );
    let envelope = Envelope::decode(text.as_bytes()).expect("envelope decodes");
    assert_eq!((envelope.session_id, envelope.account_id), (session(), 7));
    assert_eq!(
        (envelope.account_name.as_ref(), envelope.kind.as_ref()),
        ("admin", "STATE_CHANGED")
    );
    assert!(matches!(envelope.account_name, Cow::Borrowed(_)));
    assert_eq!(envelope.body.map(RawValue::get), Some(r#"{"state":"x"}"#));
    assert!(matches!(envelope.into_event(), Err(DecodeError::Json(_))));
}

#[test]
fn debug_of_envelope_hides_the_body() {
    let text =
        format!(r#"{{"sessionId":"{SESSION}","type":"CREATED","body":{{"hwid":"{HWID}"}}}}"#);
    let envelope = Envelope::decode(text.as_bytes()).expect("decodes");
    let debug = format!("{envelope:?}");
    assert!(
        !debug.contains(HWID) && debug.contains("CREATED"),
        "{debug}"
    );
}

#[test]
fn missing_and_null_envelope_fields_are_zero_values() {
    for text in [
        r#"{"type":"CREATED"}"#,
        r#"{"sessionId":null,"accountId":null,"accountName":null,"type":"CREATED","body":null}"#,
    ] {
        let got = event(text).expect("decodes");
        let want = StatusEvent {
            session_id: Uuid::nil(),
            account_id: 0,
            account_name: String::new(),
            body: EventBody::Created,
        };
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn a_null_message_is_an_unknown_zero_event() {
    let got = event("null").expect("decodes");
    assert!(got.session_id.is_nil());
    assert_eq!(got.body, EventBody::Unknown(String::new()));
}

#[test]
fn unknown_fields_are_ignored_in_envelope_and_bodies() {
    let text = format!(
        r#"{{"x":[1],"sessionId":"{SESSION}","accountId":1,"type":"ERROR","tenant":{{}},"body":{{"code":"SYSTEM_ERROR","extra":true}}}}"#
    );
    let got = event(&text).expect("decodes");
    let want = ErrorBody {
        code: "SYSTEM_ERROR".into(),
        ..ErrorBody::default()
    };
    assert_eq!(got.body, EventBody::Error(want));
}

#[test]
fn unknown_type_is_unknown() {
    let got = typed("DELETED", "{}").expect("decodes");
    assert_eq!(got.body, EventBody::Unknown("DELETED".into()));
}

#[test]
fn body_null_or_absent_gives_zero_bodies() {
    let base = format!(r#"{{"sessionId":"{SESSION}","accountId":1"#);
    for kind in [
        "STATE_CHANGED",
        "ERROR",
        "CREATED",
        "REQUEST_LICENSE_AGREEMENT",
    ] {
        for tail in [r#","body":null}"#, "}"] {
            let got = event(&format!(r#"{base},"type":"{kind}"{tail}"#)).expect("decodes");
            let want = match kind {
                "STATE_CHANGED" => EventBody::StateChanged {
                    state: 0,
                    params: None,
                },
                "ERROR" => EventBody::Error(ErrorBody::default()),
                "CREATED" => EventBody::Created,
                _ => EventBody::LicenseAgreementRequired,
            };
            assert_eq!(got.body, want, "{kind}{tail}");
        }
    }
}

#[test]
fn state_changed_params_never_fail_the_event() {
    for params in [
        "null",
        r#""10.0.0.5:7575""#,
        "[1,2,3]",
        "7",
        r#"{"ipAddress":5}"#,
        r#"{"port":70000}"#,
        r#"{"characterId":-1}"#,
    ] {
        let body = format!(r#"{{"state":2,"params":{params}}}"#);
        assert_eq!(params_of(&body), None, "{params}");
    }
    assert_eq!(params_of(r#"{"state":2}"#), None);
}

#[test]
fn state_changed_params_tolerate_missing_null_and_unknown_members() {
    let got = params_of(r#"{"state":2,"params":{"ipAddress":"10.0.0.5","port":null,"worldId":1}}"#);
    let want = TransitionParams {
        ip_address: "10.0.0.5".into(),
        ..TransitionParams::default()
    };
    assert_eq!(got, Some(want));
}

#[test]
fn state_out_of_range_or_mistyped_is_an_error() {
    for state in ["256", "-1", "2.5", "2e0", r#""2""#] {
        let body = format!(r#"{{"state":{state},"params":null}}"#);
        assert!(
            matches!(typed("STATE_CHANGED", &body), Err(DecodeError::Json(_))),
            "{state}"
        );
    }
    assert!(typed("STATE_CHANGED", "[2]").is_err());
    assert!(typed("STATE_CHANGED", r#""x""#).is_err());
}

#[test]
fn reason_out_of_range_negative_or_fractional_is_an_error() {
    for reason in ["256", "-1", "1.5", "1e0", r#""1""#] {
        let body = format!(r#"{{"code":"DELETED_OR_BLOCKED","reason":{reason}}}"#);
        assert!(
            matches!(error_body(&body), Err(DecodeError::Json(_))),
            "{reason}"
        );
    }
}

#[test]
fn until_missing_or_null_is_zero_ticks() {
    for body in [r#"{"code":"X"}"#, r#"{"code":"X","until":null}"#] {
        let error = error_body(body).expect("decodes");
        assert_eq!(error.until, Until::Ticks(0));
        assert!(error.until.is_zero());
    }
}

#[test]
fn until_as_zero_time_strings_is_zero() {
    for text in [
        "0001-01-01T00:00:00Z",
        "0001-01-01T00:00:00+00:00",
        "0001-01-01T00:00:00.000Z",
        "0001-01-01T01:00:00+01:00",
    ] {
        let error = error_body(&format!(r#"{{"until":"{text}"}}"#)).expect("decodes");
        assert_eq!(error.until, Until::Time(text.into()));
        assert!(error.until.is_zero(), "{text}");
    }
}

#[test]
fn until_as_a_real_time_string_is_not_zero() {
    for text in [
        "2026-05-01T12:30:00Z",
        "2026-05-01T12:30:00.5+02:00",
        "0001-01-01T00:00:01Z",
    ] {
        let error = error_body(&format!(r#"{{"until":"{text}"}}"#)).expect("decodes");
        assert!(!error.until.is_zero(), "{text}");
    }
}

#[test]
fn invalid_until_string_is_an_until_error() {
    for text in ["", "tomorrow", "2026-13-01T00:00:00Z", "2026-05-01", "0"] {
        let got = error_body(&format!(r#"{{"until":"{text}"}}"#));
        assert!(
            matches!(got, Err(DecodeError::Until { ref value, .. }) if value == text),
            "{text}"
        );
    }
}

#[test]
fn until_negative_fractional_or_mistyped_is_a_json_error() {
    for until in [
        "-1",
        "1.5",
        "1e3",
        "18446744073709551616",
        "true",
        "{}",
        "[]",
    ] {
        let got = error_body(&format!(r#"{{"until":{until}}}"#));
        assert!(matches!(got, Err(DecodeError::Json(_))), "{until}");
    }
}

#[test]
fn until_serialises_as_the_peer_sent_it() {
    let ticks = serde_json::to_string(&Until::Ticks(133_500_000_000_000_000)).expect("ok");
    assert_eq!(ticks, "133500000000000000");
    let time = serde_json::to_string(&Until::Time("0001-01-01T00:00:00Z".into())).expect("ok");
    assert_eq!(time, r#""0001-01-01T00:00:00Z""#);
}

#[test]
fn unvalidated_garbage_until_is_not_zero() {
    assert!(!Until::Time("garbage".into()).is_zero());
    assert!(!Until::Ticks(1).is_zero());
}

#[test]
fn wrong_envelope_types_are_errors() {
    for text in [
        format!(r#"{{"sessionId":"{SESSION}","accountId":"1","type":"CREATED"}}"#),
        format!(r#"{{"sessionId":"{SESSION}","accountId":4294967296,"type":"CREATED"}}"#),
        format!(r#"{{"sessionId":"{SESSION}","accountId":-1,"type":"CREATED"}}"#),
        format!(r#"{{"sessionId":"{SESSION}","accountId":1.5,"type":"CREATED"}}"#),
        format!(r#"{{"sessionId":"{SESSION}","accountName":1,"type":"CREATED"}}"#),
        format!(r#"{{"sessionId":"{SESSION}","type":7}}"#),
        r#"{"sessionId":"not-a-uuid","type":"CREATED"}"#.to_owned(),
        r#"{"sessionId":"","type":"CREATED"}"#.to_owned(),
        r#"{"sessionId":12,"type":"CREATED"}"#.to_owned(),
    ] {
        assert!(
            matches!(Envelope::decode(text.as_bytes()), Err(DecodeError::Json(_))),
            "{text}"
        );
    }
}

#[test]
fn non_json_is_an_error() {
    for text in [
        "",
        "CREATED",
        "[]",
        r#"{"sessionId":"#,
        "{\"type\":\"CREATED\"} x",
    ] {
        assert!(Envelope::decode(text.as_bytes()).is_err(), "{text}");
    }
    assert!(Envelope::decode(&[0xff, 0xfe]).is_err());
}
