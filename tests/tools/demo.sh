#!/usr/bin/env bash
# `make demo`: the service in its embedded mode on free ports (its JSON-lines tenant only, so a
# busy default port is no obstacle), one scripted JSON-lines session (tests/tools/demo.py),
# then SIGTERM; exits with the session's status.
set -uo pipefail
cd "$(dirname "$0")/../.."
BIN="$1"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
service=$(mktemp /tmp/login-orchestrator-demo-XXXXXX.json)
python3 - "$port" >"$service" <<'PY'
import json, sys
service = json.load(open("config/service.json"))
service["tenants"] = [t for t in service["tenants"] if t.get("protocol") == "json-lines"][:1]
service["tenants"][0]["port"] = int(sys.argv[1])
print(json.dumps(service))
PY
SERVICE_ID=$(cat /proc/sys/kernel/random/uuid) BOOTSTRAP_SERVERS= LOG_LEVEL=warn \
  SERVICE_CONFIG="$service" ADMIN_ADDRESS=127.0.0.1:0 "$BIN" & pid=$!
for _ in $(seq 1 400); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
python3 tests/tools/demo.py "127.0.0.1:$port"; rc=$?
kill -TERM $pid; wait $pid
rm -f "$service"
exit $rc
