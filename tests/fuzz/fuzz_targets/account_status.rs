//! Account status events (`EVENT_TOPIC_ACCOUNT_STATUS`), fed any message value.
//! Checks: decoding never panics; a JSON array is never accepted; a decoded event survives an
//! encode/decode round trip unchanged.

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::message::account::StatusEvent;

fuzz_target!(|value: &[u8]| {
    let decoded = StatusEvent::decode(value);
    if value.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        assert!(decoded.is_err(), "a json array decoded");
    }
    let Ok(event) = decoded else { return };
    let _ = event.logged_in();
    let again = serde_json::to_vec(&event).expect("encode");
    assert_eq!(StatusEvent::decode(&again).expect("round trip decodes"), event);
});
