//! Built-in tables of the supported versions: the opcode matrix of §8 (`[B]` templates with `[H]`'s
//! corrections: Pong/StartError, v95 opcodes) and the v83 code maps of §4.2 for every version.

use std::collections::BTreeMap;

use super::names::{Handler as H, Validator, WriterKind as W};
use super::table::{
    CodeMap, HandlerEntry, OpcodeTable, WriterEntry, CODES, FAILED_REASON_CODES, MODES,
};
use crate::gateway::maple::version::{Region, Version, VersionError};

use Validator::{LoggedIn as L, NoOp as N};

/// One built-in handler row: opcode, handler, validator.
type HandlerRow = (u16, H, Validator);
/// One built-in writer row: opcode, writer.
type WriterRow = (u16, W);

#[rustfmt::skip]
const GMS12_HANDLERS: &[HandlerRow] = &[
    (0x01, H::Login, N), (0x02, H::CharacterListWorld, L), (0x03, H::WorldSelect, L),
    (0x05, H::SetGender, L), (0x06, H::AfterLogin, L), (0x07, H::RegisterPin, L),
    (0x08, H::ServerListRequest, L), (0x09, H::CharacterSelect, L), (0x0B, H::CheckName, L),
    (0x0C, H::CreateCharacter, L), (0x0D, H::DeleteCharacter, L),
];

#[rustfmt::skip]
/// v83 (§4.1 with `[H]`'s 0x18 Pong and 0x19 StartError).
const GMS83_HANDLERS: &[HandlerRow] = &[
    (0x01, H::Login, N), (0x04, H::ServerListRequest, L), (0x05, H::CharacterListWorld, L),
    (0x06, H::ServerStatus, L), (0x07, H::AcceptTos, L), (0x08, H::SetGender, L),
    (0x09, H::AfterLogin, L), (0x0A, H::RegisterPin, L), (0x0B, H::ServerListRequest, L),
    (0x0D, H::ViewAll, L), (0x0E, H::ViewAllSelected, L), (0x0F, H::ViewAllPong, L),
    (0x13, H::CharacterSelect, L), (0x15, H::CheckName, L), (0x16, H::CreateCharacter, L),
    (0x17, H::DeleteCharacter, L), (0x18, H::Pong, N), (0x19, H::StartError, N),
    (0x1D, H::RegisterPic, L), (0x1E, H::CharacterSelectWithPic, L),
    (0x1F, H::ViewAllRegisterPic, L), (0x20, H::ViewAllWithPic, L), (0x23, H::ClientStart, N),
    (0x24, H::NoOp, L),
];

/// v95 with `[H]`'s corrected opcodes (§8, §9 #10).
#[rustfmt::skip]
const GMS95_HANDLERS: &[HandlerRow] = &[
    (0x01, H::Login, N), (0x04, H::ServerListRequest, L), (0x05, H::CharacterListWorld, L),
    (0x06, H::ServerStatus, L), (0x07, H::AcceptTos, L), (0x08, H::SetGender, L),
    (0x09, H::AfterLogin, L), (0x0A, H::RegisterPin, L), (0x0B, H::ServerListRequest, L),
    (0x0D, H::ViewAll, L), (0x0E, H::ViewAllSelected, L), (0x0F, H::ViewAllPong, L),
    (0x13, H::CharacterSelect, L), (0x15, H::CheckName, L), (0x16, H::CreateCharacter, L),
    (0x18, H::DeleteCharacter, L), (0x1A, H::StartError, N), (0x1C, H::RegisterPic, L),
    (0x1D, H::CharacterSelectWithPic, L), (0x1E, H::ViewAllRegisterPic, L),
    (0x1F, H::ViewAllWithPic, L), (0x23, H::ClientStart, N),
];

#[rustfmt::skip]
const JMS185_HANDLERS: &[HandlerRow] = &[
    (0x01, H::Login, N), (0x03, H::ServerListRequest, L), (0x04, H::CharacterListWorld, L),
    (0x06, H::CharacterSelect, L), (0x08, H::CheckName, L), (0x0A, H::ViewAll, L),
    (0x0B, H::CreateCharacter, L), (0x0D, H::DeleteCharacter, L), (0x0E, H::Pong, N),
    (0x0F, H::StartError, N), (0x13, H::RegisterPic, L), (0x14, H::CharacterSelectWithPic, L),
    (0x18, H::ClientStart, N), (0x1A, H::CreateSecurity, N),
];

const AUTH: [W; 4] = [
    W::AuthSuccess,
    W::AuthTemporaryBan,
    W::AuthPermanentBan,
    W::AuthLoginFailed,
];

#[rustfmt::skip]
const GMS12_WRITERS: &[WriterRow] = &[
    (0x02, W::ServerLoad), (0x03, W::SetAccountResult), (0x06, W::PinOperation),
    (0x07, W::PinUpdate), (0x08, W::ServerListEntry), (0x08, W::ServerListEnd),
    (0x09, W::CharacterList), (0x0A, W::ServerIp), (0x0B, W::CharacterNameResponse),
    (0x0C, W::AddCharacterEntry), (0x0D, W::DeleteCharacterResponse),
];

/// v83–v95 writers shared by every version of that range (§4.2).
#[rustfmt::skip]
const GMS83_WRITERS: &[WriterRow] = &[
    (0x03, W::ServerStatus), (0x04, W::SetAccountResult), (0x06, W::PinOperation),
    (0x07, W::PinUpdate), (0x08, W::CharacterViewAll), (0x0A, W::ServerListEntry),
    (0x0A, W::ServerListEnd), (0x0B, W::CharacterList), (0x0C, W::ServerIp),
    (0x0D, W::CharacterNameResponse), (0x0E, W::AddCharacterEntry),
    (0x0F, W::DeleteCharacterResponse), (0x11, W::Ping),
];

#[rustfmt::skip]
const JMS185_WRITERS: &[WriterRow] = &[
    (0x02, W::ServerListEntry), (0x02, W::ServerListEnd), (0x03, W::CharacterList),
    (0x04, W::ServerIp), (0x05, W::CharacterNameResponse), (0x06, W::AddCharacterEntry),
    (0x07, W::DeleteCharacterResponse), (0x09, W::Ping), (0x14, W::CharacterViewAll),
    (0x16, W::SelectWorld), (0x17, W::ServerListRecommendations), (0x18, W::LoginAuth),
];

#[rustfmt::skip]
const FAILED_REASONS: &[(&str, u8)] = &[
    ("BANNED", 2), ("DELETED_OR_BLOCKED", 3), ("INCORRECT_PASSWORD", 4), ("NOT_REGISTERED", 5),
    ("SYSTEM_ERROR_1", 6), ("ALREADY_LOGGED_IN", 7), ("SYSTEM_ERROR_2", 8), ("SYSTEM_ERROR_3", 9),
    ("TOO_MANY_CONNECTIONS", 10), ("AGE_LIMIT", 11), ("UNABLE_TO_LOG_ON_AS_MASTER_AT_IP", 13),
    ("WRONG_GATEWAY", 14), ("PROCESSING_REQUEST", 15), ("ACCOUNT_VERIFICATION_NEEDED", 16),
    ("WRONG_PERSONAL_INFORMATION", 17), ("ACCOUNT_VERIFICATION_NEEDED_2", 21),
    ("LICENSE_AGREEMENT", 23), ("MAPLE_EUROPE_NOTICE", 25), ("FULL_CLIENT_NOTICE", 27),
];

#[rustfmt::skip]
const PIN_OPERATION_MODES: &[(&str, u8)] = &[
    ("OK", 0), ("REGISTER", 1), ("INVALID", 2), ("CONNECTION_FAILED", 3), ("ENTER_PIN", 4),
    ("ALREADY_LOGGED_IN", 7),
];

#[rustfmt::skip]
const PIN_UPDATE_MODES: &[(&str, u8)] = &[("OK", 0), ("ERROR", 1)];

#[rustfmt::skip]
const VIEW_ALL_CODES: &[(&str, u8)] = &[
    ("NORMAL", 0), ("CHARACTER_COUNT", 1), ("ERROR_VIEW_ALL", 2), ("SEARCH_FAILED", 3),
    ("SEARCH_FAILED_2", 4), ("ERROR_VIEW_ALL_2", 5),
];

#[rustfmt::skip]
const SERVER_IP_CODES: &[(&str, u8)] = &[
    ("OK", 0), ("ID_DELETED_OR_BLOCKED", 2), ("INCORRECT_PASSWORD", 4), ("NOT_REGISTERED_ID", 5),
    ("SERVER_UNDER_INSPECTION", 7), ("TOO_MANY_CONNECTION_REQUESTS", 10), ("ADULT_CHANNEL", 11),
    ("TO_TITLE", 12), ("MASTER_IP", 13), ("WRONG_GATEWAY", 14), ("STILL_PROCESSING", 15),
    ("ACCOUNT_VERIFICATION", 16), ("MAPLE_EUROPE_REDIRECT", 25),
];

#[rustfmt::skip]
const SERVER_IP_MODES: &[(&str, u8)] = &[
    ("OK", 0), ("INCORRECT_LOGIN_ID", 1), ("INCORRECT_FORM_OF_ID", 2), ("SEVEN_DAY_UNVERIFIED", 3),
    ("USED_UP_GAME_TIME", 19), ("THIRTY_DAY_UNVERIFIED", 25), ("PC_ROOM_PREMIUM", 27),
];

#[rustfmt::skip]
const NAME_CODES: &[(&str, u8)] =
    &[("OK", 0), ("ALREADY_REGISTERED", 1), ("NOT_ALLOWED", 2), ("SYSTEM_ERROR", 3)];

#[rustfmt::skip]
const ADD_CHARACTER_CODES: &[(&str, u8)] = &[
    ("OK", 0), ("TOO_MANY_CONNECTIONS", 10), ("ACCOUNT_REQUESTED_TRANSFER", 26),
    ("CANNOT_USE_NAME", 30), ("UNKNOWN_ERROR", 99),
];

/// `[H]`'s value 26 for `NEXON_ID_DIFFERENT_THEN_REGISTERED` (`[B]`: 16).
#[rustfmt::skip]
const DELETE_CODES: &[(&str, u8)] = &[
    ("OK", 0), ("UNABLE_TO_CONNECT_SYSTEM_ERROR", 6), ("UNKNOWN_ERROR", 9),
    ("TOO_MANY_CONNECTIONS", 10), ("NEXON_ID_DIFFERENT_THEN_REGISTERED", 26),
    ("CANNOT_DELETE_AS_GUILD_MASTER", 22), ("SECONDARY_PIN_DOES_NOT_MATCH", 20),
    ("CANNOT_DELETE_WHEN_ENGAGED", 24), ("CANNOT_DELETE_WITH_FAMILY", 29),
];

/// The built-in code maps of a writer; the ban writers get `failedReasonCodes` as in `[H]`.
fn options(kind: W) -> Vec<(&'static str, &'static [(&'static str, u8)])> {
    match kind {
        W::AuthLoginFailed | W::AuthTemporaryBan | W::AuthPermanentBan => {
            vec![(FAILED_REASON_CODES, FAILED_REASONS)]
        }
        W::PinOperation => vec![(MODES, PIN_OPERATION_MODES)],
        W::PinUpdate => vec![(MODES, PIN_UPDATE_MODES)],
        W::CharacterViewAll => vec![(CODES, VIEW_ALL_CODES)],
        W::ServerIp => vec![(CODES, SERVER_IP_CODES), (MODES, SERVER_IP_MODES)],
        W::CharacterNameResponse => vec![(CODES, NAME_CODES)],
        W::AddCharacterEntry => vec![(CODES, ADD_CHARACTER_CODES)],
        W::DeleteCharacterResponse => vec![(CODES, DELETE_CODES)],
        _ => Vec::new(),
    }
}

fn writer_entry(opcode: u16, kind: W) -> WriterEntry {
    let to_map = |pairs: &[(&str, u8)]| -> CodeMap {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect()
    };
    let options = options(kind)
        .into_iter()
        .map(|(name, pairs)| (name.to_owned(), to_map(pairs)));
    WriterEntry {
        opcode,
        options: options.collect(),
    }
}

/// The (handlers, writers) rows of a supported version.
fn rows(v: Version) -> (Vec<HandlerRow>, Vec<WriterRow>) {
    let auth = |op| AUTH.iter().map(move |k| (op, *k));
    match (v.region, v.major) {
        (Region::Gms, 12) => (
            GMS12_HANDLERS.to_vec(),
            auth(0x01).chain(GMS12_WRITERS.iter().copied()).collect(),
        ),
        (Region::Jms, _) => (
            JMS185_HANDLERS.to_vec(),
            auth(0x00).chain(JMS185_WRITERS.iter().copied()).collect(),
        ),
        (_, major) => {
            let mut writers: Vec<_> = auth(0x00).chain(GMS83_WRITERS.iter().copied()).collect();
            writers.extend(tail_writers(major));
            (gms_handlers(major), writers)
        }
    }
}

/// SelectWorld / Recommendations / PicResult: 1A/1B/1C, `[H]` v95 18/19/–.
fn tail_writers(major: u16) -> Vec<WriterRow> {
    if major >= 95 {
        vec![(0x18, W::SelectWorld), (0x19, W::ServerListRecommendations)]
    } else {
        vec![
            (0x1A, W::SelectWorld),
            (0x1B, W::ServerListRecommendations),
            (0x1C, W::PicResult),
        ]
    }
}

/// v83 rows with the v87 (0x19 NoOp, no 0x24) and v92 (no Pong/StartError) changes of §8.
fn gms_handlers(major: u16) -> Vec<HandlerRow> {
    if major >= 95 {
        return GMS95_HANDLERS.to_vec();
    }
    let base = GMS83_HANDLERS.iter().copied();
    match major {
        83 => base.collect(),
        87 => base
            .filter(|(op, _, _)| *op != 0x24)
            .map(|(op, h, v)| {
                if op == 0x19 {
                    (op, H::NoOp, N)
                } else {
                    (op, h, v)
                }
            })
            .collect(),
        _ => base
            .filter(|(op, _, _)| !matches!(op, 0x18 | 0x19 | 0x24))
            .collect(),
    }
}

impl OpcodeTable {
    /// The built-in table of a supported version.
    pub fn builtin(version: Version) -> Result<Self, VersionError> {
        let (handlers, writers) = rows(version.check()?);
        Ok(Self {
            handlers: handlers
                .into_iter()
                .map(|(op, handler, validator)| (op, HandlerEntry { handler, validator }))
                .collect(),
            writers: writers
                .into_iter()
                .map(|(op, kind)| (kind, writer_entry(op, kind)))
                .collect::<BTreeMap<_, _>>(),
        })
    }
}
