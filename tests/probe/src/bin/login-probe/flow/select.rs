//! The select: a character of the world's list (CharacterSelect, with its PIC or registering
//! one), or of the view of every world (ViewAllSelected and its PIC variants), to ServerIP.

use std::time::Duration;

use maple_client::packets::codes;
use maple_client::{Client, ServerIp, ViewAll};

use super::characters::Roster;
use super::{refuse, timed, usage, Failure};
use crate::args::{Args, Select};
use crate::report::Reporter;

/// How the login option says a select goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PicMode<'a> {
    /// Option 0: the account has no PIC yet; the select registers this one.
    Register(&'a str),
    /// Option 1: the select carries the PIC.
    Check(&'a str),
    /// Option 2, or a version without PIC: a plain select.
    Plain,
}

/// The select's PIC mode for `login_opt`; `Err` when the option needs a PIC none was given for.
pub(super) fn pic_mode(login_opt: Option<u8>, pic: Option<&str>) -> Result<PicMode<'_>, String> {
    match (login_opt, pic) {
        (Some(0), Some(pic)) => Ok(PicMode::Register(pic)),
        (Some(1), Some(pic)) => Ok(PicMode::Check(pic)),
        (Some(opt @ (0 | 1)), None) => Err(format!(
            "login option {opt} needs a PIC; pass --pic or LOGIN_PROBE_PIC"
        )),
        _ => Ok(PicMode::Plain),
    }
}

/// The character of the world's list `choice` names.
pub(super) fn pick_in_list(choice: Select, roster: &Roster) -> Option<u32> {
    match choice {
        Select::Id(id) => Some(id),
        Select::First => roster.present().next(),
        Select::Created => roster.created,
    }
}

/// The character of the view `choice` names: its id, its world, and that world's login option.
pub(super) fn pick_in_view(
    choice: Select,
    view: &ViewAll,
    roster: &Roster,
) -> Option<(u32, u8, Option<u8>)> {
    let ViewAll::Characters { worlds, .. } = view else {
        return None;
    };
    worlds.iter().find_map(|w| {
        w.characters
            .iter()
            .map(|c| c.stats.id)
            .find(|&id| match choice {
                Select::Id(wanted) => id == wanted,
                Select::First => Some(id) != roster.deleted,
                Select::Created => Some(id) == roster.created,
            })
            .map(|id| (id, w.world_id, w.login_opt))
    })
}

/// Selects from the world's list.
pub(super) async fn from_list(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    choice: Select,
    roster: &Roster,
) -> Result<usize, Failure> {
    let Some(id) = pick_in_list(choice, roster) else {
        return Err(refuse(
            rep,
            "select",
            Duration::ZERO,
            "no character to select".into(),
        ));
    };
    let pic = args.pic.as_ref().map(|p| p.0.as_str());
    let mode = pic_mode(roster.login_opt, pic).map_err(|m| usage(rep, "select", m))?;
    let step = async {
        match mode {
            PicMode::Register(pic) => client.register_pic(id, pic).await,
            PicMode::Check(pic) => client.select_character_with_pic(id, pic).await,
            PicMode::Plain => client.select_character(id).await,
        }
    };
    let (ip, t) = timed(rep, "select", step).await?;
    report(rep, t, ip, "")
}

/// Selects from the view of every world (the world's login option decides the PIC, the
/// list's when the view's packet has none).
pub(super) async fn from_view(
    client: &mut Client,
    args: &Args,
    rep: &Reporter,
    choice: Select,
    view: &ViewAll,
    roster: &Roster,
) -> Result<usize, Failure> {
    let Some((id, world, opt)) = pick_in_view(choice, view, roster) else {
        let msg = "no such character in the view of every world".to_string();
        return Err(refuse(rep, "select", Duration::ZERO, msg));
    };
    let pic = args.pic.as_ref().map(|p| p.0.as_str());
    let mode = pic_mode(opt.or(roster.login_opt), pic).map_err(|m| usage(rep, "select", m))?;
    let world32 = u32::from(world);
    let step = async {
        match mode {
            PicMode::Register(pic) => client.view_all_register_pic(id, world32, pic).await,
            PicMode::Check(pic) => client.view_all_select_with_pic(id, world32, pic).await,
            PicMode::Plain => client.view_all_select(id, world32).await,
        }
    };
    let (ip, t) = timed(rep, "select", step).await?;
    report(
        rep,
        t,
        ip,
        &format!(" (world {world}, from the view of every world)"),
    )
}

fn report(rep: &Reporter, t: Duration, ip: ServerIp, from: &str) -> Result<usize, Failure> {
    match ip {
        ServerIp::Channel {
            ip,
            port,
            character_id,
            ..
        } => {
            let detail = format!("character {character_id}{from} -> channel {ip}:{port}");
            rep.step("select", t, true, &detail);
            Ok(1)
        }
        ServerIp::Refused { code, mode } => {
            let name = codes::server_ip_error_name(code);
            let msg = format!("ServerIP refused: code {code} ({name}), mode {mode}");
            Err(refuse(rep, "select", t, msg))
        }
    }
}

#[cfg(test)]
mod tests {
    use maple_client::{AvatarLook, CharacterEntry, CharacterList, CharacterStats, ViewAllWorld};

    use super::*;

    fn entry(id: u32) -> CharacterEntry {
        CharacterEntry {
            stats: CharacterStats {
                id,
                ..CharacterStats::default()
            },
            look: AvatarLook::default(),
            family: None,
            rank: None,
        }
    }

    fn world(world_id: u8, ids: &[u32], login_opt: Option<u8>) -> ViewAllWorld {
        ViewAllWorld {
            world_id,
            characters: ids.iter().map(|&id| entry(id)).collect(),
            login_opt,
        }
    }

    fn roster(ids: &[u32], created: Option<u32>, deleted: Option<u32>) -> Roster {
        let mut r = Roster::new(&CharacterList::default(), 0);
        (r.ids, r.created, r.deleted) = (ids.to_vec(), created, deleted);
        r
    }

    #[test]
    fn the_login_option_decides_how_the_pic_goes() {
        assert_eq!(pic_mode(Some(0), Some("1")), Ok(PicMode::Register("1")));
        assert_eq!(pic_mode(Some(1), Some("1")), Ok(PicMode::Check("1")));
        assert_eq!(pic_mode(Some(2), Some("1")), Ok(PicMode::Plain));
        assert_eq!(pic_mode(None, None), Ok(PicMode::Plain));
        for opt in [0, 1] {
            let err = pic_mode(Some(opt), None).unwrap_err();
            assert!(err.contains(&format!("login option {opt}")), "{err}");
        }
    }

    #[test]
    fn first_skips_the_deleted_and_created_names_the_new_one() {
        let r = roster(&[1, 2, 9], Some(9), Some(1));
        assert_eq!(pick_in_list(Select::First, &r), Some(2));
        assert_eq!(pick_in_list(Select::Created, &r), Some(9));
        assert_eq!(
            pick_in_list(Select::Id(1), &r),
            Some(1),
            "the server decides"
        );
        assert_eq!(pick_in_list(Select::First, &roster(&[], None, None)), None);
    }

    #[test]
    fn a_select_from_the_view_finds_the_world_of_its_character() {
        let view = ViewAll::Characters {
            character_count: 4,
            worlds: vec![
                world(0, &[], Some(1)),
                world(1, &[1, 2], Some(1)),
                world(3, &[7], None),
            ],
        };
        let r = roster(&[1, 2], Some(7), Some(1));
        assert_eq!(
            pick_in_view(Select::First, &view, &r),
            Some((2, 1, Some(1)))
        );
        assert_eq!(pick_in_view(Select::Id(7), &view, &r), Some((7, 3, None)));
        assert_eq!(pick_in_view(Select::Created, &view, &r), Some((7, 3, None)));
        assert_eq!(pick_in_view(Select::Id(5), &view, &r), None);
        let failed = ViewAll::Failed { code: 3 };
        assert_eq!(pick_in_view(Select::First, &failed, &r), None);
    }
}
