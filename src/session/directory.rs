//! The session directory: which sessions this instance holds, by sessionId and by
//! (tenant, accountId), and the recently ended sessions whose login was still unanswered.
//! The supervisor writes it; the consume loop reads it on every event. It is a DashMap so that
//! the consume loop looks a session up on its own thread without a round trip to an actor:
//! with N instances most events are for other instances' sessions, and that miss must be cheap.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix::Recipient;
use dashmap::DashMap;
use uuid::Uuid;

use crate::session::SessionEvent;
use crate::tenant::TenantIdx;

/// A session that ended while a CREATE of it was unanswered: a late CREATED for it means the
/// account is logged in at the peer with nobody holding it, and must be released.
#[derive(Debug, Clone, Copy)]
pub struct Ended {
    pub tenant: TenantIdx,
    pub at: Instant,
}

/// The maps keyed by session id use a fast seeded hash rather than SipHash: their keys are
/// random (v4) ids this process generated, so nobody can choose keys that collide, and the
/// consume loop looks one up for every event.
type BySession<V> = DashMap<Uuid, V, foldhash::fast::RandomState>;

#[derive(Default)]
pub struct Directory {
    sessions: BySession<Recipient<SessionEvent>>,
    accounts: DashMap<(TenantIdx, u32), Vec<Uuid>>,
    /// Bound sessions by lowercased account name, for `DUPLICATE_LOGIN=replace`.
    names: DashMap<(TenantIdx, String), Holder>,
    ended: BySession<Ended>,
    /// Entries in `ended`, so that a miss skips that map while it is empty (most of the time).
    ended_count: AtomicUsize,
}

/// The session holding an account, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Holder {
    pub session_id: Uuid,
    pub account_id: u32,
}

impl Directory {
    pub fn insert(&self, id: Uuid, session: Recipient<SessionEvent>) {
        self.sessions.insert(id, session);
    }

    /// Forgets a session, its account binding and its entry in the name index (`name`: the
    /// account name it was bound under).
    pub fn remove(&self, id: Uuid, tenant: TenantIdx, account_id: u32, name: Option<&str>) {
        self.sessions.remove(&id);
        if account_id != 0 {
            self.unbind(id, tenant, account_id);
        }
        if let Some(name) = name {
            self.names
                .remove_if(&(tenant, name.to_ascii_lowercase()), |_, h| {
                    h.session_id == id
                });
        }
    }

    /// Records which session holds the account named `name`.
    pub fn bind_name(&self, id: Uuid, tenant: TenantIdx, account_id: u32, name: &str) {
        let holder = Holder {
            session_id: id,
            account_id,
        };
        self.names
            .insert((tenant, name.to_ascii_lowercase()), holder);
    }

    /// The session of this instance holding the account named `name`, if any.
    pub fn holder(&self, tenant: TenantIdx, name: &str) -> Option<Holder> {
        if self.names.is_empty() {
            return None;
        }
        self.names
            .get(&(tenant, name.to_ascii_lowercase()))
            .map(|h| *h)
    }

    pub fn bind(&self, id: Uuid, tenant: TenantIdx, account_id: u32) {
        let mut ids = self.accounts.entry((tenant, account_id)).or_default();
        if !ids.contains(&id) {
            ids.push(id);
        }
    }

    fn unbind(&self, id: Uuid, tenant: TenantIdx, account_id: u32) {
        self.accounts
            .remove_if_mut(&(tenant, account_id), |_, ids| {
                ids.retain(|x| *x != id);
                ids.is_empty()
            });
    }

    pub fn session(
        &self,
        id: &Uuid,
    ) -> Option<dashmap::mapref::one::Ref<'_, Uuid, Recipient<SessionEvent>>> {
        self.sessions.get(id)
    }

    /// Calls `f` with the id of each session bound to the account in that tenant.
    pub fn for_account(
        &self,
        tenant: TenantIdx,
        account_id: u32,
        mut f: impl FnMut(Uuid),
    ) -> usize {
        let Some(ids) = self.accounts.get(&(tenant, account_id)) else {
            return 0;
        };
        let mut n = 0;
        for id in ids.iter() {
            if self.sessions.contains_key(id) {
                f(*id);
                n += 1;
            }
        }
        n
    }

    pub fn mark_ended(&self, id: Uuid, tenant: TenantIdx) {
        let ended = Ended {
            tenant,
            at: Instant::now(),
        };
        if self.ended.insert(id, ended).is_none() {
            self.ended_count.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub fn ended(&self, id: &Uuid) -> Option<Ended> {
        if self.ended_count.load(Ordering::Relaxed) == 0 {
            return None;
        }
        self.ended.get(id).map(|e| *e)
    }

    /// Drops the records of sessions that ended more than `keep` ago.
    pub fn prune_ended(&self, keep: Duration) {
        let now = Instant::now();
        let mut removed = 0;
        self.ended.retain(|_, e| {
            let keep = now.duration_since(e.at) < keep;
            removed += usize::from(!keep);
            keep
        });
        self.ended_count.fetch_sub(removed, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removing_a_bound_session_clears_its_name_but_not_a_newer_holders() {
        let d = Directory::default();
        let (old, new) = (Uuid::new_v4(), Uuid::new_v4());
        d.bind(old, 0, 7);
        d.bind_name(old, 0, 7, "Admin");
        assert_eq!(d.holder(0, "admin").map(|h| h.session_id), Some(old));
        // A newer session took the name over (DUPLICATE_LOGIN=replace): the old one's end
        // must not remove it.
        d.bind_name(new, 0, 7, "ADMIN");
        d.remove(old, 0, 7, Some("Admin"));
        assert_eq!(d.holder(0, "admin").map(|h| h.session_id), Some(new));
        d.remove(new, 0, 7, Some("ADMIN"));
        assert!(d.holder(0, "admin").is_none());
        assert_eq!(d.for_account(0, 7, |_| {}), 0);
    }

    #[test]
    fn ended_sessions_are_found_until_pruned_and_marking_twice_counts_once() {
        let d = Directory::default();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        assert!(d.ended(&a).is_none());
        d.mark_ended(a, 0);
        d.mark_ended(a, 0);
        d.mark_ended(b, 1);
        assert_eq!(d.ended(&b).map(|e| e.tenant), Some(1));
        d.prune_ended(Duration::from_secs(60));
        assert!(d.ended(&a).is_some(), "recent records stay");
        d.prune_ended(Duration::ZERO);
        assert!(d.ended(&a).is_none() && d.ended(&b).is_none());
        assert_eq!(d.ended_count.load(Ordering::Relaxed), 0);
        // Counting starts again from zero, not from a drifted value.
        d.mark_ended(b, 1);
        assert_eq!(d.ended_count.load(Ordering::Relaxed), 1);
        assert!(d.ended(&b).is_some());
    }
}
