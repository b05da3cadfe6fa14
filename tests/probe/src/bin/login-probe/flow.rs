//! The probe's steps: connect, login (TOS, PIN), worlds, status, characters, select.

use std::future::Future;
use std::time::{Duration, Instant};

use maple_client::packets::codes;
use maple_client::{AuthSuccess, CharacterList, Client, Error, LoginOutcome, ServerIp, ServerList};

use crate::args::{Args, Select};
use crate::report::Reporter;

/// Why the probe stopped: the step, the exit status and a message (never a secret).
pub struct Failure {
    pub step: &'static str,
    pub exit: u8,
    pub message: String,
}

impl Failure {
    fn new(step: &'static str, exit: u8, message: impl Into<String>) -> Self {
        Failure {
            step,
            exit,
            message: message.into(),
        }
    }
}

/// Exit status for a library error.
fn exit_code(e: &Error) -> u8 {
    match e {
        Error::Timeout { .. } => 4,
        Error::Refused { .. } => 1,
        Error::Unsupported { .. } | Error::UnknownVersion(_) | Error::InvalidArgument(_) => 2,
        _ => 3,
    }
}

/// Runs `fut` as step `step`; a library error is reported and becomes a [`Failure`].
async fn timed<T>(
    rep: &Reporter,
    step: &'static str,
    fut: impl Future<Output = maple_client::Result<T>>,
) -> Result<(T, Duration), Failure> {
    let start = Instant::now();
    let result = fut.await;
    let elapsed = start.elapsed();
    result.map(|v| (v, elapsed)).map_err(|e| {
        rep.step(step, elapsed, false, &e.to_string());
        Failure::new(step, exit_code(&e), e.to_string())
    })
}

/// Reports a refusal carried by a successful answer.
fn refuse(rep: &Reporter, step: &'static str, elapsed: Duration, message: String) -> Failure {
    rep.step(step, elapsed, false, &message);
    Failure::new(step, 1, message)
}

/// Runs every step; returns the number of steps done.
pub async fn run(args: &Args, rep: &Reporter) -> Result<usize, Failure> {
    let connect = Client::connect(args.addr.as_str(), args.version.clone(), args.timeout);
    let ((mut client, hello), t) = timed(rep, "connect", connect).await?;
    let detail = format!(
        "{} hello {} {}.{} locale {}",
        args.addr, args.version.region, hello.major, hello.minor, hello.locale
    );
    rep.step("connect", t, true, &detail);
    client.set_auto_pong(true);
    if let Some(reply) = args.reply_timeout {
        client.set_reply_timeout(reply);
    }
    let mut steps = 1 + login(&mut client, args, rep).await?;
    let (worlds, t) = timed(rep, "worlds", client.server_list()).await?;
    rep.step("worlds", t, true, &describe_worlds(&worlds));
    steps += 1;
    if !worlds.worlds.iter().any(|w| w.id == args.world) {
        let msg = format!("world {} is not in the server list", args.world);
        return Err(refuse(rep, "worlds", t, msg));
    }
    if client.profile().client.server_status.is_some() {
        let (status, t) = timed(rep, "status", client.server_status(u16::from(args.world))).await?;
        rep.step(
            "status",
            t,
            true,
            &format!("world {}: {}", args.world, status_name(status)),
        );
        steps += 1;
    }
    let list_step = client.character_list(args.world, args.channel);
    let (list, t) = timed(rep, "characters", list_step).await?;
    rep.step("characters", t, true, &describe_list(args, &list));
    steps += 1;
    if let Some(select) = args.select {
        steps += select_step(&mut client, args, rep, select, &list).await?;
    }
    Ok(steps)
}

/// Login, then the licence agreement and the PIN if the server asks for them.
async fn login(client: &mut Client, args: &Args, rep: &Reporter) -> Result<usize, Failure> {
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
        rep.step("login", t, true, "licence agreement requested (code 23)");
        let (answer, t2) = timed(rep, "tos", client.accept_tos(true)).await?;
        (outcome, t) = (answer.unwrap_or(LoginOutcome::Failed { code: 0 }), t2);
        steps += 1;
    }
    let step_name = if steps == 1 { "login" } else { "tos" };
    let LoginOutcome::Success(auth) = outcome else {
        return Err(refuse(rep, step_name, t, outcome.summary()));
    };
    rep.step(step_name, t, true, &describe_auth(&auth));
    if auth.pin_flag == Some(0) {
        steps += pin_step(client, args, rep).await?;
    }
    Ok(steps)
}

async fn pin_step(client: &mut Client, args: &Args, rep: &Reporter) -> Result<usize, Failure> {
    let Some(pin) = &args.pin else {
        let msg = "the server demands a PIN (pinFlag 0); pass --pin or LOGIN_PROBE_PIN";
        rep.step("pin", Duration::ZERO, false, msg);
        return Err(Failure::new("pin", 2, msg));
    };
    let (mode, t) = timed(rep, "pin", client.after_login(1, 0, Some(&pin.0))).await?;
    if mode != 0 {
        return Err(refuse(
            rep,
            "pin",
            t,
            format!("PIN refused: PinOperation mode {mode}"),
        ));
    }
    rep.step("pin", t, true, "PIN accepted");
    Ok(1)
}

async fn select_step(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    select: Select,
    list: &CharacterList,
) -> Result<usize, Failure> {
    let id = match select {
        Select::Id(id) => id,
        Select::First => match list.characters.first() {
            Some(c) => c.stats.id,
            None => {
                return Err(refuse(
                    rep,
                    "select",
                    Duration::ZERO,
                    "no character to select".into(),
                ))
            }
        },
    };
    let pic = args.pic.as_ref().map(|p| p.0.as_str());
    let need_pic = |opt: u8| {
        let msg = format!("login option {opt} needs a PIC; pass --pic or LOGIN_PROBE_PIC");
        rep.step("select", Duration::ZERO, false, &msg);
        Failure::new("select", 2, msg)
    };
    let (ip, t) = match (list.login_opt, pic) {
        (Some(0), Some(pic)) => timed(rep, "select", client.register_pic(id, pic)).await?,
        (Some(1), Some(pic)) => {
            timed(rep, "select", client.select_character_with_pic(id, pic)).await?
        }
        (Some(opt @ (0 | 1)), None) => return Err(need_pic(opt)),
        _ => timed(rep, "select", client.select_character(id)).await?,
    };
    match ip {
        ServerIp::Channel {
            ip,
            port,
            character_id,
            ..
        } => {
            let detail = format!("character {character_id} -> channel {ip}:{port}");
            rep.step("select", t, true, &detail);
            Ok(1)
        }
        ServerIp::Refused { code, mode } => {
            let name = codes::server_ip_error_name(code);
            Err(refuse(
                rep,
                "select",
                t,
                format!("ServerIP refused: code {code} ({name}), mode {mode}"),
            ))
        }
    }
}

fn describe_auth(a: &AuthSuccess) -> String {
    let mut out = format!("AuthSuccess account {} {:?}", a.account_id, a.account_name);
    if let Some(opt) = a.login_opt {
        out += &format!(", login option {opt}");
    }
    match a.pin_flag {
        Some(0) => out += ", PIN on",
        Some(_) => out += ", PIN off",
        None => {}
    }
    if a.gender == 10 {
        out += ", gender not chosen (10)";
    }
    out
}

fn describe_worlds(list: &ServerList) -> String {
    let worlds: Vec<String> = list
        .worlds
        .iter()
        .map(|w| format!("{} {:?} ({} ch)", w.id, w.name, w.channels.len()))
        .collect();
    format!("{} worlds: {}", list.worlds.len(), worlds.join(", "))
}

fn describe_list(args: &Args, list: &CharacterList) -> String {
    let shown: Vec<String> = list
        .characters
        .iter()
        .take(5)
        .map(|c| {
            format!(
                "{} {:?} lv {} job {}",
                c.stats.id, c.stats.name, c.stats.level, c.stats.job
            )
        })
        .collect();
    let more = if list.characters.len() > 5 {
        ", ..."
    } else {
        ""
    };
    let mut out = format!(
        "world {} channel {}: {} characters [{}{more}]",
        args.world,
        args.channel,
        list.characters.len(),
        shown.join(", ")
    );
    if let Some(opt) = list.login_opt {
        out += &format!(", login option {opt}");
    }
    if let Some(slots) = list.slots {
        out += &format!(", {slots} slots");
    }
    out
}

fn status_name(status: u16) -> String {
    let name = match status {
        0 => "normal",
        1 => "highly populated",
        2 => "full",
        _ => "unknown",
    };
    format!("{status} ({name})")
}
