//! The game socket's C→S request readers (`gateway::maple::requests`), fed any bytes as the
//! body (after the opcode) of every packet kind, for every supported version.
//!
//! Checks: no reader panics; `read_request` gives what the kind's own `XxxRequest::read` gives;
//! an error describes the body it came from (offsets and lengths within it); bytes after the
//! last field are ignored (the one exception being AfterLogin's optional PIN, which is read only
//! when bytes remain); and when a decoded request carries a secret (password, machine id, PIN,
//! PIC, MAC strings, passport) of at least 6 bytes, its `Debug` (plain and pretty) does not
//! depend on the secret's content and does not show it (as text, decimal or hex bytes) unless
//! that text provably comes from elsewhere. The differential: the secret's bytes are replaced
//! in the body by a filler of the same length, and the re-read request must differ from the
//! first in that secret only and `Debug` alike.

#![no_main]

use libfuzzer_sys::fuzz_target;
use login_orchestrator::gateway::maple::requests::{
    read_request, AcceptTosRequest, AfterLoginRequest, CharacterListWorldRequest,
    CharacterSelectRequest, CharacterSelectWithPicRequest, CheckNameRequest,
    CreateCharacterRequest, DeleteCharacterRequest, LoginRequest, MachineId, Macs,
    RegisterPicRequest, RegisterPinRequest, Request, Secret, ServerStatusRequest, SetGenderRequest,
    StartErrorRequest, ViewAllPongRequest, ViewAllRegisterPicRequest, ViewAllRequest,
    ViewAllSelectedRequest, ViewAllWithPicRequest,
};
use login_orchestrator::gateway::maple::{Handler, ReadError, Rules, Version};

/// Secrets this short are not checked (a 1-5 byte value shows up in any text by chance).
const MIN_SECRET: usize = 6;

fuzz_target!(|body: &[u8]| {
    for version in Version::supported() {
        let rules = Rules::for_version(*version).expect("supported");
        for &handler in Handler::ALL {
            let result = read_request(handler, &rules, body);
            assert_eq!(result, read_directly(handler, &rules, body), "{handler:?}");
            match &result {
                Ok(request) => {
                    check_trailing_bytes_ignored(handler, &rules, body, request);
                    check_secrets_never_shown(handler, &rules, body, request);
                }
                Err(error) => check_error_describes_body(error, body),
            }
        }
    }
});

/// Each kind's own reader, wrapped as `read_request` should wrap it.
fn read_directly(handler: Handler, rules: &Rules, b: &[u8]) -> Result<Request, ReadError> {
    use Request as R;
    Ok(match handler {
        Handler::Login => R::Login(LoginRequest::read(b, rules)?),
        Handler::ServerListRequest => R::ServerListRequest,
        Handler::CharacterListWorld => {
            R::CharacterListWorld(CharacterListWorldRequest::read(b, rules)?)
        }
        Handler::ServerStatus => R::ServerStatus(ServerStatusRequest::read(b, rules)?),
        Handler::AcceptTos => R::AcceptTos(AcceptTosRequest::read(b, rules)?),
        Handler::SetGender => R::SetGender(SetGenderRequest::read(b, rules)?),
        Handler::AfterLogin => R::AfterLogin(AfterLoginRequest::read(b, rules)?),
        Handler::RegisterPin => R::RegisterPin(RegisterPinRequest::read(b, rules)?),
        Handler::ViewAll => R::ViewAll(ViewAllRequest::read(b, rules)?),
        Handler::ViewAllSelected => R::ViewAllSelected(ViewAllSelectedRequest::read(b, rules)?),
        Handler::ViewAllPong => R::ViewAllPong(ViewAllPongRequest::read(b, rules)?),
        Handler::CharacterSelect => R::CharacterSelect(CharacterSelectRequest::read(b, rules)?),
        Handler::CheckName => R::CheckName(CheckNameRequest::read(b, rules)?),
        Handler::CreateCharacter => R::CreateCharacter(CreateCharacterRequest::read(b, rules)?),
        Handler::DeleteCharacter => R::DeleteCharacter(DeleteCharacterRequest::read(b, rules)?),
        Handler::RegisterPic => R::RegisterPic(RegisterPicRequest::read(b, rules)?),
        Handler::CharacterSelectWithPic => {
            R::CharacterSelectWithPic(CharacterSelectWithPicRequest::read(b, rules)?)
        }
        Handler::ViewAllRegisterPic => {
            R::ViewAllRegisterPic(ViewAllRegisterPicRequest::read(b, rules)?)
        }
        Handler::ViewAllWithPic => R::ViewAllWithPic(ViewAllWithPicRequest::read(b, rules)?),
        Handler::Pong => R::Pong,
        Handler::ClientStart => R::ClientStart,
        Handler::StartError => R::StartError(StartErrorRequest::read(b, rules)?),
        Handler::NoOp | Handler::WorldSelect | Handler::CreateSecurity => R::Unread(handler),
    })
}

/// A read error names a place inside the body.
fn check_error_describes_body(error: &ReadError, body: &[u8]) {
    match *error {
        ReadError::Truncated {
            offset,
            needed,
            remaining,
        } => {
            assert_eq!(offset + remaining, body.len(), "{error:?}");
            assert!(needed > remaining, "{error:?}");
        }
        ReadError::StringLength { offset, len } => {
            assert!(len >= 0x8000, "{error:?}");
            assert!(offset + 2 <= body.len(), "{error:?}");
            let prefix = u16::from_le_bytes([body[offset], body[offset + 1]]);
            assert_eq!(prefix, len, "{error:?}");
        }
    }
}

/// A decoded body decodes alike with a byte more, except AfterLogin's optional PIN.
fn check_trailing_bytes_ignored(handler: Handler, rules: &Rules, body: &[u8], request: &Request) {
    if let Request::AfterLogin(AfterLoginRequest {
        opt2: Some(_),
        pin: None,
        ..
    }) = request
    {
        return; // (opt1, opt2) without a PIN: a byte more starts the PIN
    }
    let mut longer = body.to_vec();
    longer.push(0x5A);
    assert_eq!(
        read_request(handler, rules, &longer).as_ref(),
        Ok(request),
        "a trailing byte changed a {handler:?}"
    );
}

/// A secret-bearing field of a request.
enum Slot<'a> {
    Secret(&'a mut Secret),
    Machine(&'a mut MachineId),
}

impl Slot<'_> {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Slot::Secret(s) => s.expose().to_vec(),
            Slot::Machine(m) => m.expose().to_vec(),
        }
    }
    fn blank(&mut self) {
        match self {
            Slot::Secret(s) => **s = Secret::default(),
            Slot::Machine(m) => **m = MachineId::default(),
        }
    }
}

fn macs_slots(macs: &mut Macs) -> Vec<Slot<'_>> {
    let mut out = vec![Slot::Secret(&mut macs.mac)];
    out.extend(macs.mac_hdd.as_mut().map(Slot::Secret));
    out
}

/// Every secret of a request, in a fixed order.
fn slots(request: &mut Request) -> Vec<Slot<'_>> {
    use Request as R;
    match request {
        R::Login(r) => vec![
            Slot::Secret(&mut r.password),
            Slot::Machine(&mut r.machine_id),
        ],
        R::AfterLogin(AfterLoginRequest { pin, .. })
        | R::RegisterPin(RegisterPinRequest { pin, .. }) => {
            pin.as_mut().map(Slot::Secret).into_iter().collect()
        }
        R::DeleteCharacter(r) => r.pic.as_mut().map(Slot::Secret).into_iter().collect(),
        R::ViewAll(r) => match r.fields.as_mut() {
            Some(f) => vec![
                Slot::Secret(&mut f.nexon_passport),
                Slot::Secret(&mut f.machine_id),
            ],
            None => vec![],
        },
        R::CharacterSelect(r) => r.macs.as_mut().map(macs_slots).unwrap_or_default(),
        R::ViewAllSelected(r) => macs_slots(&mut r.macs),
        R::RegisterPic(RegisterPicRequest { macs, pic, .. })
        | R::CharacterSelectWithPic(CharacterSelectWithPicRequest { macs, pic, .. })
        | R::ViewAllRegisterPic(ViewAllRegisterPicRequest { macs, pic, .. })
        | R::ViewAllWithPic(ViewAllWithPicRequest { macs, pic, .. }) => {
            let mut out = vec![Slot::Secret(pic)];
            out.extend(macs_slots(macs));
            out
        }
        _ => vec![],
    }
}

fn secrets(request: &Request) -> Vec<Vec<u8>> {
    slots(&mut request.clone())
        .iter()
        .map(Slot::bytes)
        .collect()
}

/// The request with every secret blanked.
fn redact(request: &Request) -> Request {
    let mut out = request.clone();
    slots(&mut out).iter_mut().for_each(Slot::blank);
    out
}

/// What a log line could show of a request.
fn shown(request: &Request) -> [String; 2] {
    [format!("{request:?}"), format!("{request:#?}")]
}

/// Ways a secret's bytes could appear in a `Debug` text: as (escaped) text, as a decimal or hex
/// byte list (compared with whitespace removed), as hex digits.
fn renderings(secret: &[u8]) -> Vec<String> {
    let text = format!("{:?}", String::from_utf8_lossy(secret));
    let list = |f: fn(&u8) -> String| secret.iter().map(f).collect::<Vec<_>>();
    vec![
        text[1..text.len() - 1].to_owned(),
        list(|b| b.to_string()).join(","),
        list(|b| format!("{b:02x}")).join(","),
        list(|b| format!("{b:02X}")).join(","),
        list(|b| format!("{b:02x}")).concat(),
        list(|b| format!("{b:02X}")).concat(),
    ]
}

fn shows(text: &str, secret: &[u8]) -> bool {
    let squeezed: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    renderings(secret)
        .iter()
        .any(|r| text.contains(r.as_str()) || squeezed.contains(r.as_str()))
}

fn check_secrets_never_shown(handler: Handler, rules: &Rules, body: &[u8], request: &Request) {
    let originals = secrets(request);
    for (k, secret) in originals.iter().enumerate() {
        if secret.len() < MIN_SECRET {
            continue;
        }
        let Some(filler) = (0..=u8::MAX).find(|b| !secret.contains(b)) else {
            continue; // every byte value occurs in it: no same-length stand-in
        };
        let other = variant(handler, rules, body, request, k, secret, filler)
            .unwrap_or_else(|| panic!("secret {k} of a {handler:?} not found in the body"));
        let texts = shown(request);
        for text in &texts {
            // A rendering of the secret in the text must come from elsewhere: the same text
            // for another secret of the same length.
            if shows(text, secret) {
                assert_eq!(
                    texts,
                    shown(&other),
                    "secret {k} of a {handler:?} appears in {text}"
                );
            }
        }
        assert_eq!(
            texts,
            shown(&other),
            "the Debug of a {handler:?} depends on secret {k}'s content"
        );
    }
}

/// The request re-read with secret `k` replaced in the body by `filler` bytes: found by trying
/// each place the secret's bytes occur in the body, keeping the one where nothing else changes.
fn variant(
    handler: Handler,
    rules: &Rules,
    body: &[u8],
    request: &Request,
    k: usize,
    secret: &[u8],
    filler: u8,
) -> Option<Request> {
    let originals = secrets(request);
    let len = secret.len();
    (0..=body.len() - len)
        .filter(|&at| &body[at..at + len] == secret)
        .find_map(|at| {
            let mut other_body = body.to_vec();
            other_body[at..at + len].fill(filler);
            let other = read_request(handler, rules, &other_body).ok()?;
            let mut expected = originals.clone();
            expected[k] = vec![filler; len];
            (redact(&other) == redact(request) && secrets(&other) == expected).then_some(other)
        })
}
