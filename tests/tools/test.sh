#!/usr/bin/env bash
# `make test`: unit and integration tests against the test broker (tansu), which this starts
# when it does not run yet and stops again, even when tests fail. The broker's port is
# BROKER_PORT (default 19092); when that port is taken by something that is not our broker and
# BROKER_PORT was not set, a free port is used instead. LONG_TESTS=1 adds the long tests.
set -uo pipefail
cd "$(dirname "$0")/../.."
CARGO="${CARGO:-cargo}"

"$CARGO" test --workspace --no-run --quiet || exit $?

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

port="${BROKER_PORT:-19092}"
if ! BROKER_PORT="$port" tests/tools/broker.sh status >/dev/null 2>&1 && listening "$port"; then
  if [ -n "${BROKER_PORT_SET:-}" ]; then
    echo "port $port (BROKER_PORT) is taken by another process" >&2; exit 1
  fi
  port=$(free_port)
  echo "port ${BROKER_PORT:-19092} is taken by another process; the test broker uses $port"
fi
export BROKER_PORT="$port"
started=0
if ! tests/tools/broker.sh status >/dev/null 2>&1; then
  tests/tools/broker.sh up || exit 1
  started=1
fi
export TEST_BOOTSTRAP_SERVERS="127.0.0.1:$port"
"$CARGO" test --workspace; rc=$?
if [ $rc = 0 ] && [ "${LONG_TESTS:-}" = 1 ]; then
  echo "LONG_TESTS=1: the long tests (broker outage, connection storm, rejoin, stalled clients, chaos)"
  "$CARGO" test --test it -- --ignored; rc=$?
fi
if [ $started = 1 ]; then tests/tools/broker.sh down; fi
exit $rc
