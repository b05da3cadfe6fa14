//! The account registry: which accounts the peer reports logged in, per tenant, from account
//! status events. Written by the consume loop, read by session actors on `select_character`;
//! a DashMap because both sides touch it from different threads without a round trip.

use dashmap::DashMap;

use crate::tenant::TenantIdx;

/// The last account status seen for an account, with the consume sequence number it had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastStatus {
    pub logged_in: bool,
    pub seq: u64,
}

#[derive(Debug, Default)]
pub struct AccountRegistry {
    accounts: DashMap<(TenantIdx, u32), LastStatus>,
}

impl AccountRegistry {
    /// Records an account status event consumed at position `seq`.
    pub fn record(&self, tenant: TenantIdx, account_id: u32, logged_in: bool, seq: u64) {
        self.accounts
            .insert((tenant, account_id), LastStatus { logged_in, seq });
    }

    pub fn last(&self, tenant: TenantIdx, account_id: u32) -> Option<LastStatus> {
        self.accounts.get(&(tenant, account_id)).map(|e| *e)
    }

    /// Whether a session whose peer CREATED was consumed at `created_seq` may treat its account
    /// as logged in (see [`logged_in`]).
    pub fn is_logged_in(
        &self,
        tenant: TenantIdx,
        account_id: u32,
        created_seq: Option<u64>,
    ) -> bool {
        logged_in(self.last(tenant, account_id), created_seq)
    }
}

/// An account counts as logged in when its last account status was LOGGED_IN, or when this
/// session's peer CREATED was consumed after the last LOGGED_OUT (or with no status seen at all).
/// The peer sends LOGGED_IN and CREATED on two topics, in either order: a fast client must not
/// be refused because its CREATED overtook the LOGGED_IN.
pub fn logged_in(last: Option<LastStatus>, created_seq: Option<u64>) -> bool {
    match (last, created_seq) {
        (
            Some(LastStatus {
                logged_in: true, ..
            }),
            _,
        ) => true,
        (
            Some(LastStatus {
                logged_in: false,
                seq,
            }),
            Some(created),
        ) => created > seq,
        (None, Some(_)) => true,
        (_, None) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const IN: Option<LastStatus> = Some(LastStatus {
        logged_in: true,
        seq: 10,
    });
    const OUT: Option<LastStatus> = Some(LastStatus {
        logged_in: false,
        seq: 10,
    });

    #[test]
    fn a_logged_in_status_admits_the_account() {
        assert!(logged_in(IN, None));
        assert!(logged_in(IN, Some(5)));
    }

    #[test]
    fn a_created_after_the_last_logout_admits_the_account() {
        assert!(logged_in(OUT, Some(11)));
        assert!(logged_in(None, Some(1)));
    }

    #[test]
    fn a_logout_after_the_created_refuses_the_account() {
        assert!(!logged_in(OUT, Some(9)));
        assert!(!logged_in(OUT, None));
        assert!(!logged_in(None, None));
    }

    #[test]
    fn the_registry_keeps_the_last_status_per_tenant() {
        let r = AccountRegistry::default();
        r.record(0, 1, true, 1);
        r.record(0, 1, false, 2);
        r.record(1, 1, true, 3);
        assert!(!r.is_logged_in(0, 1, Some(1)));
        assert!(r.is_logged_in(0, 1, Some(3)));
        assert!(r.is_logged_in(1, 1, None));
    }
}
