//! The simulator's state: one [`TenantState`] per tenant id, created on first use as a copy of
//! the data file's `default` section. Plain data and its rules; no I/O, no locking.

use std::collections::{BTreeMap, HashMap};

use uuid::Uuid;

use crate::rest::{
    Account, Asset, AttemptKind, AttemptResult, Character, Compartment, Guild, Inventory, World,
    EQUIP,
};

/// Go's zero time, as Atlas writes a never-expiring asset.
const NEVER: &str = "0001-01-01T00:00:00Z";
/// The creation time given to simulated assets that have none.
const CREATED: &str = "2026-01-01T00:00:00Z";

/// Everything the simulated services hold for one tenant.
#[derive(Clone, Debug, Default)]
pub(crate) struct TenantState {
    pub accounts: BTreeMap<u32, Account>,
    pub worlds: BTreeMap<u8, World>,
    pub characters: BTreeMap<u32, Character>,
    pub inventories: BTreeMap<u32, Inventory>,
    pub guilds: BTreeMap<u32, Guild>,
    /// The highest character id given so far: a deleted character's id is never given again
    /// (as a database sequence would not), so a stale id never names a newer character.
    pub last_character_id: u32,
}

/// All tenants' state.
#[derive(Debug, Default)]
pub(crate) struct Store {
    tenants: HashMap<Uuid, TenantState>,
    default: TenantState,
}

impl Store {
    pub fn new(tenants: HashMap<Uuid, TenantState>, default: TenantState) -> Store {
        Store { tenants, default }
    }

    /// A tenant's state; a tenant without its own section gets a private copy of `default`
    /// on first use, so its changes never leak into another tenant.
    pub fn tenant(&mut self, id: Uuid) -> &mut TenantState {
        let default = &self.default;
        self.tenants.entry(id).or_insert_with(|| default.clone())
    }
}

impl TenantState {
    /// Applies a PATCHed account resource as atlas-account does for login's changes: `tos`
    /// and `gender` always (the full resource is re-sent), `pin`/`pic` when non-empty;
    /// everything else (password included) is ignored.
    pub fn patch_account(&mut self, id: u32, input: &Account) -> Option<&Account> {
        let account = self.accounts.get_mut(&id)?;
        account.tos = input.tos;
        account.gender = input.gender;
        if !input.pin.is_empty() {
            account.pin.clone_from(&input.pin);
        }
        if !input.pic.is_empty() {
            account.pic.clone_from(&input.pic);
        }
        Some(account)
    }

    /// Records a PIN/PIC attempt: a failure counts, a success resets; the limit is reached
    /// when the count of consecutive failures is at least `limit`.
    pub fn attempt(
        &mut self,
        id: u32,
        kind: AttemptKind,
        success: bool,
        limit: u32,
    ) -> Option<AttemptResult> {
        let account = self.accounts.get_mut(&id)?;
        let count = match kind {
            AttemptKind::Pin => &mut account.pin_attempts,
            AttemptKind::Pic => &mut account.pic_attempts,
        };
        *count = if success { 0 } else { count.saturating_add(1) };
        Some(AttemptResult {
            attempts: *count,
            limit_reached: !success && *count >= limit,
        })
    }

    /// Characters matching the optional filters, by id.
    pub fn characters_where(&self, account: Option<u32>, world: Option<u8>) -> Vec<&Character> {
        self.characters
            .values()
            .filter(|c| account.is_none_or(|a| c.account_id == a))
            .filter(|c| world.is_none_or(|w| c.world_id == w))
            .collect()
    }

    /// Characters whose name equals `name`, ignoring ASCII case (names are unique that way).
    pub fn characters_named(&self, name: &str) -> Vec<&Character> {
        self.characters
            .values()
            .filter(|c| c.name.eq_ignore_ascii_case(name))
            .collect()
    }

    /// Removes a character, its inventory and its guild memberships.
    pub fn delete_character(&mut self, id: u32) -> bool {
        if self.characters.remove(&id).is_none() {
            return false;
        }
        self.inventories.remove(&id);
        for guild in self.guilds.values_mut() {
            guild.members.retain(|m| m.character_id != id);
        }
        true
    }

    /// Guilds listing the character as a member.
    pub fn guilds_with_member(&self, character_id: u32) -> Vec<&Guild> {
        self.guilds
            .values()
            .filter(|g| g.members.iter().any(|m| m.character_id == character_id))
            .collect()
    }

    /// The next character id of this tenant, taken: above every id it has or has given.
    pub fn next_character_id(&mut self) -> u32 {
        let highest = self.characters.keys().next_back().copied().unwrap_or(0);
        self.last_character_id = self.last_character_id.max(highest).saturating_add(1);
        self.last_character_id
    }

    /// The next free asset id of this tenant (asset ids are unique across inventories).
    pub fn next_asset_id(&self) -> u32 {
        let ids = self.inventories.values().flat_map(|i| &i.compartments);
        let max = ids
            .flat_map(|c| &c.assets)
            .filter_map(|a| a.id.parse::<u32>().ok())
            .max();
        max.map_or(1, |id| id.saturating_add(1))
    }
}

/// A fresh inventory: the five compartments (equip, use, setup, etc, cash; capacity 24) with
/// `equipped` in the equip one, blanks filled as atlas-inventory would (quantity 1, zero
/// expiration, cash id `"0"` for a regular item, a made-up one for a cash item).
pub(crate) fn new_inventory(character_id: u32, equipped: Vec<Asset>) -> Inventory {
    let mut equipped = equipped;
    for asset in &mut equipped {
        fill_blanks(asset);
    }
    let mut equip = Some(equipped);
    let compartments = (EQUIP..=5)
        .map(|kind| Compartment {
            id: Uuid::new_v4().to_string(),
            kind,
            capacity: 24,
            assets: if kind == EQUIP {
                equip.take().unwrap_or_default()
            } else {
                Vec::new()
            },
        })
        .collect();
    Inventory {
        id: Uuid::new_v4().to_string(),
        character_id,
        compartments,
    }
}

fn fill_blanks(asset: &mut Asset) {
    if asset.quantity == 0 {
        asset.quantity = 1;
    }
    if asset.expiration.is_empty() {
        asset.expiration = NEVER.to_string();
    }
    if asset.created_at.is_empty() {
        asset.created_at = CREATED.to_string();
    }
    if asset.cash_id.is_empty() {
        let cash = asset.equip_position().is_some_and(|(_, cash)| cash);
        let made_up = 8_000_000_000_u64 + asset.id.parse::<u64>().unwrap_or(0);
        asset.cash_id = if cash {
            made_up.to_string()
        } else {
            "0".to_string()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> TenantState {
        let mut s = TenantState::default();
        s.accounts.insert(
            1,
            Account {
                id: 1,
                pin: "1111".into(),
                ..Account::default()
            },
        );
        s
    }

    #[test]
    fn attempts_count_failures_reach_the_limit_and_reset_on_success() {
        let mut s = state();
        let r = |s: &mut TenantState, ok| s.attempt(1, AttemptKind::Pin, ok, 3).expect("account");
        assert_eq!(
            r(&mut s, false),
            AttemptResult {
                attempts: 1,
                limit_reached: false
            }
        );
        assert_eq!(r(&mut s, false).attempts, 2);
        assert_eq!(
            r(&mut s, false),
            AttemptResult {
                attempts: 3,
                limit_reached: true
            }
        );
        assert_eq!(
            r(&mut s, true),
            AttemptResult {
                attempts: 0,
                limit_reached: false
            }
        );
        assert_eq!(s.accounts[&1].pic_attempts, 0, "pic counter untouched");
        assert!(s.attempt(9, AttemptKind::Pic, true, 3).is_none());
    }

    #[test]
    fn a_deleted_characters_id_is_never_given_again() {
        let mut s = state();
        s.characters.insert(5, Character::default());
        assert_eq!(s.next_character_id(), 6);
        s.characters.insert(6, Character::default());
        assert!(s.delete_character(6));
        assert_eq!(s.next_character_id(), 7, "6 was given, then deleted");
    }

    #[test]
    fn a_patch_keeps_the_pin_when_sent_empty() {
        let mut s = state();
        let input = Account {
            tos: true,
            gender: 1,
            ..Account::default()
        };
        let a = s.patch_account(1, &input).expect("account").clone();
        assert_eq!((a.tos, a.gender, a.pin.as_str()), (true, 1, "1111"));
    }

    #[test]
    fn unknown_tenants_get_their_own_copy_of_default() {
        let mut store = Store::new(HashMap::new(), state());
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        store.tenant(a).accounts.clear();
        assert!(store.tenant(a).accounts.is_empty());
        assert_eq!(store.tenant(b).accounts.len(), 1);
    }
}
