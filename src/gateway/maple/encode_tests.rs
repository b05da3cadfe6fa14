//! Golden bytes of the game packets the session's outputs become (GMS 83, the built-in
//! tables): each output is encoded as a connection would, then decrypted as the client does.

use std::sync::Arc;

use bytes::BytesMut;
use tokio_util::codec::Decoder;

use super::Encoder;
use crate::config::TenantConfig;
use crate::gateway::maple::test_util::hex;
use crate::gateway::maple::{hello, FrameDecoder, RecvCipher, SendCipher, Setup};
use crate::rest::Character;
use crate::session::connection::Encode;
use crate::session::output::{
    AllCharacters, CharacterInfo, Deletion, NameVerdict, Output, PicState, PinPrompt,
};

const SEND_IV: [u8; 4] = [0x52, 0x30, 0x78, 0x61];

/// The packets (opcode and body) a GMS 83 client reads of `outputs`.
fn packets(outputs: &[Output]) -> Vec<Vec<u8>> {
    let tenant = TenantConfig {
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        ..TenantConfig::default()
    };
    let (setup, _) = Setup::for_tenant(&tenant).unwrap();
    let rules = setup.rules;
    let hello = hello(&rules, [1, 2, 3, 4], SEND_IV);
    let mut encoder = Encoder::new(Arc::new(setup), SendCipher::new(&rules, SEND_IV), hello);
    let mut wire = Vec::new();
    encoder.encode(
        &Output::Hello {
            session_id: uuid::Uuid::nil(),
        },
        &mut wire,
    );
    let mut wire = BytesMut::from(&wire[wire.len()..]);
    for output in outputs {
        let mut buf = Vec::new();
        encoder.encode(output, &mut buf);
        wire.extend_from_slice(&buf);
    }
    let client = RecvCipher::with_header_version(&rules, SEND_IV, 0xFFFF - 83);
    let mut decoder = FrameDecoder::new(client);
    let mut out = Vec::new();
    while let Some(packet) = decoder.decode(&mut wire).unwrap() {
        out.push(packet.as_bytes().to_vec());
    }
    assert!(wire.is_empty(), "every byte is a whole frame");
    out
}

fn one(output: Output) -> Vec<u8> {
    let mut all = packets(&[output]);
    assert_eq!(all.len(), 1);
    all.remove(0)
}

#[test]
fn pin_operation_modes() {
    for (prompt, mode) in [
        (PinPrompt::Accepted, "00"),
        (PinPrompt::Register, "01"),
        (PinPrompt::Invalid, "02"),
        (PinPrompt::Failed, "03"),
        (PinPrompt::Enter, "04"),
    ] {
        assert_eq!(
            one(Output::Pin(prompt)),
            hex(&format!("06 00 {mode}")),
            "{prompt:?}"
        );
    }
    assert_eq!(one(Output::PinRegistered), hex("07 00 00"));
}

#[test]
fn set_account_result() {
    let set = |gender, success| Output::GenderSet { gender, success };
    assert_eq!(one(set(1, true)), hex("04 00 01 01"));
    assert_eq!(one(set(0, false)), hex("04 00 00 00"));
}

#[test]
fn character_name_response_codes() {
    for (verdict, code) in [
        (NameVerdict::Available, "00"),
        (NameVerdict::Taken, "02"),
        (NameVerdict::NotAllowed, "02"),
        (NameVerdict::Unavailable, "03"),
    ] {
        let output = Output::NameChecked {
            name: "Hero".into(),
            verdict,
        };
        assert_eq!(one(output), hex(&format!("0D 00 04 00 48 65 72 6F {code}")));
    }
}

#[test]
fn delete_character_response_codes() {
    for (outcome, code) in [
        (Deletion::Deleted, "00"),
        (Deletion::WrongPic, "14"),
        (Deletion::GuildLeader, "16"),
        (Deletion::Failed, "09"),
    ] {
        let output = Output::CharacterDeleted {
            character_id: 0x0102_0304,
            outcome,
        };
        assert_eq!(one(output), hex(&format!("0F 00 04 03 02 01 {code}")));
    }
}

#[test]
fn view_all_search_failed_and_error() {
    assert_eq!(one(Output::NoCharacters), hex("08 00 03"));
    assert_eq!(one(Output::AllCharactersUnavailable), hex("08 00 02"));
}

#[test]
fn view_all_is_the_count_then_a_packet_per_world_ending_with_the_login_option() {
    let hero = CharacterInfo {
        character: Character {
            id: 7,
            account_id: 1,
            name: "Hero".into(),
            level: 10,
            ..Character::default()
        },
        ..CharacterInfo::default()
    };
    let all = AllCharacters {
        worlds: vec![(0, vec![hero.clone()]), (1, vec![])],
        pic: PicState::Registered,
    };
    let got = packets(&[Output::AllCharacters(Box::new(all))]);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0], hex("08 00 01 02 00 00 00 01 00 00 00"));
    // World 0: NORMAL, world id, one entry (id 7, then the 13-byte name), login option 1.
    assert_eq!(&got[1][..9], &hex("08 00 00 00 01 07 00 00 00")[..]);
    assert_eq!(&got[1][9..13], b"Hero");
    assert_eq!(
        got[1].last(),
        Some(&1),
        "the v83 trailing PIC byte Atlas forgets"
    );
    assert_eq!(
        got[2],
        hex("08 00 00 01 00 01"),
        "an empty world, as Atlas sends it"
    );

    // Without a PIC registered the option asks for one (0).
    let all = AllCharacters {
        worlds: vec![(0, vec![hero])],
        pic: PicState::Unregistered,
    };
    let got = packets(&[Output::AllCharacters(Box::new(all))]);
    assert_eq!(got[1].last(), Some(&0));
}
