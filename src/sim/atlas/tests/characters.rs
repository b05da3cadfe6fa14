//! Characters, inventories, guilds and deletion.

use super::{gms83, start};
use crate::rest::RestError;

#[tokio::test]
async fn characters_of_an_account_per_world() {
    let h = start().await;
    let ctx = gms83();
    let scania = h.client.characters_of(&ctx, 1, 0).await.expect("scania");
    let names: Vec<&str> = scania.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Admin", "Nova", "Brawler"]);
    assert_eq!(
        (scania[0].gm, scania[1].job_id, scania[1].sp.clone()),
        (1, 2200, vec![1, 3, 0, 0, 0, 0, 0, 0, 0, 0])
    );
    assert_eq!(
        h.client
            .characters_of(&ctx, 1, 1)
            .await
            .expect("bera")
            .len(),
        1
    );
    assert_eq!(
        h.client.characters_of(&ctx, 5, 0).await.expect("alice")[0].name,
        "Alice"
    );
    assert!(h
        .client
        .characters_of(&ctx, 6, 0)
        .await
        .expect("sim 404 → empty")
        .is_empty());
}

#[tokio::test]
async fn names_are_looked_up_case_insensitively_and_escaped() {
    let h = start().await;
    let ctx = gms83();
    assert_eq!(
        h.client
            .characters_named(&ctx, "admin")
            .await
            .expect("admin")[0]
            .id,
        1
    );
    assert!(h
        .client
        .characters_named(&ctx, "Nobody")
        .await
        .expect("free")
        .is_empty());
    assert!(h
        .client
        .characters_named(&ctx, "Jo sé&worldId=0")
        .await
        .expect("escaped")
        .is_empty());
}

#[tokio::test]
async fn one_character_and_its_equipped_items() {
    let h = start().await;
    let ctx = gms83();
    let admin = h.client.character(&ctx, 1).await.expect("admin");
    assert_eq!(
        (admin.account_id, admin.level, admin.map_id),
        (1, 200, 180_000_000)
    );
    let inv = h.client.inventory(&ctx, 1).await.expect("inventory");
    assert_eq!((inv.character_id, inv.compartments.len()), (1, 5));
    let equipped: Vec<(i16, u32)> = inv
        .equipped()
        .iter()
        .map(|a| (a.slot, a.template_id))
        .collect();
    assert_eq!(
        equipped,
        [
            (-1, 1_002_140),
            (-5, 1_042_003),
            (-6, 1_062_007),
            (-7, 1_072_010),
            (-11, 1_302_000),
            (-101, 1_002_186)
        ]
    );
    let cash_hat = inv.equipped()[5];
    assert_eq!(cash_hat.equip_position(), Some((1, true)));
    assert_ne!(cash_hat.cash_id, "0");
    assert!(matches!(
        h.client.character(&ctx, 99).await,
        Err(RestError::NotFound { .. })
    ));
    assert!(matches!(
        h.client.inventory(&ctx, 99).await,
        Err(RestError::NotFound { .. })
    ));
}

#[tokio::test]
async fn guild_membership_and_an_empty_list_for_no_guild() {
    let h = start().await;
    let ctx = gms83();
    let guild = h
        .client
        .guild_of(&ctx, 1)
        .await
        .expect("guild")
        .expect("admin has one");
    assert!(guild.is_leader(1));
    assert_eq!(guild.members.len(), 3);
    let member = h
        .client
        .guild_of(&ctx, 3)
        .await
        .expect("guild")
        .expect("brawler has one");
    assert!(!member.is_leader(3));
    assert_eq!(h.client.guild_of(&ctx, 2).await.expect("no guild"), None);
}

#[tokio::test]
async fn delete_removes_the_character_its_inventory_and_membership() {
    let h = start().await;
    let ctx = gms83();
    h.client.delete_character(&ctx, 3).await.expect("delete");
    assert!(matches!(
        h.client.character(&ctx, 3).await,
        Err(RestError::NotFound { .. })
    ));
    assert!(matches!(
        h.client.inventory(&ctx, 3).await,
        Err(RestError::NotFound { .. })
    ));
    assert_eq!(
        h.client
            .characters_of(&ctx, 1, 0)
            .await
            .expect("left")
            .len(),
        2
    );
    assert_eq!(h.client.guild_of(&ctx, 3).await.expect("guild"), None);
    let again = h
        .client
        .delete_character(&ctx, 3)
        .await
        .expect_err("already gone");
    assert!(matches!(again, RestError::NotFound { .. }), "{again}");
}
