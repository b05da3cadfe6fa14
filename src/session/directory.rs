//! The session directory: which sessions this instance holds, by sessionId and by
//! (tenant, accountId), and the bound ones by account name.
//! The supervisor writes it; the consume loop reads it on every event. It is a DashMap so that
//! the consume loop looks a session up on its own thread without a round trip to an actor:
//! with N instances most events are for other instances' sessions, and that miss must be cheap.

use actix::Recipient;
use dashmap::DashMap;
use uuid::Uuid;

use crate::session::SessionEvent;
use crate::tenant::TenantIdx;

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

    /// Forgets a live session's account binding and its entry in the name index (the account
    /// was signed out; the session stays).
    pub fn unbind_session(&self, id: Uuid, tenant: TenantIdx, account_id: u32, name: &str) {
        if account_id != 0 {
            self.unbind(id, tenant, account_id);
        }
        self.names
            .remove_if(&(tenant, name.to_ascii_lowercase()), |_, h| {
                h.session_id == id
            });
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
}
