#!/usr/bin/env bash
# `make bench`: the release build, its own broker (tansu on BENCH_BROKER_PORT, default 19192, so
# it never meets `make test`'s on 19092), the account simulator as the peer, and the load
# generator (src/bin/loadgen.rs) against the service. Prints one table, every figure beside its
# baseline from the same run; files in target/bench/. See BENCHMARKS.md.
#
# Sizes (defaults as issues 5, 12, 15 and 17 ask; shrink them while developing):
#   BENCH_LOGINS_C1=2000 BENCH_LOGINS_C200=20000 BENCH_CONCURRENCY=200
#   BENCH_LOGINS_C1000=10000 BENCH_HIGH_CONCURRENCY=1000   (the burst row; 0 logins skips it)
#   BENCH_GAME_LOGINS_C1=2000 BENCH_GAME_LOGINS_C200=10000 (game socket logins; 0 skips)
#   BENCH_CONNECTS=2000                                    (connect → hello, at 1 and 200)
#   BENCH_SESSIONS=10000 BENCH_EVENTS=1000000 BENCH_MEMORY_STEPS=1000,10000,50000
#   BENCH_GAME_MEMORY_STEPS=1000,10000                     (idle game sessions)
#   BENCH_LOGIN_CHUNK=2500 BENCH_C1_CHUNK=1000 BENCH_HIGH_CHUNK=5000
#                                              (logins per fresh broker; see login_chunks)
#   BENCH_PHASES="latency memory throughput"   (any subset; add "micro" for the criterion
#   micro-benchmarks, `cargo bench --bench hot_path` and `--bench maple_codec` (the game socket
#   codec beside its two cipher layers), whose build adds about 3 minutes)
# BENCH_SERVICE_BIN: another build of the service to measure (a scratch experiment), same tools.
# Ports: BENCH_BROKER_PORT (19192), BENCH_GATEWAY_PORT (18484, JSON lines), BENCH_GAME_PORT
# (18300, the GMS 83 game socket), BENCH_REST_PORT (18080, the Atlas REST simulator); a default
# that another program holds is replaced by a free port (one set explicitly is used as given).
set -euo pipefail
cd "$(dirname "$0")/../.."

# A default port that is taken here is replaced by a free one, and said so.
port_free() { python3 -c 'import socket,sys; s=socket.socket(); s.bind(("127.0.0.1",int(sys.argv[1])))' "$1" 2>/dev/null; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
pick_port() { # name explicit default
  if [ -n "$2" ]; then echo "$2"; return; fi
  if port_free "$3"; then echo "$3"; return; fi
  local p; p=$(free_port)
  printf '[bench] NOTE: port %s (%s) is taken by another program; using %s\n' "$3" "$1" "$p" >&2
  echo "$p"
}
# A broker of an earlier bench of this clone still running on the default port is stopped, not
# replaced (its pid file is named after the port).
if [ -z "${BENCH_BROKER_PORT:-}" ] && BROKER_PORT=19192 tests/tools/broker.sh status >/dev/null 2>&1; then
  BROKER_PORT=19192 tests/tools/broker.sh down >/dev/null 2>&1 || true
fi
BROKER_PORT="$(pick_port broker "${BENCH_BROKER_PORT:-}" 19192)"
export BROKER_PORT
BOOTSTRAP="127.0.0.1:$BROKER_PORT"
GATEWAY_PORT="$(pick_port "JSON-lines gateway" "${BENCH_GATEWAY_PORT:-}" 18484)"
GATEWAY="127.0.0.1:$GATEWAY_PORT"
GAME_PORT="$(pick_port "game socket" "${BENCH_GAME_PORT:-}" 18300)"
GAME="127.0.0.1:$GAME_PORT"
REST_PORT="$(pick_port "REST simulator" "${BENCH_REST_PORT:-}" 18080)"
LOGINS_C1="${BENCH_LOGINS_C1:-2000}"
LOGINS_C200="${BENCH_LOGINS_C200:-20000}"
CONCURRENCY="${BENCH_CONCURRENCY:-200}"
LOGINS_HIGH="${BENCH_LOGINS_C1000:-10000}"
HIGH="${BENCH_HIGH_CONCURRENCY:-1000}"
GAME_C1="${BENCH_GAME_LOGINS_C1:-2000}"
GAME_C200="${BENCH_GAME_LOGINS_C200:-10000}"
CONNECTS="${BENCH_CONNECTS:-2000}"
SESSIONS="${BENCH_SESSIONS:-10000}"
EVENTS="${BENCH_EVENTS:-1000000}"
MEMORY_STEPS="${BENCH_MEMORY_STEPS:-1000,10000,50000}"
GAME_MEMORY_STEPS="${BENCH_GAME_MEMORY_STEPS:-1000,10000}"
PHASES="${BENCH_PHASES:-latency memory throughput}"
LOGIN_CHUNK="${BENCH_LOGIN_CHUNK:-2500}"
C1_CHUNK="${BENCH_C1_CHUNK:-1000}"
HIGH_CHUNK="${BENCH_HIGH_CHUNK:-5000}"
# The game tenant: GMS 83.1, the REST simulator's demo tenant (its data is generated below).
GAME_TENANT=083839c6-c47c-42a6-9585-76492795d123
GAME_VERSION=GMS/83/1

# Builds land where cargo puts them (CARGO_TARGET_DIR honoured); results beside them.
TARGET_DIR="${TARGET_DIR:-$(cargo metadata --no-deps --format-version 1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')}"
DIR="$TARGET_DIR/bench"
RESULTS="$DIR/results.jsonl"
BIN="$TARGET_DIR/release"
mkdir -p "$DIR"
: >"$RESULTS"
T0=$(date +%s)

say() { printf '[bench %3ds] %s\n' "$(( $(date +%s) - T0 ))" "$*" >&2; }
has_phase() { case " $PHASES " in *" $1 "*) return 0 ;; esac; return 1; }

# --- processes started here, stopped on any exit ------------------------------------------
SERVICE_PID=""
SIM_PID=""
REST_PID=""
cleanup() {
  [ -n "$SERVICE_PID" ] && kill -CONT "$SERVICE_PID" 2>/dev/null && kill -KILL "$SERVICE_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill -KILL "$SIM_PID" 2>/dev/null
  [ -n "$REST_PID" ] && kill -KILL "$REST_PID" 2>/dev/null
  tests/tools/broker.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- build -----------------------------------------------------------------------------------
say "building (cargo build --release --workspace --bins)"
cargo build --release --workspace --bins --quiet
# This machine is shared: the load average beside the run says how noisy its figures are.
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)

# --- open files and source addresses ---------------------------------------------------------
# Each held session is one descriptor in the service and one in the load generator.
MAX_STEP=$(echo "$MEMORY_STEPS,$GAME_MEMORY_STEPS" | tr ',' '\n' | sort -n | tail -1)
NEED=$(( MAX_STEP + 2000 ))
MEMORY_NOTE=""
if ! ulimit -n "$NEED" 2>/dev/null; then
  HARD=$(ulimit -Hn)
  ulimit -n "$HARD"
  CAP=$(( HARD - 1000 ))
  if [ "$CAP" -lt "$MAX_STEP" ]; then
    MEMORY_NOTE="the open-file limit could not be raised to $NEED (hard limit $HARD; this container lacks CAP_SYS_RESOURCE, so even root cannot raise it): the largest step was measured at $CAP sessions instead of $MAX_STEP"
    say "NOTE: $MEMORY_NOTE"
    MEMORY_STEPS=$(echo "$MEMORY_STEPS" | tr ',' '\n' | awk -v cap="$CAP" '{ print ($1 > cap ? cap : $1) }' | sort -nu | paste -sd, -)
    GAME_MEMORY_STEPS=$(echo "$GAME_MEMORY_STEPS" | tr ',' '\n' | awk -v cap="$CAP" '{ print ($1 > cap ? cap : $1) }' | sort -nu | paste -sd, -)
  fi
fi
say "open-file limit $(ulimit -n); memory steps $MEMORY_STEPS"
# Linux routes all of 127.0.0.0/8 to the loopback interface: the load generator binds
# 127.0.0.2..127.0.0.9 as source addresses (about 28,000 ephemeral ports each) and falls back to
# 127.0.0.1 alone, saying so, if they cannot be bound.
if ! (exec 3<>/dev/tcp/127.0.0.1/1) 2>/dev/null && ! ip -4 addr show dev lo 2>/dev/null | grep -q '127.0.0.1/8'; then
  say "NOTE: lo does not carry 127.0.0.0/8; trying to add it"
  ip addr add 127.0.0.2/8 dev lo 2>/dev/null || say "NOTE: could not add 127.0.0.2/8 to lo; clients use 127.0.0.1 only"
fi

# --- configuration for the service and the simulator --------------------------------------
python3 - "$GATEWAY_PORT" "$GAME_PORT" "$GAME_TENANT" >"$DIR/service.json" <<'EOF'
import json, sys
service = json.load(open("config/service.json"))
# The JSON-lines tenant first (the load generator's Kafka baselines use the first tenant's
# headers), then the GMS 83.1 game tenant (the default protocol, maple), on the bench's ports.
json_lines = [t for t in service["tenants"] if t.get("protocol") == "json-lines"][:1]
game = [t for t in service["tenants"] if t["id"] == sys.argv[3]][:1]
assert json_lines and game, "config/service.json lacks the JSON-lines or the GMS 83 tenant"
assert game[0].get("protocol", "maple") == "maple" and game[0]["majorVersion"] == 83
json_lines[0]["port"], game[0]["port"] = int(sys.argv[1]), int(sys.argv[2])
service["tenants"] = json_lines + game
print(json.dumps(service, indent=2))
EOF
# Every chunk of logins starts a fresh simulator, so accounts are numbered from 0 in each: the
# accounts file needs the largest chunk (and its warm-up), the largest memory step twice (the
# game steps follow the JSON-lines ones on one simulator's numbering) and twice the throughput
# phase's sessions (those it replaces). The REST simulator knows the same accounts.
ACCOUNTS=$(( HIGH_CHUNK + HIGH + 1000 ))
for n in $(( LOGIN_CHUNK + CONCURRENCY + 1000 )) $(( MAX_STEP * 2 + 1000 )) $(( SESSIONS * 2 + 1000 )); do
  [ "$ACCOUNTS" -lt "$n" ] && ACCOUNTS=$n
done
"$BIN/loadgen" accounts --count "$ACCOUNTS" --atlas-sim "$DIR/atlas-sim.json" \
  --atlas-sim-base config/atlas-sim.json --tenant "$GAME_TENANT" >"$DIR/accounts.json"

TOPICS="COMMAND_TOPIC_ACCOUNT_SESSION,EVENT_TOPIC_SESSION_STATUS,EVENT_TOPIC_ACCOUNT_STATUS,EVENT_TOPIC_ACCOUNT_SESSION_STATUS,EVENT_TOPIC_SEED_STATUS"
# The service runs with its defaults (Kafka client settings from src/kafka/client.rs) except:
# - the consumer group's session timeout: tansu completes a group join only after half of it
#   (librdkafka's 45 s would cost 23 s per start); 6 s, as the tests use, and 20 s for the
#   throughput phase, whose service is stopped (SIGSTOP) while events are preloaded and must
#   keep its group membership meanwhile;
# - MAX_SESSIONS_PER_IP=0: the load generator is one "edge" with a few source addresses, which
#   a per-address limit (a policy, not a cost) would refuse;
# - ADMIN_ADDRESS on a free port, so a `make run` beside it does not collide.
# - BASE_SERVICE_URL: the REST simulator (a game login reads the account before AuthSuccess).
SERVICE_ENV=(MAX_SESSIONS_PER_IP=0 ADMIN_ADDRESS=127.0.0.1:0 KAFKA_HEARTBEAT_INTERVAL_MS=2000
  BASE_SERVICE_URL="http://127.0.0.1:$REST_PORT/")

broker_fresh() {
  tests/tools/broker.sh down >/dev/null 2>&1 || true
  tests/tools/broker.sh up >/dev/null
  "$BIN/loadgen" topics --bootstrap "$BOOTSTRAP" --names "$TOPICS"
}

start_sim() { # name [VAR=value ...]
  local name=$1; shift
  env BOOTSTRAP_SERVERS="$BOOTSTRAP" ACCOUNTS_FILE="$DIR/accounts.json" LOG_LEVEL=warn "$@" \
    "$BIN/account-sim" >"$DIR/account-sim-$name.log" 2>&1 &
  SIM_PID=$!
}

# The Atlas REST simulator (src/bin/atlas-sim.rs) with the bench accounts.
start_rest() { # name
  env BOOTSTRAP_SERVERS="$BOOTSTRAP" ATLAS_SIM_FILE="$DIR/atlas-sim.json" \
    ATLAS_SIM_ADDRESS="127.0.0.1:$REST_PORT" LOG_LEVEL=warn \
    "$BIN/atlas-sim" >"$DIR/atlas-sim-$1.log" 2>&1 &
  REST_PID=$!
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$REST_PORT") 2>/dev/null && return 0
    kill -0 "$REST_PID" 2>/dev/null || { say "the REST simulator exited; see $DIR/atlas-sim-$1.log"; exit 1; }
    sleep 0.1
  done
  say "the REST simulator did not listen within 30 s; see $DIR/atlas-sim-$1.log"; exit 1
}

stop_rest() {
  [ -n "$REST_PID" ] || return 0
  kill -TERM "$REST_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$REST_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$REST_PID" 2>/dev/null || true
  wait "$REST_PID" 2>/dev/null || true
  REST_PID=""
}

stop_sim() {
  [ -n "$SIM_PID" ] || return 0
  kill -INT "$SIM_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$SIM_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SIM_PID" 2>/dev/null || true
  wait "$SIM_PID" 2>/dev/null || true
  SIM_PID=""
}

start_service() { # name session-timeout-ms
  env SERVICE_ID="$(cat /proc/sys/kernel/random/uuid)" BOOTSTRAP_SERVERS="$BOOTSTRAP" \
    SERVICE_CONFIG="$DIR/service.json" "${SERVICE_ENV[@]}" KAFKA_SESSION_TIMEOUT_MS="$2" \
    "${BENCH_SERVICE_BIN:-$BIN/login-orchestrator}" >"$DIR/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT") 2>/dev/null \
      && (exec 3<>"/dev/tcp/127.0.0.1/$GAME_PORT") 2>/dev/null && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || { say "the service exited; see $DIR/service-$1.log"; exit 1; }
    sleep 0.1
  done
  say "the service did not open its gateway within 60 s; see $DIR/service-$1.log"; exit 1
}

stop_service() {
  [ -n "$SERVICE_PID" ] || return 0
  kill -TERM "$SERVICE_PID" 2>/dev/null || true
  for _ in $(seq 1 300); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}

# --- phases ----------------------------------------------------------------------------------
# The test broker slows down as its topics fill (each small message is kept as an object of
# its own, and a fetch scans them: logins/s at concurrency 200 halves within 5,000 logins), so
# logins run in chunks of BENCH_LOGIN_CHUNK on a fresh broker, simulator and service each; the
# percentiles are over all samples of all chunks.
stack_fresh() { # name [simulator VAR=value ...]
  local name=$1; shift
  stop_service; stop_rest; stop_sim; broker_fresh; start_sim "$name" "$@"; start_rest "$name"
  start_service "$name" 6000
}

# The CPU time of every process of a run (see `loadgen --cpu`): broker, simulators, service.
cpu_pids() {
  local list="broker=$(cat ".cache/tansu/broker-$BROKER_PORT.pid" 2>/dev/null || echo 0),sim=${SIM_PID:-0}"
  [ -n "$SERVICE_PID" ] && list="$list,service=$SERVICE_PID"
  [ -n "$REST_PID" ] && list="$list,rest=$REST_PID"
  echo "$list"
}

# With an rtt key, each chunk is preceded by the bare two-hop round trip of the same count and
# concurrency on the same fresh broker, so that the login and its baseline see the same machine
# (this one is shared, and its load drifts within minutes).
login_chunks() { # key protocol concurrency total chunk [rtt-key]
  local key=$1 proto=$2 c=$3 total=$4 chunk=$5 rtt=${6:-} done=0 k=0 n tap gateway=$GATEWAY
  local args=()
  [ "$proto" = maple ] && { gateway=$GAME; args=(--protocol maple --version "$GAME_VERSION"); }
  rm -f "$DIR/$key.samples"*
  [ -n "$rtt" ] && rm -f "$DIR/$rtt.samples"
  while [ "$done" -lt "$total" ]; do
    n=$(( total - done < chunk ? total - done : chunk ))
    stack_fresh latency
    # (`if`, not `&&`: a failure inside an `&&` list would not stop the bench under `set -e`.)
    if [ -n "$rtt" ]; then
      "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" \
        --echo concurrent --count "$n" --concurrency "$c" --samples "$DIR/$rtt.samples" \
        --key "$rtt#$k" --out "$RESULTS"
    fi
    tap=(); [ "$k" = 0 ] && tap=(--tap "$BOOTSTRAP" --breakdown-key "${key}_breakdown")
    "$BIN/loadgen" login --gateway "$gateway" "${args[@]}" --count "$n" --concurrency "$c" \
      --first 0 "${tap[@]}" --cpu "$(cpu_pids)" --samples "$DIR/$key.samples" --key "$key#$k" \
      --out "$RESULTS"
    done=$(( done + n )); k=$(( k + 1 ))
  done
  "$BIN/loadgen" merge --samples "$DIR/$key.samples" --key "$key" --out "$RESULTS"
  if [ -n "$rtt" ]; then
    "$BIN/loadgen" merge --samples "$DIR/$rtt.samples" --key "$rtt" --out "$RESULTS"
  fi
}

# The same-peer baseline of the logins: CREATE → the account simulator → CREATED as the
# service sends and reads them, with no service running, in the same chunks on a fresh broker
# and simulator each.
peer_chunks() { # key concurrency total chunk [shape]
  local key=$1 c=$2 total=$3 chunk=$4 shape=${5:-peer} done=0 k=0 n
  rm -f "$DIR/$key.samples"
  while [ "$done" -lt "$total" ]; do
    n=$(( total - done < chunk ? total - done : chunk ))
    stop_service; stop_rest; stop_sim; broker_fresh; start_sim peer
    "$BIN/loadgen" peer --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --count "$n" \
      --concurrency "$c" --first 0 --command-topic COMMAND_TOPIC_ACCOUNT_SESSION \
      --answer-topic EVENT_TOPIC_ACCOUNT_SESSION_STATUS \
      --other-topics EVENT_TOPIC_ACCOUNT_STATUS,EVENT_TOPIC_SEED_STATUS --cpu "$(cpu_pids)" \
      --shape "$shape" --status-topic EVENT_TOPIC_SESSION_STATUS \
      --samples "$DIR/$key.samples" --key "$key#$k" --out "$RESULTS"
    done=$(( done + n )); k=$(( k + 1 ))
  done
  "$BIN/loadgen" merge --samples "$DIR/$key.samples" --key "$key" --out "$RESULTS"
}

if has_phase latency; then
  say "latency: fresh broker, simulators, service"
  stack_fresh latency
  DIAG=$(( LOGINS_C1 < 500 ? LOGINS_C1 : 500 ))
  say "diagnostic: two-hop round trip with an echo that answers like the simulator ($DIAG each)"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo serial \
    --count "$DIAG" --concurrency 1 --key rtt_serial_c1 --out "$RESULTS"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo serial \
    --count "$DIAG" --concurrency "$CONCURRENCY" --key rtt_serial_c200 --out "$RESULTS"
  if [ "$CONNECTS" -gt 0 ]; then
    for c in 1 "$CONCURRENCY"; do
      say "connect → hello, concurrency $c ($CONNECTS), beside a TCP connect + an awaited produce"
      stack_fresh latency
      "$BIN/loadgen" connect --gateway "$GATEWAY" --bootstrap "$BOOTSTRAP" --count "$CONNECTS" \
        --concurrency "$c" --key "connect_c$c" --out "$RESULTS"
    done
  fi
  say "login round trip, concurrency 1 ($LOGINS_C1 logins, chunks of $C1_CHUNK), each chunk after its bare two-hop"
  login_chunks login_c1 json 1 "$LOGINS_C1" "$C1_CHUNK" rtt_c1
  say "login round trip, concurrency $CONCURRENCY ($LOGINS_C200 logins, chunks of $LOGIN_CHUNK), each chunk after its bare two-hop"
  login_chunks login_c200 json "$CONCURRENCY" "$LOGINS_C200" "$LOGIN_CHUNK" rtt_c200
  if [ "$LOGINS_HIGH" -gt 0 ]; then
    say "login round trip, concurrency $HIGH ($LOGINS_HIGH logins, chunks of $HIGH_CHUNK)"
    login_chunks login_high json "$HIGH" "$LOGINS_HIGH" "$HIGH_CHUNK"
  fi
  if [ "$GAME_C1" -gt 0 ]; then
    say "game socket login (connect to AuthSuccess), concurrency 1 ($GAME_C1, chunks of $C1_CHUNK)"
    login_chunks game_c1 maple 1 "$GAME_C1" "$C1_CHUNK"
  fi
  if [ "$GAME_C200" -gt 0 ]; then
    say "game socket login, concurrency $CONCURRENCY ($GAME_C200, chunks of $LOGIN_CHUNK)"
    login_chunks game_c200 maple "$CONCURRENCY" "$GAME_C200" "$LOGIN_CHUNK"
  fi
  say "baseline: the same peer without the service, CREATE → simulator → CREATED, at 1, $CONCURRENCY and $HIGH"
  peer_chunks peer_c1 1 "$LOGINS_C1" "$C1_CHUNK"
  peer_chunks peer_c200 "$CONCURRENCY" "$LOGINS_C200" "$LOGIN_CHUNK"
  if [ "$LOGINS_HIGH" -gt 0 ]; then peer_chunks peer_high "$HIGH" "$LOGINS_HIGH" "$HIGH_CHUNK"; fi
  say "diagnostic: a bare client of the service's shape (its ledger records and session CREATED too), no service"
  peer_chunks shape_c200 "$CONCURRENCY" "$LOGINS_C200" "$LOGIN_CHUNK" service
  if [ "$LOGINS_HIGH" -gt 0 ]; then peer_chunks shape_high "$HIGH" "$LOGINS_HIGH" "$HIGH_CHUNK" service; fi
  stop_service; stop_rest; stop_sim
fi

if has_phase memory; then
  say "memory: fresh broker, simulators, service; JSON-lines sessions $MEMORY_STEPS"
  stack_fresh memory
  BENCH_MEMORY_NOTE="$MEMORY_NOTE" "$BIN/loadgen" memory --gateway "$GATEWAY" --pid "$SERVICE_PID" \
    --steps "$MEMORY_STEPS" --key memory --out "$RESULTS"
  if [ -n "$GAME_MEMORY_STEPS" ] && [ "$GAME_MEMORY_STEPS" != 0 ]; then
    say "memory: fresh broker, simulators, service; game sessions $GAME_MEMORY_STEPS"
    stack_fresh memory-game
    "$BIN/loadgen" memory --gateway "$GAME" --protocol maple --version "$GAME_VERSION" \
      --pid "$SERVICE_PID" --steps "$GAME_MEMORY_STEPS" --key memory_game --out "$RESULTS"
  fi
  stop_service; stop_rest; stop_sim
fi

if has_phase throughput; then
  say "throughput: fresh broker, simulator, service; $SESSIONS sessions, $EVENTS events (routing, filtering, shutdown)"
  stop_service; stop_rest; stop_sim; broker_fresh; start_sim throughput; start_rest throughput
  start_service throughput 20000
  "$BIN/loadgen" throughput --gateway "$GATEWAY" --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" \
    --pid "$SERVICE_PID" --sessions "$SESSIONS" --events "$EVENTS" \
    --topic EVENT_TOPIC_ACCOUNT_SESSION_STATUS --status-topic EVENT_TOPIC_SESSION_STATUS \
    --idle-topics EVENT_TOPIC_ACCOUNT_STATUS,EVENT_TOPIC_SEED_STATUS --out "$RESULTS"
  stop_service; stop_rest; stop_sim
fi
tests/tools/broker.sh down >/dev/null 2>&1 || true

# The game socket codec's paths against its two cipher layers (tests/benches/maple_codec.rs):
# criterion's medians, each path's ratio to the sum of the layers it runs (goal: within 1.2x).
maple_codec_ratios() {
  python3 - "$TARGET_DIR/criterion/maple_codec" <<'EOF'
import json, os, sys
root = sys.argv[1]
def ns(case, size):
    path = os.path.join(root, case, str(size), "new", "estimates.json")
    try:
        return json.load(open(path))["median"]["point_estimate"]
    except (OSError, KeyError, ValueError):
        return None
def cell(t, size):
    return f"{t / 1000:.2f} us ({size / t * 1000:.0f} MB/s)"
print("maple codec: criterion medians per packet (body MB/s); goal: path / (AES + Shanda) <= 1.2x")
print()
print("| body | path | time | AES | Shanda | path / (AES + Shanda) | |")
print("|---|---|---|---|---|---|---|")
for size in (60, 600, 3000):
    aes = ns("aes", size)
    for path, shanda, what in (("s2c", "shanda_encrypt", "S->C write_packet + encrypt"),
                               ("c2s_frame", "shanda_decrypt", "C->S FrameDecoder"),
                               ("c2s", "shanda_decrypt", "C->S FrameDecoder + request parse"),
                               ("layers_open", "shanda_decrypt", "(check) codec's AES + Shanda, no framing")):
        t, sh = ns(path, size), ns(shanda, size)
        if not (t and aes and sh):
            print(f"| {size} B | {what} | missing | | | | |")
            continue
        ratio = t / (aes + sh)
        goal = "" if path == "layers_open" else ("met" if ratio <= 1.2 else "MISSED")
        print(f"| {size} B | {what} | {cell(t, size)} | {cell(aes, size)} | {shanda.split('_')[1]} {cell(sh, size)} | {ratio:.2f}x | {goal} |")
EOF
}

if has_phase micro; then
  say "micro-benchmarks (criterion, no broker): decode, tenant match, route; the maple codec"
  cargo bench --quiet --bench hot_path 2>&1 | tee "$DIR/micro.txt" \
    | grep -E 'time:|^[a-z_]+/[a-z_]+$' >&2 || true
  rm -rf "$TARGET_DIR/criterion/maple_codec"
  cargo bench --quiet --bench maple_codec 2>&1 | tee "$DIR/micro-maple.txt" \
    | grep -E 'time:|thrpt:|^maple_codec/' >&2 || true
  maple_codec_ratios >"$DIR/maple_codec.md"
  cat "$DIR/maple_codec.md" >&2
fi

# --- the table -------------------------------------------------------------------------------
{
  echo "login-orchestrator benchmarks, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr); broker tansu 0.6.0 (memory storage) on the same cores"
  echo "load average (1, 5, 15 min): $LOAD_START after the build, $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(( $(date +%s) - T0 )) s in all"
  echo
  "$BIN/loadgen" report --results "$RESULTS"
  if has_phase micro; then echo; cat "$DIR/maple_codec.md"; fi
} | tee "$DIR/table.md"
say "done; results in $DIR/ (table.md, results.jsonl, logs)"
