//! The account registry: which accounts the peer reports logged in, per tenant, from account
//! status events. Written by the consume loop, read by session actors on `select_character`;
//! a DashMap because both sides touch it from different threads without a round trip. A session
//! replacing another (`DUPLICATE_LOGIN=replace`) waits here for the account's next LOGGED_OUT.

use std::sync::atomic::{AtomicUsize, Ordering};

use dashmap::DashMap;
use tokio::sync::oneshot;

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
    /// Who waits for an account's next LOGGED_OUT.
    waiters: DashMap<(TenantIdx, u32), Vec<oneshot::Sender<()>>>,
    /// Entries in `waiters`, so that recording skips that map while nobody waits.
    waiting: AtomicUsize,
}

impl AccountRegistry {
    /// Records an account status event consumed at position `seq`, and wakes whoever waits for
    /// a LOGGED_OUT of that account.
    pub fn record(&self, tenant: TenantIdx, account_id: u32, logged_in: bool, seq: u64) {
        self.accounts
            .insert((tenant, account_id), LastStatus { logged_in, seq });
        if !logged_in && self.waiting.load(Ordering::Acquire) > 0 {
            if let Some((_, waiters)) = self.waiters.remove(&(tenant, account_id)) {
                self.waiting.fetch_sub(1, Ordering::AcqRel);
                for waiter in waiters {
                    let _ = waiter.send(());
                }
            }
        }
    }

    /// Resolves at the next LOGGED_OUT recorded for the account after this call (or never, when
    /// none comes: the caller bounds the wait).
    pub fn logged_out(&self, tenant: TenantIdx, account_id: u32) -> oneshot::Receiver<()> {
        let (tx, rx) = oneshot::channel();
        let mut entry = self.waiters.entry((tenant, account_id)).or_default();
        if entry.is_empty() {
            self.waiting.fetch_add(1, Ordering::AcqRel);
        }
        entry.retain(|w| !w.is_closed());
        entry.push(tx);
        rx
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

    /// Whether a session refused by [`is_logged_in`](Self::is_logged_in) may wait for its
    /// account's LOGGED_IN (see [`may_log_in`]).
    pub fn may_log_in(&self, tenant: TenantIdx, account_id: u32, created_seq: Option<u64>) -> bool {
        may_log_in(self.last(tenant, account_id), created_seq)
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

/// Whether a session refused by [`logged_in`] may wait for its account's LOGGED_IN: its own
/// CREATED was consumed, and the LOGGED_OUT that outweighs it was consumed after it. That
/// LOGGED_OUT may be an earlier session's, delayed, with this login's LOGGED_IN still behind
/// it (the peer's two topics again); a session without its CREATED has nothing to wait for.
pub fn may_log_in(last: Option<LastStatus>, created_seq: Option<u64>) -> bool {
    matches!(
        (last, created_seq),
        (Some(LastStatus { logged_in: false, seq }), Some(created)) if seq > created
    )
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
    fn only_a_logout_after_the_sessions_own_created_is_worth_waiting_out() {
        assert!(
            may_log_in(OUT, Some(9)),
            "a stale LOGGED_OUT overtook the LOGGED_IN"
        );
        assert!(!may_log_in(OUT, None), "no CREATED of its own");
        assert!(!may_log_in(None, None));
        assert!(!may_log_in(IN, Some(9)), "logged in: nothing to wait for");
        assert!(!may_log_in(OUT, Some(11)), "logged in by its CREATED");
    }

    #[test]
    fn a_logged_out_wakes_only_those_waiting_for_that_account() {
        let r = AccountRegistry::default();
        let mut mine = r.logged_out(0, 1);
        let mut other = r.logged_out(0, 2);
        r.record(0, 1, true, 1);
        assert!(mine.try_recv().is_err(), "a LOGGED_IN wakes nobody");
        r.record(1, 1, false, 2);
        assert!(mine.try_recv().is_err(), "another tenant's account");
        r.record(0, 1, false, 3);
        assert_eq!(mine.try_recv(), Ok(()));
        assert!(other.try_recv().is_err());
        r.record(0, 2, false, 4);
        assert_eq!(other.try_recv(), Ok(()));
        assert_eq!(r.waiting.load(Ordering::Relaxed), 0);
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
