# login-orchestrator: `make run` starts the service, `make test` runs every test against a real
# Kafka-protocol broker (tansu) that it installs and starts itself.

BROKER_PORT ?= 19092
export BROKER_PORT
CARGO ?= cargo

.PHONY: run test unit-test deps broker-up broker-down build release clean fmt lint

build:
	$(CARGO) build

release:
	$(CARGO) build --release

# The service. With BOOTSTRAP_SERVERS set it uses that cluster.
run: release
	@if [ -z "$$SERVICE_ID" ]; then export SERVICE_ID=$$(cat /proc/sys/kernel/random/uuid); fi; \
	SERVICE_ID=$${SERVICE_ID:-$$(cat /proc/sys/kernel/random/uuid)} ./target/release/login-orchestrator

# System packages the build and the tests need (Debian); a no-op when they are present.
deps:
	@missing=""; for p in pkg-config libssl-dev unzip python3-pip make gcc; do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; fi
	@command -v $(CARGO) >/dev/null || { echo "cargo (the Rust toolchain) is required" >&2; exit 1; }

broker-up:
	@scripts/broker.sh up

broker-down:
	@scripts/broker.sh down

unit-test:
	$(CARGO) test --lib --bins

# Unit and integration tests; starts the broker if it is not running and stops what it started,
# even when tests fail.
test: deps
	@$(CARGO) test --no-run --quiet
	@started=0; \
	if ! scripts/broker.sh status >/dev/null 2>&1; then scripts/broker.sh up && started=1; fi; \
	TEST_BOOTSTRAP_SERVERS=127.0.0.1:$(BROKER_PORT) $(CARGO) test; rc=$$?; \
	if [ $$started = 1 ]; then scripts/broker.sh down; fi; \
	exit $$rc

fmt:
	$(CARGO) fmt

lint:
	$(CARGO) clippy --all-targets -- -D warnings

clean:
	$(CARGO) clean
	rm -rf .cache
