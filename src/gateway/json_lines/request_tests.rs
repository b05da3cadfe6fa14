//! Tests of `gateway/json_lines/request.rs`.

use super::*;
use serde_json::json;
const SECRET: &str = "hunter2-s3cr3t";
const HWID: &str = "00112233445566778899AABBCCDDEEFF";

fn decode(line: &str) -> Result<Request, RequestError> {
    decode_request(line.as_bytes())
}

fn bad_field(field: &'static str, why: &'static str) -> Result<Request, RequestError> {
    Err(RequestError::BadField { field, why })
}

fn login(account_name: &str, password: &str, hwid: &str) -> Request {
    Request::Login(Credentials {
        account_name: account_name.into(),
        password: password.into(),
        hwid: hwid.into(),
    })
}

#[test]
fn spec_example_requests_decode() {
    let request = r#"{"op":"login","accountName":"admin","password":"admin","hwid":"00112233445566778899AABBCCDDEEFF"}"#;
    assert_eq!(
        decode(request),
        Ok(login("admin", "admin", "00112233445566778899aabbccddeeff"))
    );
    let request = r#"{"op":"select_character","characterId":1,"worldId":0,"channelId":0}"#;
    let select = Request::SelectCharacter {
        character_id: 1,
        world_id: 0,
        channel_id: 0,
    };
    assert_eq!(decode(request), Ok(select));
    assert_eq!(decode(r#"{"op":"logout"}"#), Ok(Request::Logout));
}

#[test]
fn login_without_hwid_or_with_an_empty_or_null_one_has_an_empty_hwid() {
    for request in [
        r#"{"op":"login","accountName":"admin","password":"admin"}"#,
        r#"{"op":"login","accountName":"admin","password":"admin","hwid":""}"#,
        r#"{"op":"login","accountName":"admin","password":"admin","hwid":null}"#,
    ] {
        assert_eq!(
            decode(request),
            Ok(login("admin", "admin", "")),
            "{request}"
        );
    }
}

#[test]
fn login_accepts_names_and_passwords_at_their_byte_limits() {
    let name = "n".repeat(64);
    let password = "p".repeat(128);
    let request = json!({"op": "login", "accountName": name, "password": password}).to_string();
    assert_eq!(decode(&request), Ok(login(&name, &password, "")));
}

#[test]
fn login_strings_with_escapes_are_unescaped() {
    let request = r#"{"op":"login","accountName":"ad\u006din","password":"a\"b\\c","hwid":"00112233445566778899aabbccddeeff"}"#;
    assert_eq!(
        decode(request),
        Ok(login(
            "admin",
            "a\"b\\c",
            "00112233445566778899aabbccddeeff"
        ))
    );
}

#[test]
fn accept_license_carries_the_answer() {
    assert_eq!(
        decode(r#"{"op":"accept_license","accepted":true}"#),
        Ok(Request::AcceptLicense { accepted: true })
    );
    assert_eq!(
        decode(r#"{"op":"accept_license","accepted":false}"#),
        Ok(Request::AcceptLicense { accepted: false })
    );
}

#[test]
fn select_character_accepts_the_largest_ids() {
    let request =
        r#"{"op":"select_character","characterId":4294967295,"worldId":255,"channelId":255}"#;
    let expected = Request::SelectCharacter {
        character_id: u32::MAX,
        world_id: 255,
        channel_id: 255,
    };
    assert_eq!(decode(request), Ok(expected));
}

#[test]
fn ping_and_logout_need_no_fields() {
    assert_eq!(decode(r#"{"op":"ping"}"#), Ok(Request::Ping));
    assert_eq!(decode(r#" { "op" : "logout" } "#), Ok(Request::Logout));
}

#[test]
fn unknown_fields_and_fields_of_other_ops_are_ignored_whatever_their_type() {
    let request = r#"{"x":[1,{"y":[null]}],"op":"ping","accountName":5,"password":{},"worldId":-1,"z":"\u0000"}"#;
    assert_eq!(decode(request), Ok(Request::Ping));
}

#[test]
fn the_last_of_duplicate_fields_wins() {
    assert_eq!(decode(r#"{"op":"login","op":"ping"}"#), Ok(Request::Ping));
}

#[test]
fn a_trailing_carriage_return_is_stripped() {
    assert_eq!(decode_request(b"{\"op\":\"ping\"}\r"), Ok(Request::Ping));
    let request = b"{\"op\":\"login\",\"accountName\":\"admin\",\"password\":\"admin\"}\r";
    assert_eq!(decode_request(request), Ok(login("admin", "admin", "")));
}

#[test]
fn invalid_utf8_is_rejected() {
    assert_eq!(
        decode_request(b"{\"op\":\"ping\",\"x\":\"\xff\"}"),
        Err(RequestError::NotUtf8)
    );
    assert_eq!(
        decode_request(b"{\"op\":\"p\xc3\"}"),
        Err(RequestError::NotUtf8)
    );
    assert_eq!(RequestError::NotUtf8.to_string(), "line is not valid utf-8");
}

#[test]
fn lines_that_are_not_json_are_rejected() {
    for request in [
        "",
        "\r",
        "ping",
        "{",
        r#"{"op":"ping"} x"#,
        r#"{"op":'ping'}"#,
        r#"{"op":"\q"}"#,
    ] {
        assert_eq!(decode(request), Err(RequestError::NotJson), "{request:?}");
    }
    assert_eq!(RequestError::NotJson.to_string(), "line is not valid json");
}

#[test]
fn json_that_is_not_an_object_is_rejected() {
    for request in ["[]", r#"["op","ping"]"#, r#""ping""#, "1", "true", "null"] {
        assert_eq!(
            decode(request),
            Err(RequestError::NotAnObject),
            "{request:?}"
        );
    }
    assert_eq!(
        RequestError::NotAnObject.to_string(),
        "line is not a json object"
    );
}

#[test]
fn deeply_nested_values_are_skipped_without_overflowing_the_stack() {
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let request = format!(r#"{{"op":"ping","x":{nested},"accountName":{nested}}}"#);
    assert_eq!(decode(&request), Ok(Request::Ping));
    let request = format!(r#"{{"op":"ping","x":{}}}"#, "[".repeat(100_000));
    assert_eq!(decode(&request), Err(RequestError::NotJson));
}

#[test]
fn a_missing_or_null_op_is_rejected() {
    assert_eq!(decode("{}"), Err(RequestError::MissingOp));
    assert_eq!(
        decode(r#"{"op":null,"accountName":"admin"}"#),
        Err(RequestError::MissingOp)
    );
    assert_eq!(RequestError::MissingOp.to_string(), "op is required");
}

#[test]
fn an_op_that_is_not_a_string_is_rejected() {
    for request in [
        r#"{"op":1}"#,
        r#"{"op":true}"#,
        r#"{"op":["ping"]}"#,
        r#"{"op":{}}"#,
    ] {
        assert_eq!(
            decode(request),
            bad_field("op", "must be a string"),
            "{request}"
        );
    }
    assert_eq!(
        bad_field("op", "must be a string").unwrap_err().to_string(),
        "op must be a string"
    );
}

#[test]
fn an_unknown_op_is_named_in_the_error() {
    assert_eq!(
        decode(r#"{"op":"fly"}"#),
        Err(RequestError::UnknownOp("fly".into()))
    );
    assert_eq!(
        decode(r#"{"op":"PING"}"#),
        Err(RequestError::UnknownOp("PING".into()))
    );
    assert_eq!(
        RequestError::UnknownOp("fly".into()).to_string(),
        "unknown op \"fly\""
    );
}

#[test]
fn a_long_unknown_op_is_echoed_truncated_on_a_character_boundary() {
    let op = format!("a{}", "é".repeat(40));
    let Err(RequestError::UnknownOp(echoed)) = decode(&json!({ "op": op }).to_string()) else {
        panic!("expected an unknown op");
    };
    assert_eq!(echoed, format!("a{}", "é".repeat(15)));
}

#[test]
fn login_rejects_a_missing_empty_long_or_non_string_account_name() {
    let cases = [
        (json!({"op": "login", "password": "p"}), "is required"),
        (
            json!({"op": "login", "accountName": null, "password": "p"}),
            "is required",
        ),
        (
            json!({"op": "login", "accountName": "", "password": "p"}),
            "must be 1 to 64 bytes",
        ),
        (
            json!({"op": "login", "accountName": "n".repeat(65), "password": "p"}),
            "must be 1 to 64 bytes",
        ),
        (
            json!({"op": "login", "accountName": "é".repeat(33), "password": "p"}),
            "must be 1 to 64 bytes",
        ),
        (
            json!({"op": "login", "accountName": 1, "password": "p"}),
            "must be a string",
        ),
        (
            json!({"op": "login", "accountName": ["admin"], "password": "p"}),
            "must be a string",
        ),
    ];
    for (request, why) in cases {
        assert_eq!(
            decode(&request.to_string()),
            bad_field("accountName", why),
            "{request}"
        );
    }
}

#[test]
fn login_rejects_a_missing_empty_long_or_non_string_password() {
    let cases = [
        (json!({"op": "login", "accountName": "a"}), "is required"),
        (
            json!({"op": "login", "accountName": "a", "password": ""}),
            "must be 1 to 128 bytes",
        ),
        (
            json!({"op": "login", "accountName": "a", "password": "p".repeat(129)}),
            "must be 1 to 128 bytes",
        ),
        (
            json!({"op": "login", "accountName": "a", "password": 1234}),
            "must be a string",
        ),
        (
            json!({"op": "login", "accountName": "a", "password": false}),
            "must be a string",
        ),
    ];
    for (request, why) in cases {
        assert_eq!(
            decode(&request.to_string()),
            bad_field("password", why),
            "{request}"
        );
    }
}

#[test]
fn login_rejects_an_hwid_that_is_not_32_hex_digits() {
    let hwids = [
        json!(&HWID[1..]),
        json!(format!("{HWID}0")),
        json!(format!("g{}", &HWID[1..])),
        json!(format!("é{}", &HWID[2..])),
        json!(format!("0x{}", &HWID[2..])),
        json!(12345),
        json!([HWID]),
    ];
    for hwid in hwids {
        let request = json!({"op": "login", "accountName": "a", "password": "p", "hwid": hwid});
        assert_eq!(
            decode(&request.to_string()),
            bad_field("hwid", "must be empty or 32 hex digits"),
            "{request}"
        );
    }
}

#[test]
fn login_error_messages_never_contain_the_password_or_hwid() {
    let hwid = "DEADBEEFdeadbeefDEADBEEFdeadbee";
    let requests = [
        json!({"op": "login", "accountName": "", "password": SECRET, "hwid": hwid}).to_string(),
        json!({"op": "login", "accountName": SECRET, "password": SECRET.repeat(10), "hwid": hwid})
            .to_string(),
        json!({"op": "login", "accountName": "a", "password": SECRET, "hwid": hwid}).to_string(),
        json!({"op": "login", "accountName": "a", "password": [SECRET], "hwid": [hwid]})
            .to_string(),
        json!({"op": "login", "accountName": [SECRET], "password": SECRET}).to_string(),
        json!({"op": "login", "accountName": "a", "password": {"p": SECRET}}).to_string(),
        format!(r#"{{"op":"login","accountName":"a","password":"{SECRET}","hwid":"{hwid}"#),
        format!(r#"{{"op":"login","accountName":"a","password":"{SECRET}"}} "{SECRET}""#),
        format!(r#"["login","{SECRET}","{hwid}"]"#),
    ];
    for request in requests {
        let error = decode(&request).unwrap_err();
        let message = error.to_string();
        assert!(
            !message.contains(SECRET) && !message.contains(hwid),
            "{message}"
        );
        let debug = format!("{error:?}");
        assert!(!debug.contains(SECRET) && !debug.contains(hwid), "{debug}");
    }
}

#[test]
fn login_debug_output_redacts_the_password_and_hwid() {
    let request = decode(
        &json!({"op": "login", "accountName": "admin", "password": SECRET, "hwid": HWID})
            .to_string(),
    )
    .unwrap();
    for debug in [format!("{request:?}"), format!("{request:#?}")] {
        assert!(debug.contains("admin"), "{debug}");
        assert!(debug.contains("<redacted>"), "{debug}");
        assert!(!debug.contains(SECRET), "{debug}");
        assert!(
            !debug
                .to_ascii_lowercase()
                .contains(&HWID.to_ascii_lowercase()),
            "{debug}"
        );
    }
}

#[test]
fn accept_license_requires_a_boolean() {
    assert_eq!(
        decode(r#"{"op":"accept_license"}"#),
        bad_field("accepted", "is required")
    );
    assert_eq!(
        decode(r#"{"op":"accept_license","accepted":null}"#),
        bad_field("accepted", "is required")
    );
    for value in ["\"true\"", "1", "0", "[]"] {
        let request = format!(r#"{{"op":"accept_license","accepted":{value}}}"#);
        assert_eq!(
            decode(&request),
            bad_field("accepted", "must be true or false"),
            "{request}"
        );
    }
}

#[test]
fn select_character_requires_every_id() {
    let cases = [
        (
            r#"{"op":"select_character","worldId":0,"channelId":0}"#,
            "characterId",
        ),
        (
            r#"{"op":"select_character","characterId":1,"channelId":0}"#,
            "worldId",
        ),
        (
            r#"{"op":"select_character","characterId":1,"worldId":0,"channelId":null}"#,
            "channelId",
        ),
    ];
    for (request, field) in cases {
        assert_eq!(
            decode(request),
            bad_field(field, "is required"),
            "{request}"
        );
    }
}

#[test]
fn select_character_rejects_negative_fractional_out_of_range_and_non_numeric_ids() {
    const U32: &str = "must be an integer from 0 to 4294967295";
    const U8: &str = "must be an integer from 0 to 255";
    let cases = [
        ("-1", "0", "0", "characterId", U32),
        ("1.0", "0", "0", "characterId", U32),
        ("1e2", "0", "0", "characterId", U32),
        ("4294967296", "0", "0", "characterId", U32),
        ("99999999999999999999", "0", "0", "characterId", U32),
        ("\"1\"", "0", "0", "characterId", U32),
        ("1", "256", "0", "worldId", U8),
        ("1", "-0.5", "0", "worldId", U8),
        ("1", "true", "0", "worldId", U8),
        ("1", "0", "1000", "channelId", U8),
        ("1", "0", "1.5", "channelId", U8),
        ("1", "0", "{}", "channelId", U8),
    ];
    for (character, world, channel, field, why) in cases {
        let request = format!(
            r#"{{"op":"select_character","characterId":{character},"worldId":{world},"channelId":{channel}}}"#
        );
        assert_eq!(decode(&request), bad_field(field, why), "{request}");
    }
    let error = RequestError::BadField {
        field: "worldId",
        why: U8,
    };
    assert_eq!(
        error.to_string(),
        "worldId must be an integer from 0 to 255"
    );
}
