//! The gateway line decoder, fed any bytes a client could send as one line.
//!
//! Checks: it never panics; a decoded request keeps the documented limits; the `error` line the
//! client would get is one valid JSON line; and when the line is a JSON object with a string
//! `password` of at least 8 characters, no error (message, `Debug`, `error` line) and no
//! decoded request's `Debug` contains the password or depends on its content.

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::gateway::json_lines::{decode_request, Event, RequestError};
use login_orchestrator::session::output::{Output, Problem};
use login_orchestrator::session::request::Request;
use serde_json::Value;

/// The `error` line a client gets for an undecodable line.
fn error_line(error: &RequestError) -> Vec<u8> {
    let output = Output::Problem(Problem::BadRequest(error.to_string()));
    let mut line = Vec::new();
    Event::of(&output).expect("an error is told").write_line(&mut line);
    line
}

fuzz_target!(|line: &[u8]| {
    let result = decode_request(line);
    check_shape(&result);
    check_password_never_leaks(line, &result);
});

/// What a decoded request or an error may look like.
fn check_shape(result: &Result<Request, RequestError>) {
    match result {
        Ok(Request::Login(login)) => {
            assert!((1..=64).contains(&login.account_name.len()));
            assert!((1..=128).contains(&login.password.len()));
            assert!(
                login.hwid.is_empty()
                    || (login.hwid.len() == 32
                        && login.hwid.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))),
                "hwid not normalised"
            );
        }
        Ok(_) => {}
        Err(error) => {
            if let RequestError::UnknownOp(op) = error {
                assert!(op.len() <= 32, "echoed op longer than 32 bytes");
            }
            let wire = error_line(error);
            assert_eq!(wire.last(), Some(&b'\n'));
            assert_eq!(wire.iter().filter(|&&b| b == b'\n').count(), 1, "error spans lines");
            let parsed: Value = serde_json::from_slice(&wire).expect("error line is json");
            assert_eq!(parsed["event"], "error");
        }
    }
}

/// Everything the session may show of a decode result: the error's message, its `Debug`, the
/// `error` line sent to the client, or a request's `Debug`.
fn shown(result: &Result<Request, RequestError>) -> Vec<String> {
    match result {
        Ok(request) => vec![format!("{request:?}"), format!("{request:#?}")],
        Err(error) => vec![
            error.to_string(),
            format!("{error:?}"),
            String::from_utf8_lossy(&error_line(error)).into_owned(),
        ],
    }
}

fn check_password_never_leaks(line: &[u8], result: &Result<Request, RequestError>) {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let Ok(Value::Object(mut object)) = serde_json::from_slice::<Value>(line) else {
        return;
    };
    let Some(Value::String(password)) = object.get("password").cloned() else {
        return;
    };
    if password.chars().count() < 8 {
        return;
    }

    // The password in what is shown is a leak unless that text arises from elsewhere in the
    // line (an echoed op containing it, or fixed text that happens to): the differential below
    // decides, with the same line re-encoded and only the password's content changed (same
    // byte length, so every validation sees the same thing).
    let same_line = decode_request(&serde_json::to_vec(&object).expect("re-encode"));
    let Some(filler) = (b'!'..=b'~').map(char::from).find(|c| !password.contains(*c)) else {
        return; // the password holds every printable ASCII character: no stand-in of its length
    };
    let other = filler.to_string().repeat(password.len());
    object.insert("password".into(), Value::String(other.clone()));
    let other_line = decode_request(&serde_json::to_vec(&object).expect("re-encode"));

    // The password's content never changes the outcome, apart from the request carrying it.
    let redact = |result: &Result<Request, RequestError>| match result {
        Ok(Request::Login(login)) => {
            let mut login = login.clone();
            login.password = String::new();
            Ok(Request::Login(login))
        }
        other => other.clone(),
    };
    assert_eq!(redact(&same_line), redact(&other_line), "outcome depends on the password");
    for (one, two) in shown(&same_line).iter().zip(shown(&other_line).iter()) {
        assert_eq!(one, two, "shown text depends on the password's content");
    }

    // Direct: the text shown for the original line holds no password, unless the re-encoded
    // line decodes alike and the differential above showed it does not come from the password.
    for text in shown(result) {
        if text.contains(&password) {
            assert_eq!(
                shown(result),
                shown(&same_line),
                "password {password:?} appears in {text:?}"
            );
        }
    }
}
