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
    --select ID|first       select a character after listing (default: no select)
    --pic PIC               PIC for the select, when the server asks for one
                            (or env LOGIN_PROBE_PIC); a server in 'register PIC'
                            mode stores it as the account's new PIC
    --pin PIN               PIN, when the server demands one (or env LOGIN_PROBE_PIN)
    --accept-tos            accept the licence agreement if the server asks (code 23)
    --timeout-ms N          per-step timeout (default 10000)
    --reply-timeout-ms N    timeout of answers that go through Kafka: login, TOS,
                            select (default max(30000, --timeout-ms))
    --json                  print one JSON object per step instead of text
    -h, --help              print this help

EXIT STATUS:
    0 every step succeeded; 1 the server refused a step (wrong password, ban,
    world full, select refused); 2 usage error; 3 protocol or connection error
    (bad hello or header, malformed packet, connection closed); 4 timeout

Secrets (password, PIN, PIC, machine id) are never printed.";
