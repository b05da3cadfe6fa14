//! The character factory: validation, the transaction id, the seed event and the created
//! character.

use std::time::Duration;

use super::{gms83, start, SeedEvent};
use crate::rest::{RestError, SeedRequest, EQUIP};

fn seed(account: u32, world: u8, name: &str) -> SeedRequest {
    let mut seed = SeedRequest::new(account, world, name);
    (seed.job_index, seed.face, seed.hair, seed.hair_color) = (1, 20000, 30000, 3);
    (seed.top, seed.bottom, seed.shoes, seed.weapon) = (1_040_002, 1_060_002, 1_072_001, 1_302_000);
    seed
}

#[tokio::test]
async fn a_seed_creates_the_character_then_reports_it() {
    let h = start().await;
    let ctx = gms83();
    let tx = h
        .client
        .seed_character(&ctx, &seed(6, 1, "Bobby"))
        .await
        .expect("seed");
    assert!(tx.is_some(), "a transaction id");
    let event = h
        .seeds
        .first(Duration::from_secs(2))
        .await
        .expect("seed event");
    let SeedEvent::Created {
        tenant,
        account,
        character,
        traceparent,
    } = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(
        (
            tenant.id.to_string(),
            tenant.region.as_str(),
            tenant.major,
            tenant.minor
        ),
        (super::GMS83.into(), "GMS", 83, 1)
    );
    assert!(
        traceparent.is_some_and(|tp| tp.len() == 55),
        "the client's made-up traceparent reaches the sink"
    );
    assert_eq!(
        (account, character),
        (6, 6),
        "next id after the demo's five"
    );
    let created = h
        .client
        .character(&ctx, character)
        .await
        .expect("exists when reported");
    assert_eq!(
        (
            created.name.as_str(),
            created.world_id,
            created.hair,
            created.job_id
        ),
        ("Bobby", 1, 30003, 0)
    );
    assert_eq!(
        (created.level, created.strength, created.hp, created.mp),
        (1, 13, 50, 5)
    );
    let inv = h
        .client
        .inventory(&ctx, character)
        .await
        .expect("inventory");
    let slots: Vec<i16> = inv
        .compartment(EQUIP)
        .expect("equip")
        .assets
        .iter()
        .map(|a| a.slot)
        .collect();
    assert_eq!(slots, [-5, -6, -7, -11]);
    assert_eq!(
        h.client
            .characters_named(&ctx, "bobby")
            .await
            .expect("taken now")
            .len(),
        1
    );
}

#[tokio::test]
async fn the_request_s_trace_context_reaches_the_sink() {
    let h = start().await;
    let tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    let ctx = gms83().with_trace(tp.into(), Some("congo=t61rcWkgMzE".into()));
    h.client
        .seed_character(&ctx, &seed(6, 0, "Traced"))
        .await
        .expect("seed");
    let event = h
        .seeds
        .first(Duration::from_secs(2))
        .await
        .expect("seed event");
    let SeedEvent::Created { traceparent, .. } = event else {
        panic!("{event:?}")
    };
    assert_eq!(traceparent.as_deref(), Some(tp));
}

#[tokio::test]
async fn invalid_seeds_are_400_and_report_nothing() {
    let h = start().await;
    let ctx = gms83();
    for bad in [
        seed(6, 0, "no"),
        seed(6, 0, "bad name!"),
        seed(6, 9, "Fine"),
        seed(77, 0, "Fine"),
    ] {
        let err = h
            .client
            .seed_character(&ctx, &bad)
            .await
            .expect_err("invalid");
        assert!(matches!(err, RestError::BadRequest { .. }), "{err}");
    }
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert!(h.seeds.events().is_empty());
}

#[tokio::test]
async fn a_taken_name_is_accepted_then_reported_failed() {
    let h = start().await;
    let tx = h
        .client
        .seed_character(&gms83(), &seed(6, 0, "ALICE"))
        .await
        .expect("accepted");
    assert!(tx.is_some());
    let event = h
        .seeds
        .first(Duration::from_secs(2))
        .await
        .expect("seed event");
    let SeedEvent::Failed {
        account, reason, ..
    } = event
    else {
        panic!("{event:?}")
    };
    assert_eq!(account, 6);
    assert!(reason.contains("taken"), "{reason}");
}
