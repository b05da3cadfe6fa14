//! Argument parsing: flags, environment fallbacks, validation of every step's value.

use super::*;

fn run(args: &[&str], env: &[(&str, &str)]) -> Result<Command, String> {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    parse(args.iter().map(|s| s.to_string()), move |k| {
        env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
}

const BASE: [&str; 6] = [
    "--addr",
    "127.0.0.1:8300",
    "--version",
    "GMS/83/1",
    "--user",
    "admin",
];

#[test]
fn password_comes_from_the_flag_or_the_environment() {
    let mut args = BASE.to_vec();
    args.extend(["--password=admin", "--select", "first", "--json"]);
    let Command::Run(a) = run(&args, &[]).unwrap() else {
        panic!("help")
    };
    assert_eq!(
        (a.password.0.as_str(), a.select, a.json),
        ("admin", Some(Select::First), true)
    );
    assert_eq!(format!("{:?}", a.password), "<redacted>");
    let Command::Run(a) = run(&BASE, &[("LOGIN_PROBE_PASSWORD", "env")]).unwrap() else {
        panic!("help")
    };
    assert_eq!(
        (a.password.0.as_str(), a.timeout),
        ("env", Duration::from_secs(10))
    );
    assert!(run(&BASE, &[])
        .unwrap_err()
        .contains("LOGIN_PROBE_PASSWORD"));
}

#[test]
fn values_are_validated() {
    let mut args = BASE.to_vec();
    args.extend([
        "--password",
        "x",
        "--hwid",
        "00112233445566778899AABBCCDDEEFF",
        "--world",
        "2",
    ]);
    let Command::Run(a) = run(&args, &[]).unwrap() else {
        panic!("help")
    };
    assert_eq!((a.hwid[15], a.world), (0xFF, 2));
    for bad in [
        ["--hwid", "00"],
        ["--world", "300"],
        ["--select", "last"],
        ["--bogus", "1"],
    ] {
        let mut args = BASE.to_vec();
        args.extend(["--password", "x"]);
        args.extend(bad);
        assert!(run(&args, &[]).is_err(), "{bad:?}");
    }
    assert!(matches!(run(&["--help"], &[]).unwrap(), Command::Help));
    assert!(run(&["--json=1"], &[]).is_err());
}

fn run_ok(extra: &[&str]) -> Args {
    let mut args = BASE.to_vec();
    args.extend(["--password", "x"]);
    args.extend(extra);
    match run(&args, &[]) {
        Ok(Command::Run(a)) => *a,
        other => panic!("{extra:?}: {other:?}"),
    }
}

#[test]
fn the_character_and_account_steps_are_parsed() {
    let a = run_ok(&[
        "--check-name",
        "Probe",
        "--create=Probe",
        "--delete",
        "created",
        "--view-all",
        "--select",
        "4",
        "--gender",
        "female",
    ]);
    assert_eq!(
        (a.check_name.as_deref(), a.create.as_deref(), a.delete),
        (Some("Probe"), Some("Probe"), Some(Delete::Created))
    );
    assert_eq!(
        (a.view_all, a.select, a.gender),
        (true, Some(Select::Id(4)), Some(Gender::Female))
    );
    let a = run_ok(&["--delete", "7", "--create", "X", "--select", "created"]);
    assert_eq!(
        (a.delete, a.select, a.view_all, a.gender),
        (Some(Delete::Id(7)), Some(Select::Created), false, None)
    );
    assert_eq!(run_ok(&["--gender", "male"]).gender, Some(Gender::Male));
    assert_eq!((Gender::Male.byte(), Gender::Female.byte()), (0, 1));
    assert_eq!(Gender::name_of(10), "not chosen");
}

#[test]
fn a_step_value_that_cannot_work_is_a_usage_error() {
    for (bad, says) in [
        (&["--delete", "created"][..], "needs --create"),
        (&["--select", "created"][..], "needs --create"),
        (
            &[
                "--create", "X", "--delete", "created", "--select", "created",
            ][..],
            "gone",
        ),
        (&["--delete", "last"][..], "--delete"),
        (&["--gender", "other"][..], "--gender"),
        (&["--gender", "1"][..], "--gender"),
        (&["--view-all=yes"][..], "takes no value"),
        (&["--create"][..], "needs a value"),
    ] {
        let mut args = BASE.to_vec();
        args.extend(["--password", "x"]);
        args.extend(bad);
        let err = run(&args, &[]).unwrap_err();
        assert!(err.contains(says), "{bad:?}: {err}");
    }
}
