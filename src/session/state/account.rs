//! The game socket's account dialogs after login: the PIN (entered, registered, changed, with
//! attempts recorded at the account service) and the gender of a new account. Atlas's
//! LOGOUT-only paths (a PIN registered, a gender declined) sign the account out and keep the
//! connection, so that the client logs in again.

use crate::rest::{AccountChange, AttemptKind};
use crate::session::fetch::Query;
use crate::session::output::{Output, PinPrompt};
use crate::session::request::{PinRequest, Secret};

use super::{Awaiting, Effect, EndReason, Game, Phase, State};

/// The length of a PIN (Atlas: shorter is refused, longer ends the session).
const PIN_LENGTH: usize = 4;

/// The gender of an account that has not chosen one (the client opens the gender dialog).
pub const GENDER_UNCHOSEN: u8 = 10;

impl State {
    /// The PIN dialog after login (AfterLogin).
    pub(super) fn pin(&mut self, request: PinRequest) -> Vec<Effect> {
        let Some(account) = self.game.account.as_ref() else {
            return vec![Effect::Dropped("no_account")];
        };
        let right = |pin: &Secret| !account.pin.is_empty() && pin.expose() == account.pin;
        match request {
            PinRequest::Cancel => vec![Effect::End(EndReason::Logout)],
            PinRequest::Ask if account.pin.is_empty() => {
                vec![Effect::Tell(Output::Pin(PinPrompt::Register))]
            }
            PinRequest::Ask => vec![Effect::Tell(Output::Pin(PinPrompt::Enter))],
            PinRequest::Check(pin) => {
                let success = right(&pin);
                self.attempt(AttemptKind::Pin, success, Awaiting::PinCheck)
            }
            PinRequest::Change(pin) => {
                let success = right(&pin);
                self.attempt(AttemptKind::Pin, success, Awaiting::PinChange)
            }
            PinRequest::Unknown => vec![Effect::End(EndReason::ProtocolViolation)],
        }
    }

    /// A PIN check was recorded (the limit was not reached).
    pub(super) fn pin_checked(&mut self, awaiting: Awaiting, success: bool) -> Vec<Effect> {
        if !success {
            return vec![Effect::Tell(Output::Pin(PinPrompt::Invalid))];
        }
        self.game.pin_passed = true;
        let prompt = match awaiting {
            Awaiting::PinChange => PinPrompt::Register,
            _ => PinPrompt::Accepted,
        };
        vec![Effect::Tell(Output::Pin(prompt))]
    }

    /// RegisterPin: `None` is the client cancelling. A PIN is registered only for an account
    /// without one or once the current one was entered (Atlas lets any logged-in client
    /// overwrite it).
    pub(super) fn register_pin(&mut self, pin: Option<Secret>) -> Vec<Effect> {
        let Some(pin) = pin else {
            // Atlas ends the session twice on this path; it ends once here.
            return vec![Effect::End(EndReason::Logout)];
        };
        let Some(account) = self.game.account.clone() else {
            return vec![Effect::Dropped("no_account")];
        };
        if !account.pin.is_empty() && !self.game.pin_passed {
            return vec![Effect::Dropped("pin_required")];
        }
        match pin.chars() {
            n if n < PIN_LENGTH => vec![Effect::Tell(Output::Pin(PinPrompt::Failed))],
            n if n > PIN_LENGTH => vec![Effect::End(EndReason::ProtocolViolation)],
            _ => vec![Effect::Fetch(Query::ChangeAccount {
                account,
                change: AccountChange::Pin(pin.expose().to_owned()),
            })],
        }
    }

    /// The PIN change came back: registered, the client is told and the account signed out
    /// (it logs in again with the new PIN), as Atlas does.
    pub(super) fn pin_registered(&mut self, ok: bool) -> Vec<Effect> {
        if !ok {
            return vec![Effect::Tell(Output::Pin(PinPrompt::Failed))];
        }
        let mut effects = vec![Effect::Tell(Output::PinRegistered)];
        effects.extend(self.sign_out());
        effects
    }

    /// SetGender, for an account that has not chosen one: a confirmed choice is recorded at
    /// the account service; a declined one signs the account out, as Atlas does.
    pub(super) fn set_gender(&mut self, confirmed: bool, gender: u8) -> Vec<Effect> {
        let Some(account) = self.game.account.clone() else {
            return vec![Effect::Dropped("no_account")];
        };
        if account.gender != GENDER_UNCHOSEN {
            // Atlas lets any logged-in client change the account's gender at any time.
            return vec![Effect::Dropped("gender_chosen")];
        }
        if self.game.gender_in_flight {
            return vec![Effect::Dropped("gender_in_flight")];
        }
        if !confirmed || gender > 1 {
            return self.gender_set(gender, false);
        }
        self.game.gender_in_flight = true;
        vec![Effect::Fetch(Query::ChangeAccount {
            account,
            change: AccountChange::Gender(gender),
        })]
    }

    /// The client is told whether the gender was set; if not, the account is signed out.
    pub(super) fn gender_set(&mut self, gender: u8, success: bool) -> Vec<Effect> {
        self.game.gender_in_flight = false;
        let mut effects = vec![Effect::Tell(Output::GenderSet { gender, success })];
        if !success {
            effects.extend(self.sign_out());
        }
        effects
    }

    /// LOGOUT for the bound account, and the session back to connected-but-unbound: the
    /// client may log in again on this connection.
    fn sign_out(&mut self) -> Vec<Effect> {
        let account_name = self.account_name().unwrap_or_default().to_owned();
        let account_id = std::mem::take(&mut self.account_id);
        self.signed_out_of = account_id;
        self.created_seq = None;
        self.phase = Phase::Connected;
        self.game = Game::default();
        vec![Effect::SignOut {
            account_id,
            account_name,
        }]
    }
}
