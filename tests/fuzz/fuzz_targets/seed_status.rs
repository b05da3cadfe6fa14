//! Seed status events (`EVENT_TOPIC_SEED_STATUS`), fed any message value.
//! Checks: decoding never panics; a JSON array is never accepted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::message::seed::StatusEvent;

fuzz_target!(|value: &[u8]| {
    let decoded = StatusEvent::decode(value);
    if value.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        assert!(decoded.is_err(), "a json array decoded");
    }
    if let Ok(event) = decoded {
        let _ = format!("{event:?}");
    }
});
