//! Account-session status events (`EVENT_TOPIC_ACCOUNT_SESSION_STATUS`), fed any message value:
//! the envelope, then the body by type, as the consume loop decodes them.
//! Checks: neither stage panics; a JSON array is never accepted; the envelope's `Debug` never
//! shows the body; an error body's `until` is usable (`is_zero`, serialisation).

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::message::account_session::{Envelope, EventBody};

fuzz_target!(|value: &[u8]| {
    let envelope = Envelope::decode(value);
    if value.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        assert!(envelope.is_err(), "a json array decoded");
    }
    let Ok(envelope) = envelope else { return };
    let debug = format!("{envelope:?}");
    if let Some(body) = envelope.body {
        let body = body.get();
        // A body longer than anything else in the Debug output would show if it leaked.
        if body.len() > 64 && !envelope.account_name.contains(body) && !envelope.kind.contains(body)
        {
            assert!(!debug.contains(body), "envelope Debug shows the body");
        }
    }
    let Ok(event) = envelope.into_event() else { return };
    let _ = format!("{event:?}");
    match event.body {
        EventBody::Error(error) => {
            let _ = error.until.is_zero();
            serde_json::to_vec(&error.until).expect("until serialises");
        }
        EventBody::StateChanged {
            params: Some(params),
            ..
        } => {
            serde_json::to_vec(&params).expect("params serialise");
        }
        _ => {}
    }
});
