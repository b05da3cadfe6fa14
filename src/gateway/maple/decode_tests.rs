//! The session requests GMS 83 packets become (the built-in handler table).

use bytes::Bytes;

use super::input_of;
use crate::config::TenantConfig;
use crate::gateway::maple::test_util::hex;
use crate::gateway::maple::{OpcodeWidth, Packet, Setup};
use crate::session::request::{
    ClientInput, GameRequest, Guard, NewCharacter, PicAnswer, PinRequest, Request, Secret,
};

fn setup() -> Setup {
    let tenant = TenantConfig {
        region: "GMS".into(),
        major_version: 83,
        minor_version: 1,
        ..TenantConfig::default()
    };
    Setup::for_tenant(&tenant).unwrap().0
}

/// The game request of a packet (opcode and body in hex), behind the LoggedIn validator.
fn request(packet: &str) -> GameRequest {
    let packet = Packet::new(Bytes::from(hex(packet)), OpcodeWidth::U16);
    match input_of(&setup(), &packet) {
        ClientInput::Request(Request::Game(request), Guard::LoggedIn) => request,
        other => panic!("{other:?}"),
    }
}

#[test]
fn after_login_is_the_pin_dialogs_step() {
    assert_eq!(request("09 00 00"), GameRequest::Pin(PinRequest::Cancel));
    assert_eq!(request("09 00 01 01"), GameRequest::Pin(PinRequest::Ask));
    assert_eq!(
        request("09 00 01 00 04 00 31 32 33 34"),
        GameRequest::Pin(PinRequest::Check(Secret::new("1234")))
    );
    assert_eq!(
        request("09 00 02 00 04 00 31 32 33 34"),
        GameRequest::Pin(PinRequest::Change(Secret::new("1234")))
    );
    assert_eq!(
        request("09 00 01 00"),
        GameRequest::Pin(PinRequest::Unknown)
    );
    assert_eq!(
        request("09 00 03 00"),
        GameRequest::Pin(PinRequest::Unknown)
    );
}

#[test]
fn register_pin_set_gender_and_check_name() {
    assert_eq!(
        request("0A 00 01 04 00 32 34 36 38"),
        GameRequest::RegisterPin {
            pin: Some(Secret::new("2468"))
        }
    );
    assert_eq!(request("0A 00 00"), GameRequest::RegisterPin { pin: None });
    assert_eq!(
        request("08 00 01 01"),
        GameRequest::SetGender {
            confirmed: true,
            gender: 1
        }
    );
    assert_eq!(
        request("15 00 04 00 48 65 72 6F"),
        GameRequest::CheckName {
            name: "Hero".into()
        }
    );
}

#[test]
fn create_and_delete_character() {
    let mut create = String::from("16 00 04 00 48 65 72 6F");
    for value in [1u32, 20000, 30000, 7, 2, 1040002, 1060002, 1072001, 1302000] {
        for byte in value.to_le_bytes() {
            create.push_str(&format!(" {byte:02X}"));
        }
    }
    create.push_str(" 01");
    assert_eq!(
        request(&create),
        GameRequest::CreateCharacter(Box::new(NewCharacter {
            name: "Hero".into(),
            job_index: 1,
            sub_job_index: 0,
            face: 20000,
            hair: 30000,
            hair_color: 7,
            skin_color: 2,
            top: 1040002,
            bottom: 1060002,
            shoes: 1072001,
            weapon: 1302000,
            gender: Some(1),
        }))
    );
    assert_eq!(
        request("17 00 04 00 31 32 33 34 07 00 00 00"),
        GameRequest::DeleteCharacter {
            character_id: 7,
            pic: Some(Secret::new("1234"))
        }
    );
}

#[test]
fn view_all_and_its_three_selects() {
    assert_eq!(request("0D 00"), GameRequest::ViewAll);
    let macs = "01 00 41 01 00 42";
    assert_eq!(
        request(&format!("0E 00 07 00 00 00 01 00 00 00 {macs}")),
        GameRequest::PlayFromAll {
            character_id: 7,
            world_id: 1,
            pic: PicAnswer::Without
        }
    );
    assert_eq!(
        request(&format!(
            "1F 00 00 07 00 00 00 01 00 00 00 {macs} 04 00 35 35 35 35"
        )),
        GameRequest::PlayFromAll {
            character_id: 7,
            world_id: 1,
            pic: PicAnswer::Registering("5555".into())
        }
    );
    assert_eq!(
        request(&format!(
            "20 00 04 00 35 35 35 35 07 00 00 00 01 00 00 00 {macs}"
        )),
        GameRequest::PlayFromAll {
            character_id: 7,
            world_id: 1,
            pic: PicAnswer::Given("5555".into())
        }
    );
}

#[test]
fn a_request_never_shows_its_pin_or_pic() {
    let shown = format!(
        "{:?} {:?}",
        request("09 00 01 00 04 00 39 38 37 36"),
        request("17 00 04 00 35 34 33 32 07 00 00 00")
    );
    assert!(
        !shown.contains("9876") && !shown.contains("5432"),
        "{shown}"
    );
}

#[test]
fn pic_is_used_by_the_gms_versions_whose_list_carries_the_login_option() {
    for (region, major, pic) in [
        ("GMS", 12, false),
        ("GMS", 83, true),
        ("GMS", 87, true),
        ("GMS", 92, true),
        ("GMS", 95, true),
        ("JMS", 185, false),
    ] {
        let tenant = TenantConfig {
            region: region.into(),
            major_version: major,
            minor_version: 1,
            ..TenantConfig::default()
        };
        let (setup, _) = Setup::for_tenant(&tenant).unwrap();
        assert_eq!(setup.uses_pic(), pic, "{region} {major}");
    }
}
