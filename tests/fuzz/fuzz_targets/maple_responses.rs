//! The game socket's S→C writers (`gateway::maple::responses`), fed view structs built from any
//! bytes, for every supported version.
//!
//! Checks: no writer panics, and every body is as long as a small length model says. The model
//! is written from the spec's layouts per version (`maple-protocol.md` §5.2, §8, §14.1–§14.7),
//! as byte counts per (region, major), not from the codec's `Rules`: a writer that drops or adds
//! a field for some version, or miscounts a string, a list or a cap (255 characters, channels,
//! recommended worlds and ExtendSP entries), disagrees with it.
//!
//! Input layout (missing bytes read as 0): byte 0 picks the version (mod 6: GMS 12, 83, 87, 92,
//! 95, JMS 185); then the account, two worlds and up to three characters (plus, when a count
//! byte asks, up to 300 copies of the first, past the 255 cap), each field read in turn: a
//! string as a length byte then that many bytes (lossy UTF-8), a list as a count byte then its
//! items.

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::gateway::maple::responses::{self as r, EntryKind};
use login_orchestrator::gateway::maple::{
    AccountView, BalloonView, ChannelView, CharacterView, EquipSlot, EquipmentView, PicFlag,
    RankView, Region, Rules, Version, WorldView, Writer,
};

/// Reads the input front to back; past the end every read is zeros or empty.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn u8(&mut self) -> u8 {
        let (b, rest) = self.0.split_first().map_or((0, &[][..]), |(b, r)| (*b, r));
        self.0 = rest;
        b
    }
    fn u16(&mut self) -> u16 {
        u16::from_le_bytes([self.u8(), self.u8()])
    }
    fn u32(&mut self) -> u32 {
        u32::from_le_bytes([self.u8(), self.u8(), self.u8(), self.u8()])
    }
    fn text(&mut self) -> String {
        let n = usize::from(self.u8()).min(self.0.len());
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        String::from_utf8_lossy(head).into_owned()
    }
    fn list<T>(&mut self, most: u8, mut item: impl FnMut(&mut Self) -> T) -> Vec<T> {
        (0..self.u8() % (most + 1)).map(|_| item(self)).collect()
    }
}

fn account(i: &mut Input) -> AccountView {
    AccountView {
        id: i.u32(),
        name: i.text(),
        gender: i.u8(),
        gm: i.u8() % 2 == 1,
        uses_pin: i.u8() % 2 == 1,
        pic_flag: [PicFlag::Register, PicFlag::Ask, PicFlag::Disabled][usize::from(i.u8() % 3)],
        character_slots: i.u32(),
        client_key: i.u32().to_le_bytes().repeat(2).try_into().expect("8 bytes"),
    }
}

fn world(i: &mut Input) -> WorldView {
    WorldView {
        id: i.u8(),
        name: i.text(),
        flag: i.u8(),
        event_message: i.text(),
        recommended_message: i.text(),
        channels: {
            let n = match i.u8() {
                255 => 300, // past the cap
                n => usize::from(n % 21),
            };
            (0..n)
                .map(|k| ChannelView {
                    id: (k as u8).wrapping_add(i.u8()),
                    capacity: i.u32(),
                })
                .collect()
        },
        balloons: i.list(3, |i| BalloonView {
            x: i.u16(),
            y: i.u16(),
            message: i.text(),
        }),
    }
}

/// Jobs around the ExtendSP rules (Evan 2001, 2200–2218; Resistance 3xxx), or any.
fn job(i: &mut Input) -> u16 {
    const JOBS: [u16; 8] = [0, 100, 2001, 2200, 2218, 2219, 3000, 3512];
    match i.u8() {
        b if usize::from(b) < JOBS.len() => JOBS[usize::from(b)],
        _ => i.u16(),
    }
}

fn character(i: &mut Input) -> CharacterView {
    let slot = |i: &mut Input| EquipSlot {
        slot: i.u8(),
        item_id: i.u32(),
    };
    CharacterView {
        id: i.u32(),
        name: i.text(),
        gender: i.u8(),
        skin: i.u8(),
        face: i.u32(),
        hair: i.u32(),
        level: i.u8(),
        job: job(i),
        str: i.u16(),
        dex: i.u16(),
        int: i.u16(),
        luk: i.u16(),
        hp: i.u32(),
        max_hp: i.u32(),
        mp: i.u32(),
        max_mp: i.u32(),
        ap: i.u16(),
        sp: {
            let n = match i.u8() {
                255 => 300, // past the 255 ExtendSP entries
                n => usize::from(n % 11),
            };
            (0..n).map(|_| u16::from(i.u8() % 3)).collect()
        },
        exp: i.u32(),
        fame: i.u16() as i16,
        gacha_exp: i.u32(),
        map_id: i.u32(),
        spawn_point: i.u8(),
        sub_job: i.u16(),
        gm: i.u8() % 2 == 1,
        equipment: EquipmentView {
            visible: i.list(20, slot),
            masked: i.list(5, slot),
            weapon_sticker: i.u32(),
        },
        rank: RankView {
            rank: i.u32(),
            rank_move: i.u32(),
            job_rank: i.u32(),
            job_rank_move: i.u32(),
        },
    }
}

/// Byte counts of one version's layouts, from the spec's tables.
struct Model {
    gms: bool,
    major: u16,
}

impl Model {
    fn str(s: &str) -> usize {
        2 + s.len().min(0xFFFF)
    }

    /// Login results: `u8 code | u8 0 [| u32 0 (GMS)]`.
    fn result_head(&self) -> usize {
        if self.gms {
            6
        } else {
            2
        }
    }

    fn auth_success(&self, a: &AccountView) -> usize {
        let name = Self::str(&a.name);
        match (self.gms, self.major) {
            (false, _) => 2 + 4 + 3 + 3 * name + 6 + 8, // §14.7
            (true, 12) => 6 + 7 + name + 24,            // §14.5
            // §5.2 (v83): head, id, gender, gm, admin, country, name, 2 × u8, 2 × u64,
            // nNumOfCharacter, pinFlag, picFlag; 87/92: + 8-byte key; 95: admin u16 (§14.4).
            (true, 83) => 6 + 4 + 4 + name + 2 + 16 + 4 + 2,
            (true, 87 | 92) => 6 + 4 + 4 + name + 2 + 16 + 4 + 2 + 8,
            (true, _) => 6 + 4 + 5 + name + 2 + 16 + 4 + 2 + 8,
        }
    }

    fn extend_sp(&self, job: u16) -> bool {
        let evan = job == 2001 || (2200..=2218).contains(&job);
        match (self.gms, self.major) {
            (true, 87 | 92) => evan,
            (true, 95) => evan || job / 1000 == 3,
            _ => false,
        }
    }

    /// GW_CharacterStat (§5.2, §14.5–§14.7).
    fn stat(&self, c: &CharacterView) -> usize {
        let v12 = self.gms && self.major == 12;
        let pets = if v12 { 8 } else { 24 };
        let hp = if self.gms && self.major == 95 { 16 } else { 8 };
        let sp = if self.extend_sp(c.job) {
            1 + 2 * c.sp.iter().take(255).filter(|&&s| s != 0).count()
        } else {
            2
        };
        let gacha = if v12 { 0 } else { 4 };
        let tail = match (self.gms, self.major) {
            (true, 12) => 16,
            (true, 83) => 4,
            (true, _) => 6,
            (false, _) => 22,
        };
        4 + 13 + 2 + 8 + pets + 3 + 8 + hp + 2 + sp + 4 + 2 + gacha + 4 + 1 + tail
    }

    /// AvatarLook (§5.2; GMS 12 per §14.5 [B]).
    fn look(&self, c: &CharacterView) -> usize {
        let items = 5 * (c.equipment.visible.len() + c.equipment.masked.len()) + 2;
        if self.gms && self.major == 12 {
            items + 4 + 8
        } else {
            11 + items + 4 + 12
        }
    }

    /// Character entry: stat, look, family byte (list entries; every supported version has
    /// it), rank tail (GM: `u8 0`, else `u8 1 | 16`; GMS 12 puts `u32 1` before either, as
    /// Atlas's v12 code writes it ahead of the rank flag).
    fn entry(&self, c: &CharacterView, kind: EntryKind) -> usize {
        let family = usize::from(kind == EntryKind::List);
        let rank = match (c.gm, self.gms && self.major == 12) {
            (true, true) => 5,
            (true, false) => 1,
            (false, true) => 21,
            (false, false) => 17,
        };
        self.stat(c) + self.look(c) + family + rank
    }

    fn entries(&self, cs: &[CharacterView], kind: EntryKind) -> usize {
        cs.iter().take(255).map(|c| self.entry(c, kind)).sum()
    }

    /// CharacterList (§5.2, §14.6, §14.7).
    fn character_list(&self, cs: &[CharacterView]) -> usize {
        let trailer = match (self.gms, self.major) {
            (true, 12) => 0,
            (true, 83 | 87) => 1 + 4,
            (true, _) => 1 + 4 + 4,
            (false, _) => 1 + 1 + 4 + 4,
        };
        let header = if self.gms { 2 } else { 4 };
        header + self.entries(cs, EntryKind::List) + trailer
    }

    /// ServerListEntry (§5.2, §8).
    fn server_list_entry(&self, w: &WorldView) -> usize {
        let channel = |ch: &ChannelView| {
            let name = format!("{} - {}", w.name, u16::from(ch.id) + 1);
            Self::str(&name) + 4 + 3
        };
        let channels: usize = 1 + w.channels.iter().take(255).map(channel).sum::<usize>();
        let balloons: usize = 2 + w
            .balloons
            .iter()
            .map(|b| 4 + Self::str(&b.message))
            .sum::<usize>();
        let head = 1 + Self::str(&w.name);
        match (self.gms, self.major) {
            (true, 12) => head + channels,
            (true, _) => head + 1 + Self::str(&w.event_message) + 4 + 1 + channels + balloons,
            (false, _) => head + 1 + Self::str(&w.event_message) + 4 + channels + balloons,
        }
    }
}

/// The body one writer appends.
fn body(rules: &Rules, write: impl FnOnce(&mut Writer<'_>)) -> usize {
    let mut out = Vec::new();
    write(&mut Writer::new(&mut out, rules.opcode_width));
    out.len()
}

fuzz_target!(|data: &[u8]| {
    let mut i = Input(data);
    let version = Version::supported()[usize::from(i.u8()) % Version::supported().len()];
    let rules = Rules::for_version(version).expect("supported");
    let m = Model {
        gms: version.region == Region::Gms,
        major: version.major,
    };
    let a = account(&mut i);
    let worlds = [world(&mut i), world(&mut i)];
    let mut cs = i.list(3, character);
    if let (Some(first), n @ 1..) = (cs.first().cloned(), i.u8().saturating_sub(250)) {
        cs.extend(std::iter::repeat_n(first, usize::from(n) * 60)); // up to 300 more
    }
    let (code, reason, until) = (i.u8(), i.u8(), u64::from(i.u32()));
    let name = i.text();

    let check = |what: &str, got: usize, want: usize| {
        assert_eq!(
            got, want,
            "{what} of {version}: {got} bytes, the model says {want}"
        );
    };
    let head = m.result_head();
    check(
        "AuthSuccess",
        body(&rules, |w| r::auth_success(w, &rules, &a)),
        m.auth_success(&a),
    );
    check(
        "AuthLoginFailed",
        body(&rules, |w| r::auth_login_failed(w, &rules, code)),
        head,
    );
    check(
        "AuthTemporaryBan",
        body(&rules, |w| {
            r::auth_temporary_ban(w, &rules, code, reason, until)
        }),
        head + 9,
    );
    check(
        "AuthPermanentBan",
        body(&rules, |w| r::auth_permanent_ban(w, &rules, code, reason)),
        head + 9,
    );
    check(
        "LoginAuth",
        body(&rules, |w| r::login_auth(w, &name)),
        Model::str(&name),
    );
    check(
        "SetAccountResult",
        body(&rules, |w| r::set_account_result(w, code, true)),
        2,
    );
    check(
        "PinOperation",
        body(&rules, |w| r::pin_operation(w, code)),
        1,
    );
    check("PinUpdate", body(&rules, |w| r::pin_update(w, code)), 1);
    check("PicResult", body(&rules, r::pic_result), 1);
    check("Ping", body(&rules, r::ping), 0);

    check(
        "CharacterList",
        body(&rules, |w| r::character_list(w, &rules, &a, &cs)),
        m.character_list(&cs),
    );
    for c in cs.iter().take(3) {
        check(
            "AddCharacterEntry",
            body(&rules, |w| r::add_character_ok(w, &rules, code, c)),
            1 + m.entry(c, EntryKind::List),
        );
        for kind in [EntryKind::List, EntryKind::ViewAll] {
            check(
                "character entry",
                body(&rules, |w| r::character_entry(w, &rules, c, kind)),
                m.entry(c, kind),
            );
        }
        check(
            "GW_CharacterStat",
            body(&rules, |w| r::character_stat(w, &rules, c)),
            m.stat(c),
        );
        check(
            "AvatarLook",
            body(&rules, |w| r::avatar_look(w, &rules, c)),
            m.look(c),
        );
    }
    check(
        "AddCharacterEntry error",
        body(&rules, |w| r::add_character_error(w, code)),
        1,
    );
    check(
        "CharacterNameResponse",
        body(&rules, |w| {
            r::character_name_response(w, name.as_bytes(), code)
        }),
        Model::str(&name) + 1,
    );
    check(
        "DeleteCharacterResponse",
        body(&rules, |w| r::delete_character_response(w, 7, code)),
        5,
    );

    let premium = if m.gms && m.major == 12 { 0 } else { 4 };
    let ip = std::net::Ipv4Addr::from(until as u32);
    check(
        "ServerIP",
        body(&rules, |w| {
            r::server_ip_ok(w, &rules, code, reason, ip, 8585, 9)
        }),
        13 + premium,
    );
    check(
        "ServerIP error",
        body(&rules, |w| r::server_ip_error(w, code, reason)),
        2,
    );
    check(
        "CharacterViewAll count",
        body(&rules, |w| r::view_all_count(w, code, 1, 2)),
        9,
    );
    check(
        "CharacterViewAll code",
        body(&rules, |w| r::view_all_code(w, code)),
        1,
    );
    // The per-world packet's trailing login option: GMS ≥ 83 (§14.2); not JMS, not GMS 12.
    let login_opt = usize::from(m.gms && m.major >= 83);
    check(
        "CharacterViewAll world",
        body(&rules, |w| {
            r::view_all_world(w, &rules, code, 1, &cs, a.pic_flag)
        }),
        3 + m.entries(&cs, EntryKind::ViewAll) + login_opt,
    );

    for world in &worlds {
        check(
            "ServerListEntry",
            body(&rules, |w| r::server_list_entry(w, &rules, world)),
            m.server_list_entry(world),
        );
    }
    check("ServerListEnd", body(&rules, r::server_list_end), 1);
    check("SelectWorld", body(&rules, |w| r::select_world(w, 0)), 4);
    let recommended: usize = worlds
        .iter()
        .filter(|w| !w.recommended_message.is_empty())
        .map(|w| 4 + Model::str(&w.recommended_message))
        .sum();
    check(
        "ServerListRecommendations",
        body(&rules, |w| r::server_list_recommendations(w, &worlds)),
        1 + recommended,
    );
    check("ServerStatus", body(&rules, |w| r::server_status(w, 2)), 2);
});
