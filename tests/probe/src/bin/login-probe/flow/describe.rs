//! The text of each step's report line (names and numbers only, never a secret).

use maple_client::packets::codes;
use maple_client::{AuthSuccess, CharacterList, CharacterStats, ServerList, ViewAll};

use crate::args::Args;

/// How many characters a line names before it says "...".
const SHOWN: usize = 5;

pub(super) fn auth(a: &AuthSuccess) -> String {
    let mut out = format!("AuthSuccess account {} {:?}", a.account_id, a.account_name);
    if let Some(opt) = a.login_opt {
        out += &format!(", login option {opt}");
    }
    match a.pin_flag {
        Some(0) => out += ", PIN on",
        Some(_) => out += ", PIN off",
        None => {}
    }
    if a.gender == codes::GENDER_UNCHOSEN {
        out += ", gender not chosen (10)";
    }
    out
}

pub(super) fn worlds(list: &ServerList) -> String {
    let worlds: Vec<String> = list
        .worlds
        .iter()
        .map(|w| format!("{} {:?} ({} ch)", w.id, w.name, w.channels.len()))
        .collect();
    format!("{} worlds: {}", list.worlds.len(), worlds.join(", "))
}

/// `id "name" lv N job J`.
pub(super) fn character(c: &CharacterStats) -> String {
    format!("{} {:?} lv {} job {}", c.id, c.name, c.level, c.job)
}

/// Up to [`SHOWN`] characters, in brackets.
fn characters<'a>(all: impl ExactSizeIterator<Item = &'a CharacterStats>) -> String {
    let more = if all.len() > SHOWN { ", ..." } else { "" };
    let shown: Vec<String> = all.take(SHOWN).map(character).collect();
    format!("[{}{more}]", shown.join(", "))
}

pub(super) fn list(args: &Args, list: &CharacterList) -> String {
    let mut out = format!(
        "world {} channel {}: {} characters {}",
        args.world,
        args.channel,
        list.characters.len(),
        characters(list.characters.iter().map(|c| &c.stats))
    );
    if let Some(opt) = list.login_opt {
        out += &format!(", login option {opt}");
    }
    if let Some(slots) = list.slots {
        out += &format!(", {slots} slots");
    }
    out
}

pub(super) fn view_all(view: &ViewAll) -> String {
    let worlds = match view {
        ViewAll::Failed { code } => {
            let name = codes::view_all_failure_name(*code);
            return format!("no characters in any world (code {code} {name})");
        }
        ViewAll::Characters { worlds, .. } => worlds,
    };
    let listed: usize = worlds.iter().map(|w| w.characters.len()).sum();
    let each: Vec<String> = worlds
        .iter()
        .map(|w| {
            let mut out = format!(
                "world {} {}",
                w.world_id,
                characters(w.characters.iter().map(|c| &c.stats))
            );
            if let Some(opt) = w.login_opt {
                out += &format!(" login option {opt}");
            }
            out
        })
        .collect();
    format!(
        "{listed} characters in {} worlds: {}",
        worlds.len(),
        each.join(", ")
    )
}

pub(super) fn status(status: u16) -> String {
    let name = match status {
        0 => "normal",
        1 => "highly populated",
        2 => "full",
        _ => "unknown",
    };
    format!("{status} ({name})")
}

#[cfg(test)]
mod tests {
    use maple_client::{AvatarLook, CharacterEntry, ViewAllWorld};

    use super::*;

    fn entry(id: u32, name: &str) -> CharacterEntry {
        CharacterEntry {
            stats: CharacterStats {
                id,
                name: name.into(),
                level: 1,
                ..CharacterStats::default()
            },
            look: AvatarLook::default(),
            family: None,
            rank: None,
        }
    }

    #[test]
    fn the_view_of_every_world_names_each_world_and_its_characters() {
        let view = ViewAll::Characters {
            character_count: 7,
            worlds: vec![
                ViewAllWorld {
                    world_id: 0,
                    characters: (1..=6).map(|i| entry(i, "c")).collect(),
                    login_opt: Some(1),
                },
                ViewAllWorld {
                    world_id: 1,
                    characters: vec![entry(9, "Bera")],
                    login_opt: None,
                },
            ],
        };
        let text = view_all(&view);
        assert!(
            text.starts_with("7 characters in 2 worlds: world 0 [1 \"c\" lv 1 job 0, "),
            "{text}"
        );
        assert!(
            text.ends_with(
                "5 \"c\" lv 1 job 0, ...] login option 1, world 1 [9 \"Bera\" lv 1 job 0]"
            ),
            "{text}"
        );
        assert_eq!(
            view_all(&ViewAll::Failed { code: 3 }),
            "no characters in any world (code 3 SEARCH_FAILED)"
        );
    }
}
