//! The probe's steps, in order: connect, login (licence, gender, PIN), worlds, status,
//! characters, then the character steps asked for (name check, create, delete, view-all) and
//! the select (from the world's list, or from the view of every world).

mod account;
mod characters;
mod describe;
mod select;

use std::future::Future;
use std::time::{Duration, Instant};

use maple_client::{Client, Error};

use crate::args::Args;
use crate::report::Reporter;

use characters::Roster;

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

/// Reports a step the command line cannot run as given (exit 2, nothing sent).
fn usage(rep: &Reporter, step: &'static str, message: String) -> Failure {
    rep.step(step, Duration::ZERO, false, &message);
    Failure::new(step, 2, message)
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
    let (auth, login_steps) = account::login(&mut client, args, rep).await?;
    let mut steps = 1 + login_steps;
    let (worlds, t) = timed(rep, "worlds", client.server_list()).await?;
    rep.step("worlds", t, true, &describe::worlds(&worlds));
    steps += 1;
    if !worlds.worlds.iter().any(|w| w.id == args.world) {
        let msg = format!("world {} is not in the server list", args.world);
        return Err(refuse(rep, "worlds", t, msg));
    }
    if client.profile().client.server_status.is_some() {
        let (status, t) = timed(rep, "status", client.server_status(u16::from(args.world))).await?;
        let detail = format!("world {}: {}", args.world, describe::status(status));
        rep.step("status", t, true, &detail);
        steps += 1;
    }
    let list_step = client.character_list(args.world, args.channel);
    let (list, t) = timed(rep, "characters", list_step).await?;
    rep.step("characters", t, true, &describe::list(args, &list));
    steps += 1;
    let mut roster = Roster::new(&list, auth.gender);
    steps += characters::run(&mut client, args, rep, &mut roster).await?;
    let view = match args.view_all {
        true => Some(characters::view_all_step(&mut client, rep).await?),
        false => None,
    };
    steps += usize::from(view.is_some());
    if let Some(choice) = args.select {
        steps += match &view {
            Some(view) => select::from_view(&mut client, args, rep, choice, view, &roster).await?,
            None => select::from_list(&mut client, args, rep, choice, &roster).await?,
        };
    }
    Ok(steps)
}
