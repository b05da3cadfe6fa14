//! Golden JSON:API documents (written from maple-protocol.md §7) decoded into the models.

use super::super::accounts::AttemptResult;
use super::super::jsonapi::Document;
use super::super::*;

fn doc(kind: &str, body: &str) -> Document {
    Document::parse(kind, body.as_bytes()).expect("document parses")
}

#[test]
fn an_account_decodes_every_attribute_and_ignores_unknown_ones() {
    let d = doc(ACCOUNTS, include_str!("data/account.json"));
    let a = Account::decode(d.one(ACCOUNTS).expect("one")).expect("decode");
    assert_eq!(
        (a.id, a.name.as_str(), a.pin.as_str(), a.pic.as_str()),
        (7, "carol", "1234", "")
    );
    assert_eq!((a.pin_attempts, a.pic_attempts, a.logged_in), (2, 0, 1));
    assert_eq!(
        (a.last_login, a.gender, a.banned, a.tos),
        (1_767_225_600_000, 10, false, true)
    );
    assert_eq!(
        (a.language.as_str(), a.country.as_str(), a.character_slots),
        ("en", "us", 6)
    );
}

#[test]
fn account_debug_hides_password_pin_and_pic() {
    let d = doc(ACCOUNTS, include_str!("data/account.json"));
    let a = Account::decode(d.one(ACCOUNTS).expect("one")).expect("decode");
    let text = format!("{a:?} {:?}", AccountChange::Pic("s3cret".into()));
    assert!(
        !text.contains("hash") && !text.contains("1234") && !text.contains("s3cret"),
        "{text}"
    );
    assert!(text.contains("carol"));
}

#[test]
fn an_account_id_must_be_a_decimal_u32() {
    let d = doc(
        ACCOUNTS,
        r#"{"data":{"type":"accounts","id":"x1","attributes":{}}}"#,
    );
    let err = Account::decode(d.one(ACCOUNTS).expect("one")).expect_err("bad id");
    assert!(
        err.to_string().starts_with("cannot decode accounts.id"),
        "{err}"
    );
}

#[test]
fn worlds_hydrate_their_channels_from_included() {
    let d = doc(WORLDS, include_str!("data/worlds.json"));
    let worlds: Vec<World> = d
        .many()
        .iter()
        .map(|r| World::decode(&d, r).expect("world"))
        .collect();
    let bera = &worlds[0];
    assert_eq!(
        (bera.id, bera.name.as_str(), bera.recommended),
        (1, "Bera", true)
    );
    assert_eq!(
        (bera.recommended_message.as_str(), bera.meso_rate),
        ("Try Bera!", 1.5)
    );
    assert_eq!(bera.channels.len(), 1);
    assert_eq!(bera.channels[0].created_at, "", "missing is the zero value");
    let scania = &worlds[1];
    assert_eq!(
        (scania.state, scania.capacity_status, scania.exp_rate),
        (2, 1, 2.0)
    );
    let ports: Vec<u16> = scania.channels.iter().map(|c| c.port).collect();
    assert_eq!(ports, [7575, 7576], "sorted by channel id");
    let ch = &scania.channels[0];
    assert_eq!((ch.id.as_str(), ch.world_id, ch.channel_id), ("c0a0", 0, 0));
    assert_eq!(
        (ch.ip_address.as_str(), ch.current_capacity, ch.max_capacity),
        ("127.0.0.1", 10, 100)
    );
    assert_eq!(
        scania.channels[1].created_at, "1767225600",
        "a number kept as text"
    );
}

#[test]
fn an_out_of_range_number_names_resource_and_field() {
    let body = r#"{"data":{"type":"worlds","id":"0","attributes":{"capacityStatus":70000}}}"#;
    let d = doc(WORLDS, body);
    let err = World::decode(&d, d.one(WORLDS).expect("one")).expect_err("range");
    assert!(
        matches!(&err, RestError::Decode { resource, field, .. }
        if resource == "worlds" && field == "capacityStatus"),
        "{err}"
    );
    let body = r#"{"data":{"type":"channels","id":"c","attributes":{"port":-1}}}"#;
    let d = doc(CHANNELS, body);
    assert!(
        Channel::decode(d.one(CHANNELS).expect("one")).is_err(),
        "negative port"
    );
}

#[test]
fn characters_decode_sp_lists_gm_and_nulls() {
    let d = doc(CHARACTERS, include_str!("data/characters.json"));
    let chars: Vec<Character> = d
        .many()
        .iter()
        .map(|r| Character::decode(r).expect("char"))
        .collect();
    let admin = &chars[0];
    assert_eq!(
        (admin.id, admin.account_id, admin.level, admin.job_id),
        (1, 1, 200, 900)
    );
    assert_eq!(
        (admin.sp.clone(), admin.first_sp(), admin.gm),
        (vec![10, 0, 0, 0], 10, 1)
    );
    assert_eq!(
        (admin.fame, admin.x, admin.y, admin.stance),
        (-5, -120, 35, 4)
    );
    assert_eq!(
        (admin.hp, admin.max_mp, admin.map_id),
        (30000, 30000, 180_000_000)
    );
    let evan = &chars[1];
    assert_eq!(
        (evan.job_id, evan.sp.len(), evan.first_sp()),
        (2200, 0, 0),
        "empty sp, no panic"
    );
    assert_eq!(
        (chars[2].level, chars[2].sp.len()),
        (0, 0),
        "nulls are zero values"
    );
}

#[test]
fn a_bad_sp_entry_is_a_decode_error_on_sp() {
    let d = doc(
        CHARACTERS,
        r#"{"data":{"type":"characters","id":"1","attributes":{"sp":"1,a"}}}"#,
    );
    let err = Character::decode(d.one(CHARACTERS).expect("one")).expect_err("sp");
    assert!(
        err.to_string().starts_with("cannot decode characters.sp"),
        "{err}"
    );
}

#[test]
fn an_inventory_hydrates_compartments_and_their_assets() {
    let d = doc(INVENTORIES, include_str!("data/inventory.json"));
    let inv = Inventory::decode(&d, d.one(INVENTORIES).expect("one")).expect("inventory");
    assert_eq!(
        (inv.id.as_str(), inv.character_id, inv.compartments.len()),
        ("9f0e", 1, 2)
    );
    let equip = inv.compartment(EQUIP).expect("equip compartment");
    assert_eq!((equip.capacity, equip.assets.len()), (24, 4));
    let hat = &equip.assets[0];
    assert_eq!(
        (hat.slot, hat.template_id, hat.quantity),
        (-1, 1_002_140, 1)
    );
    assert_eq!(
        (hat.expiration.as_str(), hat.cash_id.as_str()),
        ("0001-01-01T00:00:00Z", "0")
    );
    let equipped: Vec<(i16, u32)> = inv
        .equipped()
        .iter()
        .map(|a| (a.slot, a.template_id))
        .collect();
    assert_eq!(
        equipped,
        [(-1, 1_002_140), (-11, 1_302_000), (-101, 1_002_186)]
    );
    assert_eq!(equip.assets[1].cash_id, "8000000001");
}

#[test]
fn guilds_decode_members() {
    let d = doc(GUILDS, include_str!("data/guilds.json"));
    let g = Guild::decode(&d.many()[0]).expect("guild");
    assert_eq!(
        (g.id, g.world_id, g.name.as_str(), g.leader_id),
        (1, 0, "Atlas", 1)
    );
    assert!(g.is_leader(1) && !g.is_leader(4));
    assert_eq!(g.members.len(), 2);
    assert_eq!((g.members[1].character_id, g.members[1].online), (4, true));
    assert_eq!(
        g.members[0].alliance_title, 0,
        "null inside a member is the zero value"
    );
}

#[test]
fn configurations_decode_tasks_tenants_and_raw_socket() {
    let d = doc(SERVICES, include_str!("data/service_config.json"));
    let s = ServiceConfig::decode(d.one(SERVICES).expect("one")).expect("service");
    assert_eq!(
        s.tasks[0],
        TaskConfig {
            kind: "timeout".into(),
            interval: 5000,
            duration: 3_600_000
        }
    );
    assert_eq!(s.tenants[0].port, 8300);
    assert_eq!(
        s.tenants[0].id.to_string(),
        "083839c6-c47c-42a6-9585-76492795d123"
    );
    let d = doc(TENANTS, include_str!("data/tenant_config.json"));
    let t = TenantConfig::decode(d.one(TENANTS).expect("one")).expect("tenant");
    assert_eq!(
        (
            t.region.as_str(),
            t.major_version,
            t.minor_version,
            t.uses_pin
        ),
        ("GMS", 83, 1, false)
    );
    let socket = t.socket.expect("socket kept");
    assert_eq!(socket["handlers"][0]["handler"], "LoginHandle");
    assert!(
        socket["handlers"][0]["options"].is_null(),
        "raw: nulls kept"
    );
}

#[test]
fn a_tenant_config_without_socket_has_none() {
    let body = r#"{"data":{"type":"tenants","id":"083839c6-c47c-42a6-9585-76492795d123","attributes":{"region":"GMS","majorVersion":83,"minorVersion":1}}}"#;
    let d = doc(TENANTS, body);
    assert_eq!(
        TenantConfig::decode(d.one(TENANTS).expect("one"))
            .expect("tenant")
            .socket,
        None
    );
}

/// The decode error of a service or tenant configuration document, as text.
fn config_error(kind: &str, attributes: &str) -> String {
    let body = format!(
        r#"{{"data":{{"type":"{kind}","id":"083839c6-c47c-42a6-9585-76492795d123","attributes":{attributes}}}}}"#
    );
    let d = doc(kind, &body);
    let resource = d.one(kind).expect("one");
    let error = if kind == SERVICES {
        ServiceConfig::decode(resource)
            .map(|_| ())
            .expect_err(attributes)
    } else {
        TenantConfig::decode(resource)
            .map(|_| ())
            .expect_err(attributes)
    };
    assert!(matches!(error, RestError::Decode { .. }), "{error}");
    error.to_string()
}

#[test]
fn a_service_configs_tenant_entries_need_an_id_and_a_port_and_errors_name_the_entry() {
    let cases = [
        (r#"{"tenants":{}}"#, "services.tenants: expected a list"),
        (
            r#"{"tenants":[7]}"#,
            "services.tenants[0]: expected an object",
        ),
        (
            r#"{"tenants":[{"id":"083839c6-c47c-42a6-9585-76492795d123","port":8300},{"port":8484}]}"#,
            "services.tenants[1].id: missing",
        ),
        (
            r#"{"tenants":[{"id":"x","port":1}]}"#,
            "services.tenants[0].id: not a uuid",
        ),
        (
            r#"{"tenants":[{"id":"083839c6-c47c-42a6-9585-76492795d123"}]}"#,
            "services.tenants[0].port: missing",
        ),
        (
            r#"{"tenants":[{"id":"083839c6-c47c-42a6-9585-76492795d123","port":70000}]}"#,
            "services.tenants[0].port: invalid value: integer `70000`, expected u16",
        ),
        (
            r#"{"tenants":[{"id":"083839c6-c47c-42a6-9585-76492795d123","port":"8300"}]}"#,
            "services.tenants[0].port: invalid type: string \"8300\", expected u16",
        ),
        (
            r#"{"tasks":[{"type":"timeout","interval":"5s"}]}"#,
            "services.tasks[0].interval: invalid type: string \"5s\", expected u64",
        ),
    ];
    for (attributes, expected) in cases {
        assert_eq!(
            config_error(SERVICES, attributes),
            format!("cannot decode {expected}"),
            "{attributes}"
        );
    }
}

#[test]
fn a_service_configs_tenant_entry_keeps_its_other_members() {
    let body = r#"{"data":{"type":"services","id":"s","attributes":{"tasks":null,
      "tenants":[{"id":"083839c6-c47c-42a6-9585-76492795d123","port":8484,"protocol":"json-lines"}]}}}"#;
    let s = ServiceConfig::decode(doc(SERVICES, body).one(SERVICES).expect("one")).expect("decode");
    assert!(s.tasks.is_empty());
    assert_eq!(s.tenants[0].port, 8484);
    assert_eq!(s.tenants[0].extra.len(), 1);
    assert_eq!(s.tenants[0].extra["protocol"], "json-lines");
}

#[test]
fn a_tenant_config_needs_its_region_and_versions() {
    let cases = [
        (
            r#"{"majorVersion":83,"minorVersion":1}"#,
            "tenants.region: missing",
        ),
        (
            r#"{"region":"GMS","minorVersion":1}"#,
            "tenants.majorVersion: missing",
        ),
        (
            r#"{"region":"GMS","majorVersion":83,"minorVersion":null}"#,
            "tenants.minorVersion: missing",
        ),
        (
            r#"{"region":"GMS","majorVersion":"83","minorVersion":1}"#,
            "tenants.majorVersion: invalid type: string \"83\", expected u16",
        ),
        (
            r#"{"region":7,"majorVersion":83,"minorVersion":1}"#,
            "tenants.region: invalid type: integer `7`, expected a string",
        ),
    ];
    for (attributes, expected) in cases {
        assert_eq!(
            config_error(TENANTS, attributes),
            format!("cannot decode {expected}"),
            "{attributes}"
        );
    }
}

#[test]
fn attempt_results_decode() {
    let body = r#"{"data":{"type":"pin-attempts","id":"1","attributes":{"attempts":3,"limitReached":true}}}"#;
    let d = doc("pin-attempts", body);
    let r = AttemptResult::decode(d.one("pin-attempts").expect("one")).expect("result");
    assert_eq!(
        r,
        AttemptResult {
            attempts: 3,
            limit_reached: true
        }
    );
}

#[test]
fn the_patch_body_is_the_full_resource_with_an_empty_password() {
    let d = doc(ACCOUNTS, include_str!("data/account.json"));
    let a = Account::decode(d.one(ACCOUNTS).expect("one")).expect("decode");
    let body = a.changed(&AccountChange::Tos(false)).patch_resource();
    assert_eq!(
        (body["type"].as_str(), body["id"].as_str()),
        (Some("accounts"), Some("7"))
    );
    let attrs = &body["attributes"];
    assert_eq!(attrs["password"], "");
    assert_eq!(
        (attrs["tos"].as_bool(), attrs["pin"].as_str()),
        (Some(false), Some("1234"))
    );
    assert_eq!(
        attrs.as_object().map(|o| o.len()),
        Some(14),
        "every attribute is re-sent"
    );
    assert_eq!(attrs["characterSlots"], 6);
}
