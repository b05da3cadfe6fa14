#!/usr/bin/env bash
# `make bench`: the release build, its own broker (tansu on BENCH_BROKER_PORT, default 19192, so
# it never meets `make test`'s on 19092), the account simulator as the peer, and the load
# generator (src/bin/loadgen.rs) against the service. Prints one table, every figure beside its
# baseline from the same run; files in target/bench/. See BENCHMARKS.md.
#
# Sizes (defaults as issue 5 asks; shrink them while developing):
#   BENCH_LOGINS_C1=2000 BENCH_LOGINS_C200=20000 BENCH_CONCURRENCY=200
#   BENCH_SESSIONS=10000 BENCH_EVENTS=1000000 BENCH_MEMORY_STEPS=10000,50000
#   BENCH_LOGIN_CHUNK=2500 BENCH_C1_CHUNK=1000   (logins per fresh broker; see login_chunks)
#   BENCH_PHASES="latency memory throughput"   (any subset; add "micro" for the criterion
#   micro-benchmarks, `cargo bench --bench hot_path` and `--bench maple_codec` (the game socket
#   codec beside its two cipher layers), whose build adds about 3 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."

export BROKER_PORT="${BENCH_BROKER_PORT:-19192}"
BOOTSTRAP="127.0.0.1:$BROKER_PORT"
GATEWAY_PORT="${BENCH_GATEWAY_PORT:-18484}"
GATEWAY="127.0.0.1:$GATEWAY_PORT"
LOGINS_C1="${BENCH_LOGINS_C1:-2000}"
LOGINS_C200="${BENCH_LOGINS_C200:-20000}"
CONCURRENCY="${BENCH_CONCURRENCY:-200}"
SESSIONS="${BENCH_SESSIONS:-10000}"
EVENTS="${BENCH_EVENTS:-1000000}"
MEMORY_STEPS="${BENCH_MEMORY_STEPS:-10000,50000}"
PHASES="${BENCH_PHASES:-latency memory throughput}"
LOGIN_CHUNK="${BENCH_LOGIN_CHUNK:-2500}"
C1_CHUNK="${BENCH_C1_CHUNK:-1000}"

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
cleanup() {
  [ -n "$SERVICE_PID" ] && kill -CONT "$SERVICE_PID" 2>/dev/null && kill -KILL "$SERVICE_PID" 2>/dev/null
  [ -n "$SIM_PID" ] && kill -KILL "$SIM_PID" 2>/dev/null
  tests/tools/broker.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT

# --- build -----------------------------------------------------------------------------------
say "building (cargo build --release --workspace --bins)"
cargo build --release --workspace --bins --quiet

# --- open files and source addresses ---------------------------------------------------------
# Each held session is one descriptor in the service and one in the load generator.
MAX_STEP=$(echo "$MEMORY_STEPS" | tr ',' '\n' | sort -n | tail -1)
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
python3 - "$GATEWAY_PORT" >"$DIR/service.json" <<'EOF'
import json, sys
service = json.load(open("config/service.json"))
# The JSON-lines tenant (the load generator speaks JSON lines), alone, on the bench's port.
service["tenants"] = [t for t in service["tenants"] if t.get("protocol") == "json-lines"][:1]
service["tenants"][0]["port"] = int(sys.argv[1])
print(json.dumps(service, indent=2))
EOF
ACCOUNTS=$(( LOGINS_C1 * 2 + 1000 + LOGINS_C200 + 250 * (LOGINS_C200 / LOGIN_CHUNK + 1) + 1000 ))
[ "$ACCOUNTS" -lt "$MAX_STEP" ] && ACCOUNTS=$MAX_STEP
[ "$ACCOUNTS" -lt $(( SESSIONS * 2 )) ] && ACCOUNTS=$(( SESSIONS * 2 ))
"$BIN/loadgen" accounts --count "$ACCOUNTS" >"$DIR/accounts.json"

TOPICS="COMMAND_TOPIC_ACCOUNT_SESSION,EVENT_TOPIC_SESSION_STATUS,EVENT_TOPIC_ACCOUNT_STATUS,EVENT_TOPIC_ACCOUNT_SESSION_STATUS,EVENT_TOPIC_SEED_STATUS"
# The service runs with its defaults (Kafka client settings from src/kafka/client.rs) except:
# - the consumer group's session timeout: tansu completes a group join only after half of it
#   (librdkafka's 45 s would cost 23 s per start); 6 s, as the tests use, and 20 s for the
#   throughput phase, whose service is stopped (SIGSTOP) while events are preloaded and must
#   keep its group membership meanwhile;
# - MAX_SESSIONS_PER_IP=0: the load generator is one "edge" with a few source addresses, which
#   a per-address limit (a policy, not a cost) would refuse;
# - ADMIN_ADDRESS on a free port, so a `make run` beside it does not collide.
SERVICE_ENV=(MAX_SESSIONS_PER_IP=0 ADMIN_ADDRESS=127.0.0.1:0 KAFKA_HEARTBEAT_INTERVAL_MS=2000)

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
    "$BIN/login-orchestrator" >"$DIR/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$GATEWAY_PORT") 2>/dev/null && return 0
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
  stop_service; stop_sim; broker_fresh; start_sim "$name" "$@"; start_service "$name" 6000
}

login_chunks() { # key concurrency total chunk first-account
  local key=$1 c=$2 total=$3 chunk=$4 first=$5 done=0 k=0 n tap
  rm -f "$DIR/$key.samples"
  while [ "$done" -lt "$total" ]; do
    n=$(( total - done < chunk ? total - done : chunk ))
    stack_fresh latency
    tap=(); [ "$k" = 0 ] && tap=(--tap "$BOOTSTRAP" --breakdown-key "${key}_breakdown")
    "$BIN/loadgen" login --gateway "$GATEWAY" --count "$n" --concurrency "$c" --first "$first" \
      "${tap[@]}" --samples "$DIR/$key.samples" --key "$key#$k" --out "$RESULTS"
    first=$(( first + n + 250 )); done=$(( done + n )); k=$(( k + 1 ))
  done
  "$BIN/loadgen" merge --samples "$DIR/$key.samples" --key "$key" --out "$RESULTS"
}

if has_phase latency; then
  say "latency: fresh broker, simulator, service"
  stack_fresh latency
  say "baseline: bare two-hop round trip, concurrency 1 ($LOGINS_C1) and $CONCURRENCY ($LOGINS_C200)"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo concurrent \
    --count "$LOGINS_C1" --concurrency 1 --key rtt_c1 --out "$RESULTS"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo concurrent \
    --count "$LOGINS_C200" --concurrency "$CONCURRENCY" --key rtt_c200 --out "$RESULTS"
  DIAG=$(( LOGINS_C1 < 500 ? LOGINS_C1 : 500 ))
  say "diagnostic: two-hop round trip with an echo that answers like the simulator ($DIAG each)"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo serial \
    --count "$DIAG" --concurrency 1 --key rtt_serial_c1 --out "$RESULTS"
  "$BIN/loadgen" rtt --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" --echo serial \
    --count "$DIAG" --concurrency "$CONCURRENCY" --key rtt_serial_c200 --out "$RESULTS"
  say "login round trip, concurrency 1 ($LOGINS_C1 logins, chunks of $C1_CHUNK)"
  login_chunks login_c1 1 "$LOGINS_C1" "$C1_CHUNK" 0
  say "login round trip, concurrency $CONCURRENCY ($LOGINS_C200 logins, chunks of $LOGIN_CHUNK)"
  login_chunks login_c200 "$CONCURRENCY" "$LOGINS_C200" "$LOGIN_CHUNK" $(( LOGINS_C1 * 2 + 1000 ))
  stop_service; stop_sim
fi

if has_phase memory; then
  say "memory: fresh broker, simulator, service; sessions $MEMORY_STEPS"
  broker_fresh; start_sim memory; start_service memory 6000
  BENCH_MEMORY_NOTE="$MEMORY_NOTE" "$BIN/loadgen" memory --gateway "$GATEWAY" --pid "$SERVICE_PID" \
    --steps "$MEMORY_STEPS" --out "$RESULTS"
  stop_service; stop_sim
fi

if has_phase throughput; then
  say "throughput: fresh broker, simulator, service; $SESSIONS sessions, $EVENTS events (routing, filtering, shutdown)"
  broker_fresh; start_sim throughput; start_service throughput 20000
  "$BIN/loadgen" throughput --gateway "$GATEWAY" --bootstrap "$BOOTSTRAP" --service "$DIR/service.json" \
    --pid "$SERVICE_PID" --sessions "$SESSIONS" --events "$EVENTS" \
    --topic EVENT_TOPIC_ACCOUNT_SESSION_STATUS --status-topic EVENT_TOPIC_SESSION_STATUS \
    --idle-topics EVENT_TOPIC_ACCOUNT_STATUS,EVENT_TOPIC_SEED_STATUS --out "$RESULTS"
  stop_service; stop_sim
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
  echo
  "$BIN/loadgen" report --results "$RESULTS"
  if has_phase micro; then echo; cat "$DIR/maple_codec.md"; fi
} | tee "$DIR/table.md"
say "done; results in $DIR/ (table.md, results.jsonl, logs)"
