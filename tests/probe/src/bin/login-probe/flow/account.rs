//! The account steps after connect: the login and the licence agreement, the gender dialog of
//! an account without one, and the PIN of a `usesPin` tenant (entered; or registered first,
//! after which the server signs the account out and the probe logs in again on the same
//! connection, as the client does).

use std::time::Duration;

use maple_client::packets::codes::{self, pin, GENDER_UNCHOSEN};
use maple_client::{AuthSuccess, Client, LoginOutcome, PinReply};

use super::{describe, refuse, timed, usage, Failure};
use crate::args::{Args, Gender, Secret};
use crate::report::Reporter;

/// Login, then the licence agreement, the gender and the PIN if the server asks for them.
/// Returns the account as last authenticated, and the number of steps.
pub(super) async fn login(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
) -> Result<(AuthSuccess, usize), Failure> {
    let (mut auth, mut steps) = authenticate(client, args, rep, "").await?;
    steps += gender_step(client, args, rep, &mut auth).await?;
    if auth.pin_flag == Some(0) {
        let (again, n) = pin_steps(client, args, rep).await?;
        steps += n;
        auth = again.unwrap_or(auth);
    }
    Ok((auth, steps))
}

/// Login and, when asked (code 23), the licence agreement; `prefix` starts the report line.
async fn authenticate(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    prefix: &str,
) -> Result<(AuthSuccess, usize), Failure> {
    let step = client.login(&args.user, &args.password.0, args.hwid);
    let (mut outcome, mut t) = timed(rep, "login", step).await?;
    let mut steps = 1;
    if outcome
        == (LoginOutcome::Failed {
            code: codes::login::LICENSE_AGREEMENT,
        })
    {
        if !args.accept_tos {
            let msg = "the server asks to accept the licence agreement (code 23); rerun with --accept-tos";
            return Err(refuse(rep, "login", t, msg.into()));
        }
        rep.step(
            "login",
            t,
            true,
            &format!("{prefix}licence agreement requested (code 23)"),
        );
        let (answer, t2) = timed(rep, "tos", client.accept_tos(true)).await?;
        (outcome, t) = (answer.unwrap_or(LoginOutcome::Failed { code: 0 }), t2);
        steps += 1;
    }
    let step_name = if steps == 1 { "login" } else { "tos" };
    let LoginOutcome::Success(auth) = outcome else {
        return Err(refuse(rep, step_name, t, outcome.summary()));
    };
    rep.step(
        step_name,
        t,
        true,
        &format!("{prefix}{}", describe::auth(&auth)),
    );
    Ok((auth, steps))
}

/// SetGender with `--gender` for an account the server asks to choose one (gender 10).
async fn gender_step(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    auth: &mut AuthSuccess,
) -> Result<usize, Failure> {
    let Some(gender) = args.gender else {
        return Ok(0);
    };
    if auth.gender != GENDER_UNCHOSEN {
        let detail = format!(
            "not asked: the account's gender is {} ({}); nothing sent",
            Gender::name_of(auth.gender),
            auth.gender
        );
        rep.step("gender", Duration::ZERO, true, &detail);
        return Ok(1);
    }
    let (set, t) = timed(rep, "gender", client.set_gender(true, gender.byte())).await?;
    if !set.success || set.gender != gender.byte() {
        let msg = format!(
            "SetAccountResult gender {} success {}: not recorded (the server signs the account out)",
            set.gender, set.success
        );
        return Err(refuse(rep, "gender", t, msg));
    }
    auth.gender = set.gender;
    let detail = format!(
        "gender {} ({}) recorded (SetAccountResult)",
        Gender::name_of(set.gender),
        set.gender
    );
    rep.step("gender", t, true, &detail);
    Ok(1)
}

/// The PIN dialog: AfterLogin 1/1 asks which one the server wants. ENTER_PIN: the PIN is
/// entered. REGISTER (no PIN yet): it is registered, the account is signed out, and the probe
/// logs in again on the same connection and enters it. Returns the new login, if there was one.
async fn pin_steps(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
) -> Result<(Option<AuthSuccess>, usize), Failure> {
    let Some(pin) = &args.pin else {
        let msg = "the server demands a PIN (pinFlag 0); pass --pin or LOGIN_PROBE_PIN";
        return Err(usage(rep, "pin", msg.into()));
    };
    let (mode, t) = timed(rep, "pin", client.after_login(1, 1, None)).await?;
    match mode {
        pin::ENTER_PIN => Ok((None, enter_pin(client, rep, pin, t).await?)),
        pin::OK => {
            rep.step("pin", t, true, "no PIN needed (PinOperation 0 OK)");
            Ok((None, 1))
        }
        pin::REGISTER => {
            let mut steps = register_pin(client, rep, pin).await?;
            let (auth, n) = authenticate(client, args, rep, "again on this connection: ").await?;
            steps += n;
            if auth.pin_flag != Some(0) {
                return Ok((Some(auth), steps));
            }
            let (mode, t) = timed(rep, "pin", client.after_login(1, 1, None)).await?;
            if mode != pin::ENTER_PIN {
                let msg = format!(
                    "after the registration the server asks PinOperation {mode} ({}), not ENTER_PIN",
                    codes::pin_operation_name(mode)
                );
                return Err(refuse(rep, "pin", t, msg));
            }
            steps += enter_pin(client, rep, pin, t).await?;
            Ok((Some(auth), steps))
        }
        _ => {
            let msg = format!(
                "PinOperation {mode} ({}) to the PIN request",
                codes::pin_operation_name(mode)
            );
            Err(refuse(rep, "pin", t, msg))
        }
    }
}

/// AfterLogin 1/0 with the PIN (`asked` is the time the dialog took to open).
async fn enter_pin(
    client: &mut Client,
    rep: &Reporter,
    pin: &Secret,
    asked: Duration,
) -> Result<usize, Failure> {
    let (mode, t) = timed(rep, "pin", client.after_login(1, 0, Some(&pin.0))).await?;
    if mode != pin::OK {
        let msg = format!(
            "PIN refused: PinOperation {mode} ({})",
            codes::pin_operation_name(mode)
        );
        return Err(refuse(rep, "pin", asked + t, msg));
    }
    rep.step(
        "pin",
        asked + t,
        true,
        "PIN entered: accepted (PinOperation 0 OK)",
    );
    Ok(1)
}

/// RegisterPin for an account without a PIN: PinUpdate 0 when stored.
async fn register_pin(client: &mut Client, rep: &Reporter, pin: &Secret) -> Result<usize, Failure> {
    let (reply, t) = timed(rep, "pin", client.register_pin(Some(&pin.0))).await?;
    let msg = match reply {
        Some(PinReply::Update(0)) => {
            let detail = "no PIN yet (PinOperation 1 REGISTER): registered (PinUpdate 0); \
                          the server signs the account out, logging in again";
            rep.step("pin", t, true, detail);
            return Ok(1);
        }
        Some(PinReply::Update(mode)) => format!("PIN not registered: PinUpdate {mode}"),
        Some(PinReply::Operation(mode)) => format!(
            "PIN not registered: PinOperation {mode} ({})",
            codes::pin_operation_name(mode)
        ),
        None => "PIN not registered: no answer".to_string(),
    };
    Err(refuse(rep, "pin", t, msg))
}
