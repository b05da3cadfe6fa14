//! Server packets for GMS v83 written out by hand from §5.2 (for the loopback tests).

/// u16-length string.
pub fn s(text: &str) -> Vec<u8> {
    let mut out = (text.len() as u16).to_le_bytes().to_vec();
    out.extend_from_slice(text.as_bytes());
    out
}

/// §5.2 AuthSuccess v83 (PIN off, login option `login_opt`).
pub fn auth_success(account_id: u32, name: &str, login_opt: u8) -> Vec<u8> {
    auth_success_with(account_id, name, 0, 1, login_opt)
}

/// §5.2 AuthSuccess v83 with the account's `gender` (10: not chosen) and `pin_flag` (0: the
/// client opens the PIN dialog).
pub fn auth_success_with(
    account_id: u32,
    name: &str,
    gender: u8,
    pin_flag: u8,
    login_opt: u8,
) -> Vec<u8> {
    let mut b = vec![0, 0, 0, 0, 0, 0];
    b.extend_from_slice(&account_id.to_le_bytes());
    b.extend_from_slice(&[gender, 0, 0, 0]); // gender, GM, admin, country
    b.extend(s(name));
    b.extend_from_slice(&[0, 0]); // purchaseExp, chatBlockReason
    b.extend_from_slice(&[0; 16]); // two FILETIMEs
    b.extend_from_slice(&1u32.to_le_bytes());
    b.extend_from_slice(&[pin_flag, login_opt]);
    b
}

/// §5.2 ServerListEntry v83 with `channels` channels.
pub fn world_entry(id: u8, name: &str, channels: u8) -> Vec<u8> {
    let mut b = vec![id];
    b.extend(s(name));
    b.push(0);
    b.extend(s(""));
    b.extend_from_slice(&[100, 0, 100, 0, 0, channels]);
    for c in 0..channels {
        b.extend(s(&format!("{name} - {}", c + 1)));
        b.extend_from_slice(&0u32.to_le_bytes());
        b.extend_from_slice(&[id, c.wrapping_sub(1), 0]);
    }
    b.extend_from_slice(&[0, 0]);
    b
}

/// §5.2 CharacterEntry v83 (non-GM, three equips, family byte, rank block).
pub fn character_entry(id: u32, name: &str) -> Vec<u8> {
    let mut b = id.to_le_bytes().to_vec();
    let mut padded = [0u8; 13];
    padded[..name.len()].copy_from_slice(name.as_bytes());
    b.extend_from_slice(&padded);
    b.extend_from_slice(&[0, 0]); // gender, skin
    b.extend_from_slice(&20000u32.to_le_bytes());
    b.extend_from_slice(&30000u32.to_le_bytes());
    b.extend_from_slice(&[0; 24]); // pet SNs
    b.push(30); // level
    for v in [100u16, 40, 4, 4, 4, 500, 500, 100, 100, 0, 3] {
        b.extend_from_slice(&v.to_le_bytes()); // job, STR DEX INT LUK, pools, AP, SP
    }
    b.extend_from_slice(&1234u32.to_le_bytes()); // exp
    b.extend_from_slice(&7i16.to_le_bytes()); // fame
    b.extend_from_slice(&0u32.to_le_bytes()); // gachaExp
    b.extend_from_slice(&100_000_000u32.to_le_bytes()); // mapId
    b.push(0); // spawn point
    b.extend_from_slice(&0u32.to_le_bytes()); // playtime
    b.extend_from_slice(&[0, 0]); // look gender, skin
    b.extend_from_slice(&20000u32.to_le_bytes());
    b.push(1); // !mega
    b.extend_from_slice(&30000u32.to_le_bytes());
    for (slot, item) in [(5u8, 1_040_002u32), (6, 1_060_002), (11, 1_302_000)] {
        b.push(slot);
        b.extend_from_slice(&item.to_le_bytes());
    }
    b.extend_from_slice(&[0xFF, 0xFF]); // end of equips, end of masked
    b.extend_from_slice(&[0; 16]); // sticker + 3 pets
    b.push(0); // family
    b.push(1); // has rank
    b.extend_from_slice(&[0; 16]);
    b
}

/// §5.2 CharacterList v83 with entries for `ids`.
pub fn character_list(ids: &[u32], login_opt: u8) -> Vec<u8> {
    let mut b = vec![0, ids.len() as u8];
    for &id in ids {
        b.extend(character_entry(id, &format!("char{id}")));
    }
    b.push(login_opt);
    b.extend_from_slice(&6u32.to_le_bytes());
    b
}

/// §5.2 ServerIP success.
pub fn server_ip(ip: [u8; 4], port: u16, char_id: u32) -> Vec<u8> {
    let mut b = vec![0, 0];
    b.extend_from_slice(&ip);
    b.extend_from_slice(&port.to_le_bytes());
    b.extend_from_slice(&char_id.to_le_bytes());
    b.extend_from_slice(&[0, 0, 0, 0, 0]);
    b
}

/// §5.2 view-all per-world packet with one entry (the list entry minus its family byte).
pub fn view_all_world(world: u8, id: u32) -> Vec<u8> {
    let entry = character_entry(id, "va");
    let family_at = entry.len() - 18; // family byte precedes `u8 hasRank | 16 bytes`
    let mut b = vec![0, world, 1];
    b.extend_from_slice(&entry[..family_at]);
    b.extend_from_slice(&entry[family_at + 1..]);
    b.push(1); // loginOpt
    b
}
