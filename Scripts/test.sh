#!/usr/bin/env bash
# The project's test command:  bash Scripts/test.sh [swift test args...]
#
# Brings up the real RabbitMQ test peer (Scripts/rabbitmq-node.sh) and a redis-server,
# exports their CELERIAC_TEST_* variables, runs `swift test "$@"` — and, given no arguments, then
# the node-wide tests alone (CELERIAC_TEST_NODE_WIDE=1) — then runs the suites that take
# a broker URL again, unchanged, on `celeriac broker` (CELERIAC_TEST_BROKER=celeriac),
# stops both brokers on exit and exits non-zero if any pass failed.
#
# CI=true (or CELERIAC_REQUIRE_PEERS=1): a peer that cannot be brought up is an
# error, and CELERIAC_REQUIRE_PEERS=1 makes the Swift tests fail instead of
# skipping when a peer is missing. Otherwise the tests run anyway and the
# RabbitMQ ones skip.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

require_peers=0
if [ "${CI:-}" = true ] || [ "${CELERIAC_REQUIRE_PEERS:-}" = 1 ]; then require_peers=1; fi

note() { echo "test.sh: $*" >&2; }
peer_missing() {
    if [ "$require_peers" = 1 ]; then
        note "error: $* (required: CI=true or CELERIAC_REQUIRE_PEERS=1)"
        exit 1
    fi
    note "warning: $* - running the tests anyway; the RabbitMQ tests will skip"
}

ensure_rabbitmq() {
    if dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null | grep -q 'install ok installed' &&
        command -v openssl >/dev/null; then
        return 0
    fi
    if [ "$(id -u)" != 0 ]; then
        note "rabbitmq-server is not installed and we are not root (apt-get install -y rabbitmq-server)"
        return 1
    fi
    note "installing rabbitmq-server from Debian"
    # Note: on images without policy-rc.d the package's postinst may also start
    # the system node on 5672; ours is isolated from it, so that is harmless.
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 &&
        apt-get install -y -q --no-install-recommends rabbitmq-server openssl >&2
}

# What the build and the dashboard's tests need from Debian: the C libraries the system-library
# targets link (SQLite, ncursesw, jemalloc) and tmux, the real terminal the dashboard is tested in.
ensure_debian_packages() {
    local missing=()
    for package in libsqlite3-dev libncurses-dev libjemalloc-dev tmux; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
    done
    [ "${#missing[@]}" = 0 ] && return 0
    if [ "$(id -u)" != 0 ]; then
        note "missing Debian packages and not root: apt-get install -y ${missing[*]}"
        return 1
    fi
    note "installing ${missing[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Python Celery 5.7 runs the interop tests' worker (Tests/Interop/fixapp.py); pika 1.4.4 and
# py-amqp (which Celery brings) check the brokers' behaviour (Tests/Interop/broker_behaviour.py).
# redis-py 5.2.1 is what Celery's Redis result backend talks through (Tests/Interop/redis_results.py).
ensure_python_celery() {
    python3 -c 'import celery, pika, redis, sys; sys.exit(celery.__version__ != "5.7.0" or pika.__version__ != "1.4.4" or redis.__version__ != "5.2.1")' \
        2>/dev/null && return 0
    note "installing celery 5.7.0, pika 1.4.4 and redis 5.2.1 from PyPI"
    python3 -m pip install -q "celery==5.7.0" "pika==1.4.4" "redis==5.2.1" >&2
}

# Redis, the redis:// result backend's peer (Debian's redis-server).
ensure_redis() {
    command -v redis-server >/dev/null && return 0
    if [ "$(id -u)" != 0 ]; then
        note "redis-server is not installed and we are not root (apt-get install -y redis-server)"
        return 1
    fi
    note "installing redis-server from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 && apt-get install -y -q --no-install-recommends redis-server >&2
}

# A redis-server of the tests' own on a loopback port beside the RabbitMQ node's, keeping
# nothing on disk; exports CELERIAC_TEST_REDIS_URL once it accepts connections.
redis_pid=
redis_dir=
start_redis() {
    local port="${CELERIAC_TEST_REDIS_PORT:-21790}"
    redis_dir="$(mktemp -d -t celeriac-test-redis.XXXXXX)"
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" \
        --logfile "$redis_dir/redis.log" &
    redis_pid=$!
    for _ in $(seq 1 50); do
        if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            export CELERIAC_TEST_REDIS_URL="redis://127.0.0.1:$port/0"
            note "CELERIAC_TEST_REDIS_URL=$CELERIAC_TEST_REDIS_URL"
            return 0
        fi
        kill -0 "$redis_pid" 2>/dev/null || break
        sleep 0.1
    done
    note "redis-server did not start on port $port:"
    cat "$redis_dir/redis.log" >&2
    return 1
}

peer_started=0
celeriac_broker_pid=
cleanup() {
    if [ -n "$redis_pid" ]; then
        kill "$redis_pid" 2>/dev/null
        wait "$redis_pid" 2>/dev/null
    fi
    [ -n "$redis_dir" ] && rm -rf "$redis_dir"
    if [ "$peer_started" = 1 ]; then
        bash Scripts/rabbitmq-node.sh stop || true
    fi
    if [ -n "$celeriac_broker_pid" ]; then
        kill "$celeriac_broker_pid" 2>/dev/null
        # A broker that does not stop warm within 10 s is stopped cold: never hang here.
        for _ in $(seq 1 100); do kill -0 "$celeriac_broker_pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$celeriac_broker_pid" 2>/dev/null
        wait "$celeriac_broker_pid" 2>/dev/null
    fi
    [ -n "${celeriac_broker_data:-}" ] && rm -rf "$celeriac_broker_data"
}
trap cleanup EXIT
# Ctrl-C / kill: exit (which runs the EXIT trap). Ctrl-C reaches swift test
# too; a signal sent to this script alone is handled once swift test returns
# (bash defers traps while a foreground child runs). The node runs in its own
# session, so it never sees the terminal's SIGINT itself.
trap 'exit 130' INT
trap 'exit 143' TERM

ensure_debian_packages || peer_missing "the build's Debian packages (libsqlite3-dev, libncurses-dev, libjemalloc-dev, tmux) are missing"

if ensure_rabbitmq; then
    peer_started=1   # set before start: a half-started node must be stopped too
    if bash Scripts/rabbitmq-node.sh start; then
        eval "$(bash Scripts/rabbitmq-node.sh env)"
        env | grep '^CELERIAC_TEST_' | sed 's/^/test.sh: /' >&2
    else
        peer_missing "could not start the RabbitMQ test peer"
    fi
else
    peer_missing "rabbitmq-server is not available"
fi

ensure_python_celery || peer_missing "Python Celery 5.7.0, pika 1.4.4 and redis 5.2.1 could not be installed"

if ensure_redis; then
    start_redis || peer_missing "could not start the Redis test peer"
else
    peer_missing "redis-server is not available"
fi

if [ "${CI:-}" = true ]; then export CELERIAC_REQUIRE_PEERS=1; fi

swift test "$@"
rc=$?
# Tests that change the whole node (a memory alarm blocks every publisher on it) run alone,
# after the rest: beside them they would stall other tests' workers and events.
if [ "$rc" = 0 ] && [ "$#" = 0 ] && [ "$peer_started" = 1 ]; then
    note "node-wide tests, alone"
    CELERIAC_TEST_NODE_WIDE=1 swift test --skip-build --no-parallel --filter BlockedConnectionTests
    rc=$?
fi

# The same suites on our own broker: the broker must carry the client, Celery, the worker and
# the dashboard unchanged. Its ports sit beside the RabbitMQ test node's.
if [ "$rc" = 0 ]; then
    broker_port="${CELERIAC_TEST_BROKER_PORT:-21772}"
    broker_log="$(mktemp -t celeriac-test-broker.XXXXXX.log)"
    # A data dir of its own, so the suites also run through the durable path (fsync always).
    celeriac_broker_data="$(mktemp -d -t celeriac-test-broker-data.XXXXXX)"
    # amqps:// with the certificates the RabbitMQ node was given, so the client's TLS tests run here too.
    tls_arguments=()
    tls_url=
    certs="${CELERIAC_TEST_CA:+$(dirname "$CELERIAC_TEST_CA")}"
    if [ -n "$certs" ] && [ -f "$certs/server.pem" ] && [ -n "${CELERIAC_TEST_AMQPS_URL:-}" ]; then
        tls_arguments=(--tls-port "$((broker_port - 1))" --cert "$certs/server.pem" --key "$certs/server.key")
        tls_url="$(printf '%s' "$CELERIAC_TEST_AMQPS_URL" | sed -E "s#@localhost:[0-9]+/#@localhost:$((broker_port - 1))/#")"
    fi
    .build/debug/celeriac broker --port "$broker_port" --management-port "$((broker_port + 8))" -l warning \
        --data-dir "$celeriac_broker_data" "${tls_arguments[@]}" >"$broker_log" 2>&1 &
    celeriac_broker_pid=$!
    for _ in $(seq 1 100); do
        (exec 3<>"/dev/tcp/127.0.0.1/$broker_port") 2>/dev/null && break
        kill -0 "$celeriac_broker_pid" 2>/dev/null || break
        sleep 0.1
    done
    if ! kill -0 "$celeriac_broker_pid" 2>/dev/null; then
        note "error: celeriac broker did not start:"; cat "$broker_log" >&2
        exit 1
    fi
    note "the broker-parameterized suites again, on celeriac broker (port $broker_port, log $broker_log)"
    if [ "$#" = 0 ]; then
        set -- --filter 'AMQPClientTests|CeleriacTests|CeleriacCLITests|CeleriacMonitorTests|CeleriacExporterTests'
    fi
    # rabbitmqctl's place is taken by `celeriac broker ctl`, which takes the same verbs.
    celeriac_ctl="$(mktemp -t celeriac-ctl.XXXXXX)"
    printf '#!/bin/sh\nexec %s broker ctl --management-url %s "$@"\n' "$PWD/.build/debug/celeriac" \
        "http://guest:guest@127.0.0.1:$((broker_port + 8))" >"$celeriac_ctl"
    chmod +x "$celeriac_ctl"
    on_celeriac_broker() {
        env -u CELERIAC_TEST_AMQPS_URL ${tls_url:+CELERIAC_TEST_AMQPS_URL="$tls_url"} \
            CELERIAC_TEST_BROKER=celeriac CELERIAC_TEST_RABBITMQCTL="$celeriac_ctl" \
            CELERIAC_TEST_AMQP_URL="amqp://guest:guest@127.0.0.1:$broker_port/%2F" \
            CELERIAC_TEST_MANAGEMENT_URL="http://guest:guest@127.0.0.1:$((broker_port + 8))" \
            "$@"
    }
    on_celeriac_broker swift test --skip-build "$@"
    rc=$?
    if [ "$rc" = 0 ] && [ "$#" = 2 ] && [ "$1" = --filter ]; then
        note "node-wide tests on celeriac broker, alone"
        on_celeriac_broker env CELERIAC_TEST_NODE_WIDE=1 swift test --skip-build --no-parallel --filter BlockedConnectionTests
        rc=$?
    fi
    rm -f "$celeriac_ctl"
fi
exit "$rc"
