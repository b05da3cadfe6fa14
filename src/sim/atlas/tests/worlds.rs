//! Worlds and channels.

use super::{gms83, start};
use crate::rest::RestError;

#[tokio::test]
async fn the_server_list_hydrates_channels() {
    let h = start().await;
    let worlds = h.client.worlds(&gms83()).await.expect("worlds");
    assert_eq!(worlds.len(), 2);
    let (scania, bera) = (&worlds[0], &worlds[1]);
    assert_eq!((scania.id, scania.name.as_str()), (0, "Scania"));
    let ports: Vec<u16> = scania.channels.iter().map(|c| c.port).collect();
    assert_eq!(ports, [7575, 7576, 7577]);
    assert!(scania
        .channels
        .iter()
        .all(|c| c.ip_address == "127.0.0.1" && c.world_id == 0));
    assert_eq!(
        (bera.id, bera.channels.len(), bera.recommended),
        (1, 2, true)
    );
    assert_eq!(bera.recommended_message, "A fresh start on Bera!");
    assert_eq!(bera.channels[1].channel_id, 1);
}

#[tokio::test]
async fn one_world_one_channel_and_a_world_s_channels() {
    let h = start().await;
    let ctx = gms83();
    let bera = h.client.world(&ctx, 1).await.expect("bera");
    assert_eq!((bera.name.as_str(), bera.capacity_status), ("Bera", 0));
    assert!(bera.channels.is_empty(), "no include asked, none sent");
    let ch = h.client.channel(&ctx, 0, 2).await.expect("channel");
    assert_eq!((ch.world_id, ch.channel_id, ch.port), (0, 2, 7577));
    assert_eq!(ch.id.len(), 36, "a uuid id");
    assert_eq!(h.client.channels(&ctx, 1).await.expect("channels").len(), 2);
    assert!(matches!(
        h.client.channel(&ctx, 0, 9).await,
        Err(RestError::NotFound { .. })
    ));
    assert!(matches!(
        h.client.world(&ctx, 7).await,
        Err(RestError::NotFound { .. })
    ));
    assert!(matches!(
        h.client.channels(&ctx, 7).await,
        Err(RestError::NotFound { .. })
    ));
}
