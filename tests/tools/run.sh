#!/usr/bin/env bash
# `make run`: the release binary with a SERVICE_ID (a fresh one unless given). When a default
# tenant port or the admin port is taken by another program on this machine, free ones are used
# instead, and said so: in the file the tenants come from (see the README's configuration):
# with SERVICE_CONFIG unset in the embedded mode, a copy of the REST simulator's data
# (ATLAS_SIM_FILE) with the ports moved; with BOOTSTRAP_SERVERS set and no configuration
# service, a copy of config/service.json (SERVICE_CONFIG). Nothing is moved when SERVICE_CONFIG,
# ADMIN_ADDRESS or a configuration service (CONFIGURATIONS_SERVICE_URL, BASE_SERVICE_URL) is set.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN="$1"

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

export SERVICE_ID="${SERVICE_ID:-$(cat /proc/sys/kernel/random/uuid)}"
embedded_sim=$(echo "${EMBEDDED_ATLAS_SIM:-true}" | tr '[:upper:]' '[:lower:]')
if [ -n "${SERVICE_CONFIG:-}" ] || [ -n "${CONFIGURATIONS_SERVICE_URL:-}" ] || [ -n "${BASE_SERVICE_URL:-}" ]; then
  source=""
elif [ -z "${BOOTSTRAP_SERVERS:-}" ] && [ "$embedded_sim" != false ] && [ "$embedded_sim" != 0 ]; then
  source=sim
else
  source=file
fi
if [ -n "$source" ]; then
  moved=$(SOURCE="$source" SIM_FILE="${ATLAS_SIM_FILE:-config/atlas-sim.json}" python3 - <<'PY'
import json, os, socket
source = os.environ["SOURCE"]
path = os.environ["SIM_FILE"] if source == "sim" else "config/service.json"
data = json.load(open(path))
if source == "sim":
    # The default service entry (served for any SERVICE_ID) and this SERVICE_ID's own.
    ids = ("default", os.environ["SERVICE_ID"].lower())
    services = data.get("configurations", {}).get("services", [])
    tenants = [t for s in services if str(s.get("id", "")).lower() in ids for t in s.get("tenants", [])]
else:
    tenants = data["tenants"]
moved = []
for t in tenants:
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
    out = f"/tmp/login-orchestrator-run-{'atlas-sim' if source == 'sim' else 'service'}.json"
    json.dump(data, open(out, "w"), indent=2)
    print(out, " ".join(moved))
PY
)
  if [ -n "$moved" ]; then
    if [ "$source" = sim ]; then
      export ATLAS_SIM_FILE="${moved%% *}"
      echo "make run: default ports taken by another program; using ${moved#* } (REST simulator data $ATLAS_SIM_FILE)" >&2
    else
      export SERVICE_CONFIG="${moved%% *}"
      echo "make run: default ports taken by another program; using ${moved#* } (service file $SERVICE_CONFIG)" >&2
    fi
  fi
fi
if [ -z "${ADMIN_ADDRESS:-}" ] && listening 9464; then
  export ADMIN_ADDRESS="127.0.0.1:$(free_port)"
  echo "make run: port 9464 is taken by another program; the admin endpoints are on $ADMIN_ADDRESS" >&2
fi
exec "$BIN"
