//! Opcode tables: the built-in v83 table against §4.1/§4.2, other versions against §8, and
//! parsing of a tenant `socket` section.

use serde_json::json;

use super::*;
use crate::gateway::maple::rules::{OpcodeWidth, Rules};
use crate::gateway::maple::version::{Region, Version};

fn builtin(region: Region, major: u16) -> OpcodeTable {
    OpcodeTable::builtin(Version::new(region, major, 1)).unwrap()
}

#[test]
fn v83_handlers_match_section_4_1() {
    use Handler as H;
    use Validator::{LoggedIn as L, NoOp as N};
    let expected = [
        (0x01, H::Login, N),
        (0x04, H::ServerListRequest, L),
        (0x05, H::CharacterListWorld, L),
        (0x06, H::ServerStatus, L),
        (0x07, H::AcceptTos, L),
        (0x08, H::SetGender, L),
        (0x09, H::AfterLogin, L),
        (0x0A, H::RegisterPin, L),
        (0x0B, H::ServerListRequest, L),
        (0x0D, H::ViewAll, L),
        (0x0E, H::ViewAllSelected, L),
        (0x0F, H::ViewAllPong, L),
        (0x13, H::CharacterSelect, L),
        (0x15, H::CheckName, L),
        (0x16, H::CreateCharacter, L),
        (0x17, H::DeleteCharacter, L),
        (0x18, H::Pong, N),
        (0x19, H::StartError, N),
        (0x1D, H::RegisterPic, L),
        (0x1E, H::CharacterSelectWithPic, L),
        (0x1F, H::ViewAllRegisterPic, L),
        (0x20, H::ViewAllWithPic, L),
        (0x23, H::ClientStart, N),
        (0x24, H::NoOp, L),
    ];
    let table = builtin(Region::Gms, 83);
    let got: Vec<_> = table
        .handlers()
        .map(|(op, e)| (op, e.handler, e.validator))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(table.handler(0x02), None);
}

#[test]
fn v83_writer_opcodes_match_section_4_2() {
    use WriterKind as W;
    let table = builtin(Region::Gms, 83);
    let expected = [
        (W::AuthSuccess, 0x00),
        (W::AuthTemporaryBan, 0x00),
        (W::AuthPermanentBan, 0x00),
        (W::AuthLoginFailed, 0x00),
        (W::ServerStatus, 0x03),
        (W::SetAccountResult, 0x04),
        (W::PinOperation, 0x06),
        (W::PinUpdate, 0x07),
        (W::CharacterViewAll, 0x08),
        (W::ServerListEntry, 0x0A),
        (W::ServerListEnd, 0x0A),
        (W::CharacterList, 0x0B),
        (W::ServerIp, 0x0C),
        (W::CharacterNameResponse, 0x0D),
        (W::AddCharacterEntry, 0x0E),
        (W::DeleteCharacterResponse, 0x0F),
        (W::Ping, 0x11),
        (W::SelectWorld, 0x1A),
        (W::ServerListRecommendations, 0x1B),
        (W::PicResult, 0x1C),
    ];
    for (kind, op) in expected {
        assert_eq!(table.opcode(kind), Some(op), "{kind:?}");
    }
    assert_eq!(table.opcode(W::LoginAuth), None);
    assert_eq!(table.opcode(W::ServerLoad), None);
}

#[test]
fn v83_code_maps_match_section_4_2() {
    use WriterKind as W;
    let t = builtin(Region::Gms, 83);
    let reasons = &t.writer(W::AuthLoginFailed).unwrap().options[FAILED_REASON_CODES];
    assert_eq!(reasons.len(), 19);
    assert_eq!(reasons["INCORRECT_PASSWORD"], 4);
    assert_eq!(reasons["FULL_CLIENT_NOTICE"], 27);
    assert_eq!(t.code(W::PinOperation, MODES, "ENTER_PIN"), Some(4));
    assert_eq!(t.code(W::PinUpdate, MODES, "ERROR"), Some(1));
    assert_eq!(t.code(W::CharacterViewAll, CODES, "SEARCH_FAILED"), Some(3));
    assert_eq!(
        t.code(W::ServerIp, CODES, "SERVER_UNDER_INSPECTION"),
        Some(7)
    );
    assert_eq!(t.code(W::ServerIp, MODES, "PC_ROOM_PREMIUM"), Some(27));
    assert_eq!(
        t.code(W::CharacterNameResponse, CODES, "NOT_ALLOWED"),
        Some(2)
    );
    assert_eq!(
        t.code(W::AddCharacterEntry, CODES, "UNKNOWN_ERROR"),
        Some(99)
    );
    assert_eq!(
        t.code(
            W::DeleteCharacterResponse,
            CODES,
            "SECONDARY_PIN_DOES_NOT_MATCH"
        ),
        Some(20)
    );
    assert_eq!(
        t.code(
            W::DeleteCharacterResponse,
            CODES,
            "NEXON_ID_DIFFERENT_THEN_REGISTERED"
        ),
        Some(26)
    );
    assert_eq!(
        t.code(W::AuthLoginFailed, FAILED_REASON_CODES, "NO_SUCH_CODE"),
        None
    );
}

#[test]
fn peer_login_codes_map_without_ever_yielding_99() {
    let t = builtin(Region::Gms, 83);
    assert_eq!(t.login_failed_code("INCORRECT_PASSWORD"), Some(4));
    assert_eq!(t.login_failed_code("NOT_REGISTERED"), Some(5));
    assert_eq!(t.login_failed_code("ALREADY_LOGGED_IN"), Some(7));
    assert_eq!(t.login_failed_code("DELETED_OR_BLOCKED"), Some(3));
    assert_eq!(t.login_failed_code("SYSTEM_ERROR"), Some(6));
    assert_eq!(t.login_failed_code("TOO_MANY_ATTEMPTS"), Some(10));
    assert_eq!(t.login_failed_code("WHATEVER"), None);
}

#[test]
fn ban_packets_use_the_banned_code() {
    let t = builtin(Region::Gms, 83);
    assert_eq!(t.ban_code(WriterKind::AuthPermanentBan), Some(2));
    assert_eq!(t.ban_code(WriterKind::AuthTemporaryBan), Some(2));
    let section = json!({"writers": [
        {"opCode": "0x00", "writer": "AuthPermanentBan", "options": {}},
        {"opCode": "0x00", "writer": "AuthLoginFailed", "options": {"failedReasonCodes": {"BANNED": 2}}}
    ]});
    let (t, _) = OpcodeTable::from_socket_value(&section, OpcodeWidth::U16).unwrap();
    assert_eq!(t.ban_code(WriterKind::AuthPermanentBan), Some(2));
}

#[test]
fn other_versions_follow_the_section_8_matrix() {
    use Handler as H;
    use WriterKind as W;
    let h = |t: &OpcodeTable, op| t.handler(op).map(|e| e.handler);
    let v12 = builtin(Region::Gms, 12);
    assert_eq!(
        (h(&v12, 0x08), h(&v12, 0x02), h(&v12, 0x03)),
        (
            Some(H::ServerListRequest),
            Some(H::CharacterListWorld),
            Some(H::WorldSelect)
        )
    );
    assert_eq!(
        (
            v12.opcode(W::AuthLoginFailed),
            v12.opcode(W::ServerLoad),
            v12.opcode(W::SelectWorld)
        ),
        (Some(0x01), Some(0x02), None)
    );
    let v87 = builtin(Region::Gms, 87);
    assert_eq!(
        (h(&v87, 0x18), h(&v87, 0x19)),
        (Some(H::Pong), Some(H::NoOp))
    );
    let v92 = builtin(Region::Gms, 92);
    assert_eq!(
        (h(&v92, 0x18), h(&v92, 0x19), v92.opcode(W::Ping)),
        (None, None, Some(0x11))
    );
    let v95 = builtin(Region::Gms, 95);
    assert_eq!(
        (h(&v95, 0x17), h(&v95, 0x18), h(&v95, 0x1C), h(&v95, 0x1F)),
        (
            None,
            Some(H::DeleteCharacter),
            Some(H::RegisterPic),
            Some(H::ViewAllWithPic)
        )
    );
    assert_eq!(
        (
            v95.opcode(W::SelectWorld),
            v95.opcode(W::ServerListRecommendations),
            v95.opcode(W::PicResult)
        ),
        (Some(0x18), Some(0x19), None)
    );
    let jms = builtin(Region::Jms, 185);
    assert_eq!(
        (h(&jms, 0x03), h(&jms, 0x1A), h(&jms, 0x0E)),
        (
            Some(H::ServerListRequest),
            Some(H::CreateSecurity),
            Some(H::Pong)
        )
    );
    assert_eq!(
        (
            jms.opcode(W::CharacterList),
            jms.opcode(W::LoginAuth),
            jms.opcode(W::Ping)
        ),
        (Some(0x03), Some(0x18), Some(0x09))
    );
}

#[test]
fn builtin_refuses_unsupported_versions() {
    assert!(OpcodeTable::builtin(Version::new(Region::Gms, 84, 1)).is_err());
}

const SECTION: &str = r#"{
  "handlers": [
    {"opCode": "0x1A", "validator": "NoOpValidator", "handler": "LoginHandle", "options": {}},
    {"opCode": "26", "validator": "LoggedInValidator", "handler": "CharacterSelectedHandle"},
    {"opCode": "0x30", "validator": "NoOpValidator", "handler": "ChannelOnlyHandle"},
    {"opCode": "0x31", "validator": "MysteryValidator", "handler": "PongHandle"},
    {"opCode": "zz", "validator": "NoOpValidator", "handler": "PongHandle"},
    {"opCode": "0b101", "validator": "NoOpValidator", "handler": "PongHandle"}
  ],
  "writers": [
    {"opCode": "0x00", "writer": "AuthLoginFailed", "options": {"failedReasonCodes": {"INCORRECT_PASSWORD": 44, "SYSTEM_ERROR": 8, "HUGE": 300}}},
    {"opCode": "0o17", "writer": "ServerIP", "options": {"codes": {"OK": 0}, "modes": "bad"}},
    {"opCode": "0x40", "writer": "ChannelWriter"}
  ]
}"#;

#[test]
fn a_socket_section_replaces_the_table_and_reports_what_it_skipped() {
    let (t, warnings) = OpcodeTable::from_socket_json(SECTION, OpcodeWidth::U16).unwrap();
    let login = t.handler(0x1A).unwrap();
    assert_eq!(
        (login.handler, login.validator),
        (Handler::CharacterSelect, Validator::LoggedIn)
    );
    assert_eq!(t.handler(0x05).map(|e| e.handler), Some(Handler::Pong));
    assert_eq!(t.handler(0x01), None);
    assert_eq!(t.handlers().count(), 2);
    let text: Vec<String> = warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        text,
        [
            "handlers[1]: opCode 0x001a listed again, later entry wins",
            "handlers[2]: unknown handler \"ChannelOnlyHandle\", skipped",
            "handlers[3]: unknown validator \"MysteryValidator\", skipped",
            "handlers[4]: bad opCode \"zz\", skipped",
            "writers[0]: option failedReasonCodes.HUGE is not a code byte, skipped",
            "writers[1]: option modes. is not a code byte, skipped",
            "writers[2]: unknown writer \"ChannelWriter\", skipped",
        ]
    );
}

#[test]
fn configured_code_maps_override_the_builtin_ones() {
    let (t, _) = OpcodeTable::from_socket_json(SECTION, OpcodeWidth::U16).unwrap();
    assert_eq!(t.login_failed_code("INCORRECT_PASSWORD"), Some(44));
    assert_eq!(t.login_failed_code("SYSTEM_ERROR"), Some(8));
    assert_eq!(t.login_failed_code("TOO_MANY_ATTEMPTS"), None);
    assert_eq!(t.opcode(WriterKind::ServerIp), Some(15));
    assert_eq!(t.code(WriterKind::ServerIp, CODES, "OK"), Some(0));
    assert_eq!(t.opcode(WriterKind::AuthSuccess), None);
}

#[test]
fn one_byte_versions_reject_wide_opcodes() {
    let section = json!({"handlers": [{"opCode": "0x100", "validator": "NoOpValidator", "handler": "LoginHandle"}]});
    let (t, w) = OpcodeTable::from_socket_value(&section, OpcodeWidth::U8).unwrap();
    assert_eq!((t.handlers().count(), w.len()), (0, 1));
}

#[test]
fn a_section_that_is_not_an_object_is_an_error() {
    assert!(matches!(
        OpcodeTable::from_socket_json("[]", OpcodeWidth::U16),
        Err(ConfigError::Shape)
    ));
    assert!(matches!(
        OpcodeTable::from_socket_json("{", OpcodeWidth::U16),
        Err(ConfigError::Json(_))
    ));
    let bad = json!({"handlers": 5});
    assert!(matches!(
        OpcodeTable::from_socket_value(&bad, OpcodeWidth::U16),
        Err(ConfigError::Shape)
    ));
}

#[test]
fn for_tenant_uses_the_section_when_present_else_the_builtin_table() {
    let rules = Rules::gms83();
    let (t, w) = OpcodeTable::for_tenant(&rules, None).unwrap();
    assert_eq!((t.handlers().count(), w.len()), (24, 0));
    let section: serde_json::Value = serde_json::from_str(SECTION).unwrap();
    let (t, _) = OpcodeTable::for_tenant(&rules, Some(&section)).unwrap();
    assert_eq!(t.handlers().count(), 2);
}

#[test]
fn names_round_trip_through_atlas_spelling() {
    for h in Handler::ALL {
        assert_eq!(Handler::from_atlas_name(h.atlas_name()), Some(*h));
    }
    assert_eq!(WriterKind::ServerIp.atlas_name(), "ServerIP");
    assert_eq!(Handler::from_atlas_name("loginhandle"), None);
}
