#!/usr/bin/env bash
# `make run`: the release binary with a SERVICE_ID (a fresh one unless given). When the default
# service file's ports or the admin port are taken by another program on this machine (and
# SERVICE_CONFIG / ADMIN_ADDRESS were not set), free ones are used instead, and said so.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$1"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export SERVICE_ID="${SERVICE_ID:-$(cat /proc/sys/kernel/random/uuid)}"
if [ -z "${SERVICE_CONFIG:-}" ]; then
  moved=$(python3 - <<'PY'
import json, socket
service = json.load(open("config/service.json"))
moved = []
for t in service["tenants"]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", t["port"]))
    except OSError:
        f = socket.socket(); f.bind(("127.0.0.1", 0)); port = f.getsockname()[1]; f.close()
        moved.append(f'{t["port"]}->{port}')
        t["port"] = port
    finally:
        s.close()
if moved:
    path = "/tmp/login-orchestrator-run-service.json"
    json.dump(service, open(path, "w"), indent=2)
    print(path, " ".join(moved))
PY
)
  if [ -n "$moved" ]; then
    export SERVICE_CONFIG="${moved%% *}"
    echo "make run: default ports taken by another program; using ${moved#* } (service file $SERVICE_CONFIG)" >&2
  fi
fi
if [ -z "${ADMIN_ADDRESS:-}" ] && listening 9464; then
  export ADMIN_ADDRESS="127.0.0.1:$(free_port)"
  echo "make run: port 9464 is taken by another program; the admin endpoints are on $ADMIN_ADDRESS" >&2
fi
exec "$BIN"
