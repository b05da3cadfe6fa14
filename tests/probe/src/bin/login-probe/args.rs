//! Command-line parsing by hand (`std::env::args`): flags, env fallbacks for secrets, usage text.

use std::fmt;
use std::time::Duration;

use maple_client::Version;

/// A string that never shows in Debug output.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Which character to select: from the world's list, or from the view of every world with
/// `--view-all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Select {
    /// The first character (of the list, or of the view's first world that has one), the
    /// deleted one excepted.
    First,
    /// A character id.
    Id(u32),
    /// The character `--create` made.
    Created,
}

/// Which character to delete.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delete {
    /// A character id.
    Id(u32),
    /// The character `--create` made.
    Created,
}

/// The gender chosen for an account the server asks to choose one (the SetGender byte).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gender {
    Male = 0,
    Female = 1,
}

impl Gender {
    /// The byte SetGender and CreateCharacter carry.
    pub fn byte(self) -> u8 {
        self as u8
    }

    /// The name of a gender byte as the probe reports it.
    pub fn name_of(byte: u8) -> &'static str {
        match byte {
            0 => "male",
            1 => "female",
            10 => "not chosen",
            _ => "unknown",
        }
    }
}

/// Parsed options.
#[derive(Debug, Clone)]
pub struct Args {
    pub addr: String,
    pub version: Version,
    pub user: String,
    pub password: Secret,
    pub pic: Option<Secret>,
    pub pin: Option<Secret>,
    pub hwid: [u8; 16],
    pub world: u8,
    pub channel: u8,
    pub select: Option<Select>,
    pub check_name: Option<String>,
    pub create: Option<String>,
    pub delete: Option<Delete>,
    pub view_all: bool,
    pub gender: Option<Gender>,
    pub accept_tos: bool,
    pub timeout: Duration,
    pub reply_timeout: Option<Duration>,
    pub json: bool,
}

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run the probe.
    Run(Box<Args>),
    /// Print the usage text.
    Help,
}

/// Flag values collected before validation.
#[derive(Default)]
struct Raw {
    addr: Option<String>,
    version: Option<String>,
    user: Option<String>,
    password: Option<String>,
    pic: Option<String>,
    pin: Option<String>,
    hwid: Option<String>,
    world: Option<String>,
    channel: Option<String>,
    select: Option<String>,
    check_name: Option<String>,
    create: Option<String>,
    delete: Option<String>,
    gender: Option<String>,
    timeout: Option<String>,
    reply_timeout: Option<String>,
    accept_tos: bool,
    view_all: bool,
    json: bool,
}

/// Parses `args` (without the program name); `env` looks up environment variables.
pub fn parse(
    args: impl IntoIterator<Item = String>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Command, String> {
    let mut raw = Raw::default();
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        if let Some(cmd) = parse_switch(&flag, inline.is_some(), &mut raw)? {
            return Ok(cmd);
        }
        if matches!(flag.as_str(), "--accept-tos" | "--view-all" | "--json") {
            continue;
        }
        let slot = value_slot(&flag, &mut raw).ok_or_else(|| format!("unknown option {flag}"))?;
        let value = match inline {
            Some(v) => v,
            None => it.next().ok_or_else(|| format!("{flag} needs a value"))?,
        };
        *slot = Some(value);
    }
    validate(raw, env).map(|a| Command::Run(Box::new(a)))
}

/// Handles flags without values; returns `Help` for -h/--help.
fn parse_switch(flag: &str, has_value: bool, raw: &mut Raw) -> Result<Option<Command>, String> {
    let target = match flag {
        "-h" | "--help" => return Ok(Some(Command::Help)),
        "--accept-tos" => &mut raw.accept_tos,
        "--view-all" => &mut raw.view_all,
        "--json" => &mut raw.json,
        _ => return Ok(None),
    };
    if has_value {
        return Err(format!("{flag} takes no value"));
    }
    *target = true;
    Ok(None)
}

fn value_slot<'r>(flag: &str, raw: &'r mut Raw) -> Option<&'r mut Option<String>> {
    Some(match flag {
        "--addr" => &mut raw.addr,
        "--version" => &mut raw.version,
        "--user" => &mut raw.user,
        "--password" => &mut raw.password,
        "--pic" => &mut raw.pic,
        "--pin" => &mut raw.pin,
        "--hwid" => &mut raw.hwid,
        "--world" => &mut raw.world,
        "--channel" => &mut raw.channel,
        "--select" => &mut raw.select,
        "--check-name" => &mut raw.check_name,
        "--create" => &mut raw.create,
        "--delete" => &mut raw.delete,
        "--gender" => &mut raw.gender,
        "--timeout-ms" => &mut raw.timeout,
        "--reply-timeout-ms" => &mut raw.reply_timeout,
        _ => return None,
    })
}

fn validate(raw: Raw, env: impl Fn(&str) -> Option<String>) -> Result<Args, String> {
    let need = |v: Option<String>, flag: &str| v.ok_or_else(|| format!("{flag} is required"));
    let password = raw
        .password
        .or_else(|| env("LOGIN_PROBE_PASSWORD"))
        .ok_or("--password or LOGIN_PROBE_PASSWORD is required")?;
    let version = need(raw.version, "--version")?;
    let select = raw.select.as_deref().map(parse_select).transpose()?;
    let delete = raw.delete.as_deref().map(parse_delete).transpose()?;
    let created_wanted = select == Some(Select::Created) || delete == Some(Delete::Created);
    if created_wanted && raw.create.is_none() {
        return Err("'created' (--select, --delete) needs --create NAME".into());
    }
    if select == Some(Select::Created) && delete == Some(Delete::Created) {
        return Err("--select created and --delete created: the character is gone".into());
    }
    Ok(Args {
        addr: need(raw.addr, "--addr")?,
        version: version.parse().map_err(|e| format!("--version: {e}"))?,
        user: need(raw.user, "--user")?,
        password: Secret(password),
        pic: raw.pic.or_else(|| env("LOGIN_PROBE_PIC")).map(Secret),
        pin: raw.pin.or_else(|| env("LOGIN_PROBE_PIN")).map(Secret),
        hwid: raw
            .hwid
            .as_deref()
            .map(parse_hwid)
            .transpose()?
            .unwrap_or([0; 16]),
        world: number(raw.world, "--world", 0)?,
        channel: number(raw.channel, "--channel", 0)?,
        select,
        check_name: raw.check_name,
        create: raw.create,
        delete,
        view_all: raw.view_all,
        gender: raw.gender.as_deref().map(parse_gender).transpose()?,
        accept_tos: raw.accept_tos,
        timeout: Duration::from_millis(number(raw.timeout, "--timeout-ms", 10_000)?),
        reply_timeout: raw
            .reply_timeout
            .map(|v| number(Some(v), "--reply-timeout-ms", 0).map(Duration::from_millis))
            .transpose()?,
        json: raw.json,
    })
}

fn number<N: std::str::FromStr>(v: Option<String>, flag: &str, default: N) -> Result<N, String> {
    match v {
        None => Ok(default),
        Some(v) => v
            .parse()
            .map_err(|_| format!("{flag}: {v:?} is not a valid number")),
    }
}

fn parse_select(v: &str) -> Result<Select, String> {
    match v {
        "first" => Ok(Select::First),
        "created" => Ok(Select::Created),
        _ => v.parse().map(Select::Id).map_err(|_| {
            format!("--select: {v:?} is neither a character id nor 'first' or 'created'")
        }),
    }
}

fn parse_delete(v: &str) -> Result<Delete, String> {
    if v == "created" {
        return Ok(Delete::Created);
    }
    v.parse()
        .map(Delete::Id)
        .map_err(|_| format!("--delete: {v:?} is neither a character id nor 'created'"))
}

fn parse_gender(v: &str) -> Result<Gender, String> {
    match v {
        "male" => Ok(Gender::Male),
        "female" => Ok(Gender::Female),
        _ => Err(format!("--gender: {v:?} is neither 'male' nor 'female'")),
    }
}

/// 32 hex digits → 16 bytes (the value itself is never echoed in errors).
fn parse_hwid(v: &str) -> Result<[u8; 16], String> {
    let bad = || "--hwid must be exactly 32 hex digits".to_string();
    if v.len() != 32 || !v.is_ascii() {
        return Err(bad());
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&v[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
