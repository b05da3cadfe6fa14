//! The `accounts` domain (atlas-account): the account resource, its PATCH and the PIN/PIC
//! attempt counters. Talks to `ACCOUNTS_SERVICE_URL`.

use std::fmt;

use reqwest::Method;
use serde::Serialize;

use super::client::RestClient;
use super::context::Context;
use super::endpoints::Domain;
use super::error::RestError;
use super::jsonapi::{self, Resource};

/// JSON:API type of an account.
pub const ACCOUNTS: &str = "accounts";

/// An Atlas account. `Debug` never shows the password, PIN or PIC.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Account {
    #[serde(skip)]
    pub id: u32,
    pub name: String,
    pub password: String,
    pub pin: String,
    pub pic: String,
    pub pin_attempts: u32,
    pub pic_attempts: u32,
    pub logged_in: u8,
    pub last_login: u64,
    pub gender: u8,
    pub banned: bool,
    pub tos: bool,
    pub language: String,
    pub country: String,
    pub character_slots: i16,
}

impl fmt::Debug for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("password", &redacted(&self.password))
            .field("pin", &redacted(&self.pin))
            .field("pic", &redacted(&self.pic))
            .field("pin_attempts", &self.pin_attempts)
            .field("pic_attempts", &self.pic_attempts)
            .field("logged_in", &self.logged_in)
            .field("gender", &self.gender)
            .field("banned", &self.banned)
            .field("tos", &self.tos)
            .field("character_slots", &self.character_slots)
            .finish_non_exhaustive()
    }
}

fn redacted(secret: &str) -> &'static str {
    if secret.is_empty() {
        "<empty>"
    } else {
        "<redacted>"
    }
}

impl Account {
    /// Decodes an `accounts` resource (id is a decimal string).
    pub(crate) fn decode(resource: &Resource) -> Result<Account, RestError> {
        let f = resource.fields();
        Ok(Account {
            id: resource.numeric_id()?,
            name: f.get("name")?,
            password: f.secret("password")?,
            pin: f.secret("pin")?,
            pic: f.secret("pic")?,
            pin_attempts: f.get("pinAttempts")?,
            pic_attempts: f.get("picAttempts")?,
            logged_in: f.get("loggedIn")?,
            last_login: f.get("lastLogin")?,
            gender: f.get("gender")?,
            banned: f.get("banned")?,
            tos: f.get("tos")?,
            language: f.get("language")?,
            country: f.get("country")?,
            character_slots: f.get("characterSlots")?,
        })
    }

    /// A copy with one change applied (the password is kept; the PATCH body drops it).
    pub fn changed(&self, change: &AccountChange) -> Account {
        let mut account = self.clone();
        match change {
            AccountChange::Tos(tos) => account.tos = *tos,
            AccountChange::Gender(gender) => account.gender = *gender,
            AccountChange::Pin(pin) => account.pin.clone_from(pin),
            AccountChange::Pic(pic) => account.pic.clone_from(pic),
        }
        account
    }

    /// The JSON:API resource as Atlas's PATCH re-sends it: every attribute, password empty.
    pub(crate) fn patch_resource(&self) -> serde_json::Value {
        let mut body = self.clone();
        body.password.clear();
        jsonapi::resource(ACCOUNTS, &self.id.to_string(), &body)
    }
}

/// One change login makes to an account. `Debug` never shows a PIN or PIC.
#[derive(Clone, PartialEq, Eq)]
pub enum AccountChange {
    Tos(bool),
    Gender(u8),
    Pin(String),
    Pic(String),
}

impl fmt::Debug for AccountChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AccountChange::Tos(tos) => write!(f, "Tos({tos})"),
            AccountChange::Gender(gender) => write!(f, "Gender({gender})"),
            AccountChange::Pin(_) => f.write_str("Pin(<redacted>)"),
            AccountChange::Pic(_) => f.write_str("Pic(<redacted>)"),
        }
    }
}

/// Which secret an attempt was made at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptKind {
    Pin,
    Pic,
}

impl AttemptKind {
    /// The path segment and JSON:API type: `pin-attempts` / `pic-attempts`.
    pub fn resource_type(self) -> &'static str {
        match self {
            AttemptKind::Pin => "pin-attempts",
            AttemptKind::Pic => "pic-attempts",
        }
    }
}

/// One PIN/PIC verification as the newest Atlas reports it (§7, §9 #6).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Attempt {
    pub success: bool,
    pub ip_address: String,
    pub hwid: String,
}

impl Attempt {
    pub(crate) fn decode(resource: &Resource) -> Result<Attempt, RestError> {
        let f = resource.fields();
        Ok(Attempt {
            success: f.get("success")?,
            ip_address: f.get("ipAddress")?,
            hwid: f.get("hwid")?,
        })
    }
}

/// The account service's answer to an attempt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AttemptResult {
    pub attempts: u32,
    pub limit_reached: bool,
}

impl AttemptResult {
    pub(crate) fn decode(resource: &Resource) -> Result<AttemptResult, RestError> {
        let f = resource.fields();
        Ok(AttemptResult {
            attempts: f.get("attempts")?,
            limit_reached: f.get("limitReached")?,
        })
    }
}

impl RestClient {
    /// GET `accounts/{id}`.
    pub async fn account(&self, ctx: &Context, id: u32) -> Result<Account, RestError> {
        let doc = self
            .get(ctx, Domain::Accounts, &format!("accounts/{id}"), ACCOUNTS)
            .await?;
        Account::decode(doc.one(ACCOUNTS)?)
    }

    /// GET `accounts` (the start-up seed of the logged-in registry).
    pub async fn accounts(&self, ctx: &Context) -> Result<Vec<Account>, RestError> {
        let doc = self
            .get(ctx, Domain::Accounts, "accounts", ACCOUNTS)
            .await?;
        doc.many().iter().map(Account::decode).collect()
    }

    /// PATCH `accounts/{id}` with the full resource (password empty), as Atlas does.
    pub async fn update_account(&self, ctx: &Context, account: &Account) -> Result<(), RestError> {
        let path = format!("accounts/{}", account.id);
        let body = jsonapi::document(account.patch_resource());
        self.write(ctx, Method::PATCH, Domain::Accounts, &path, ACCOUNTS, &body)
            .await
            .map(|_| ())
    }

    /// Applies `change` to a fetched account, PATCHes it, and returns the changed copy.
    pub async fn change_account(
        &self,
        ctx: &Context,
        account: &Account,
        change: AccountChange,
    ) -> Result<Account, RestError> {
        let changed = account.changed(&change);
        self.update_account(ctx, &changed).await?;
        Ok(changed)
    }

    /// POST `accounts/{id}/pin-attempts` or `…/pic-attempts`. An empty answer (accepted by
    /// Atlas's empty-body rule) reads as zero attempts, limit not reached, as Go's zero value.
    pub async fn record_attempt(
        &self,
        ctx: &Context,
        kind: AttemptKind,
        account_id: u32,
        attempt: &Attempt,
    ) -> Result<AttemptResult, RestError> {
        let kind = kind.resource_type();
        let path = format!("accounts/{account_id}/{kind}");
        let body = jsonapi::document(jsonapi::resource(kind, &account_id.to_string(), attempt));
        let doc = self
            .write(ctx, Method::POST, Domain::Accounts, &path, kind, &body)
            .await?;
        match doc {
            Some(doc) => AttemptResult::decode(doc.one(kind)?),
            None => Ok(AttemptResult::default()),
        }
    }

    /// POST `accounts/{id}/pin-attempts`.
    pub async fn record_pin_attempt(
        &self,
        ctx: &Context,
        account_id: u32,
        attempt: &Attempt,
    ) -> Result<AttemptResult, RestError> {
        self.record_attempt(ctx, AttemptKind::Pin, account_id, attempt)
            .await
    }

    /// POST `accounts/{id}/pic-attempts`.
    pub async fn record_pic_attempt(
        &self,
        ctx: &Context,
        account_id: u32,
        attempt: &Attempt,
    ) -> Result<AttemptResult, RestError> {
        self.record_attempt(ctx, AttemptKind::Pic, account_id, attempt)
            .await
    }
}
