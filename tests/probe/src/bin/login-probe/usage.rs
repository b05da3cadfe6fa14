//! The `--help` text of login-probe.

/// Usage text printed by `--help` and after a usage error.
pub const USAGE: &str = "\
login-probe: synthetic end-to-end check of a MapleStory login server

USAGE:
    login-probe --addr HOST:PORT --version REGION/MAJOR/MINOR --user NAME [OPTIONS]

REQUIRED:
    --addr HOST:PORT        login server socket, e.g. 127.0.0.1:8300
    --version R/MAJ/MIN     client version: GMS/12/1, GMS/83/1, GMS/87/1, GMS/92/1,
                            GMS/95/1 or JMS/185/1
    --user NAME             account name
    --password PASSWORD     account password (better: env LOGIN_PROBE_PASSWORD, which
                            keeps it out of the process list)

OPTIONS:
    --hwid HEX32            16-byte machine id as 32 hex digits (default: all zero)
    --world N               world to list characters of (default 0)
    --channel N             channel to list characters of (default 0)
    --accept-tos            accept the licence agreement if the server asks (code 23)
    --gender male|female    choose the account's gender if the server asks (an account
                            without one, gender 10)
    --pin PIN               PIN, when the server demands one (or env LOGIN_PROBE_PIN):
                            entered; for an account without one it is registered first,
                            the server signs the account out, and the probe logs in
                            again on the same connection and enters it
    --timeout-ms N          per-step timeout (default 10000)
    --reply-timeout-ms N    timeout of answers that go through Kafka: login, TOS,
                            create, select (default max(30000, --timeout-ms))
    --json                  print one JSON object per step instead of text
    -h, --help              print this help

STEPS AFTER THE CHARACTER LIST (in this order):
    --check-name NAME       check whether NAME may be used for a new character
    --create NAME           create a character named NAME in --world (its name checked
                            first) with a default look, and wait for its entry (the
                            server sends it once the character factory's seed event
                            arrives)
    --delete ID|created     delete a character, or the one --create made; needs --pic
                            when the account has a PIC (GMS 12: --pic is the birth date,
                            YYYYMMDD, default 19700101)
    --view-all              view the characters of every world; --select then selects
                            from that view (in the character's world)
    --select ID|first|created
                            select a character: an id, the first one (not the one
                            --delete deleted), or the one --create made (default: no
                            select)
    --pic PIC               PIC for the select and the deletion, when the account has
                            one (or env LOGIN_PROBE_PIC); a server in 'register PIC'
                            mode stores it as the account's new PIC on the select

EXIT STATUS:
    0 every step succeeded; 1 the server refused a step (wrong password, ban,
    world full, wrong PIN, gender not recorded, name not available, creation or
    deletion refused, view-all error, select refused); 2 usage error (also a
    PIN or PIC the server asks for and none given); 3 protocol or connection error
    (bad hello or header, malformed packet, connection closed); 4 timeout

Secrets (password, PIN, PIC, machine id) are never printed.";
