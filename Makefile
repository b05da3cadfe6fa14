# login-orchestrator: `make run` starts the service, `make test` runs every test against a real
# Kafka-protocol broker (tansu) that it installs and starts itself.

# The test broker's port (`make test`, `make broker-up`); a busy default is replaced by a free
# port in `make test`, an explicitly set one is not.
ifdef BROKER_PORT
export BROKER_PORT_SET = 1
endif
BROKER_PORT ?= 19092
export BROKER_PORT
CARGO ?= cargo
# Where cargo puts its builds: honours CARGO_TARGET_DIR (and .cargo/config) as cargo does.
TARGET_DIR = $(shell $(CARGO) metadata --no-deps --format-version 1 2>/dev/null | \
  python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')

.PHONY: run demo test unit-test deps broker-up broker-down build release clean fmt lint bench fuzz image-check

build:
	$(CARGO) build

release:
	$(CARGO) build --release

# The service. Without BOOTSTRAP_SERVERS: an embedded broker, account simulator and Atlas REST
# simulator (for trying it, not for production). With BOOTSTRAP_SERVERS set: the service alone
# against that cluster. A SERVICE_ID is generated when none is given; busy default ports are
# replaced by free ones (tests/tools/run.sh).
run: deps release
	@exec tests/tools/run.sh "$(TARGET_DIR)/release/login-orchestrator"

# A scripted session against `make run`'s service (started and stopped here), transcript printed.
demo: deps release
	@tests/tools/demo.sh "$(TARGET_DIR)/release/login-orchestrator"

# System packages the build and the tests need (Debian); a no-op when they are present.
deps:
	@missing=""; for p in pkg-config libssl-dev unzip; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	python3 -m pip --version >/dev/null 2>&1 || missing="$$missing python3-pip"; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@command -v $(CARGO) >/dev/null || { echo "cargo (the Rust toolchain) is required" >&2; exit 1; }

broker-up:
	@tests/tools/broker.sh up

broker-down:
	@tests/tools/broker.sh down

unit-test:
	$(CARGO) test --workspace --lib --bins

# Unit and integration tests; starts the broker if it is not running and stops what it started,
# even when tests fail (see tests/tools/test.sh).
test: deps
	@CARGO="$(CARGO)" tests/tools/test.sh

# The container image (config/docker/Dockerfile) without a Docker engine: its build and run steps
# replayed on this host by tests/tools/image_check.py (same command, same files after
# .dockerignore, same user), then the result started in a network namespace of its own and
# probed (/healthz, /readyz, a login), stopped with SIGTERM, exit 0. Needs root (it adds the
# image's user for the run and removes it again).
image-check: deps
	@python3 tests/tools/image_check.py

fmt:
	$(CARGO) fmt

lint:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf .cache

# Benchmarks (issue 5): release build, its own broker on port 19192 (started and stopped here),
# the account simulator as the peer, the load generator; prints one table with every figure
# beside its same-run baseline. Sizes and phases: see tests/tools/bench.sh; results: BENCHMARKS.md.
bench: deps
	@TARGET_DIR="$(TARGET_DIR)" tests/tools/bench.sh

# Fuzzing: cargo-fuzz (libFuzzer) targets for the gateway line decoder, each consumed-message
# decoder, and the game socket codec: its frame decoder (maple_frames), request readers
# (maple_requests) and response writers (maple_responses) (tests/fuzz, its own workspace: never
# part of `cargo build` or `cargo test`), each run for FUZZ_SECONDS. cargo-fuzz is installed when
# missing; RUSTC_BOOTSTRAP=1 lets the stable toolchain take the nightly flags it passes. Seeds are
# committed in tests/fuzz/seeds/<target>/ and only read; what a run learns goes to
# tests/fuzz/corpus/<target>/ and a crashing input to tests/fuzz/artifacts/<target>/ (both
# git-ignored). One process per target, one target at a time.
# Replay a crash: RUSTC_BOOTSTRAP=1 cargo fuzz run --fuzz-dir tests/fuzz --target-dir target/fuzz \
#   <target> tests/fuzz/artifacts/<target>/<file>
FUZZ_SECONDS ?= 20
FUZZ_TARGETS ?= gateway_request account_status account_session_status seed_status maple_frames \
  maple_requests maple_responses
FUZZ_DIRS = --fuzz-dir tests/fuzz --target-dir "$(TARGET_DIR)/fuzz"

fuzz: deps
	@$(CARGO) fuzz --version >/dev/null 2>&1 || $(CARGO) install cargo-fuzz --locked
	RUSTC_BOOTSTRAP=1 $(CARGO) fuzz build $(FUZZ_DIRS)
	@set -e; for t in $(FUZZ_TARGETS); do \
	  mkdir -p tests/fuzz/corpus/$$t; echo "== fuzz $$t for $(FUZZ_SECONDS) s"; \
	  RUSTC_BOOTSTRAP=1 $(CARGO) fuzz run $(FUZZ_DIRS) $$t tests/fuzz/corpus/$$t tests/fuzz/seeds/$$t -- \
	    -max_total_time=$(FUZZ_SECONDS) -timeout=10 -dict=tests/fuzz/json.dict -print_final_stats=1; \
	  echo "== $$t: corpus $$(ls tests/fuzz/corpus/$$t | wc -l) files"; \
	done
