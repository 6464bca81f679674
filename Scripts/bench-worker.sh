#!/usr/bin/env bash
# The worker benchmark:  bash Scripts/bench-worker.sh [--on-celeriac-broker] [--tasks N] [--kinds noop,cpu] ...
#
# Starts a RabbitMQ node of its own (Scripts/rabbitmq-node.sh, on ports apart from the test
# node's) — or, with --on-celeriac-broker, a `celeriac broker` in memory on a free port —
# installs celery 5.7.0, builds celeriac in release mode and runs `celeriac bench worker`:
# Celeriac's worker with each pool and Python Celery's prefork and solo workers on the same
# broker, queue size, concurrency and events, in one run, after the broker's own ceiling for
# the same messages. Then stops the broker.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

on_celeriac_broker=false
if [[ "${1:-}" == "--on-celeriac-broker" ]]; then
    on_celeriac_broker=true
    shift
fi

python3 -c 'import celery, sys; sys.exit(celery.__version__ != "5.7.0")' 2>/dev/null ||
    pip install -q "celery==5.7.0"
swift build -c release --product celeriac

if $on_celeriac_broker; then
    log=$(mktemp)
    .build/release/celeriac broker --port 0 --no-management --in-memory -l info 2>"$log" &
    broker=$!
    trap 'kill $broker 2>/dev/null || true; rm -f "$log"' EXIT
    port=""
    for _ in $(seq 1 100); do
        port=$(sed -n 's|.*amqp://127.0.0.1:\([0-9]*\).*|\1|p' "$log" | head -1)
        [[ -n "$port" ]] && break
        sleep 0.05  # the broker's log is its only signal for ready
    done
    [[ -n "$port" ]] || { cat "$log" >&2; echo "celeriac broker did not start" >&2; exit 1; }
    url="amqp://guest:guest@127.0.0.1:$port/%2F"
else
    export CELERIAC_PEER_DIR="$PWD/.test-peers/rabbitmq-bench"
    export CELERIAC_RABBITMQ_BASE_PORT="${CELERIAC_RABBITMQ_BASE_PORT:-22671}"
    trap 'bash Scripts/rabbitmq-node.sh stop || true' EXIT
    # The benchmark's node is its own: each run starts from an empty broker, not from the
    # queues earlier runs left.
    bash Scripts/rabbitmq-node.sh stop >/dev/null 2>&1 || true
    rm -rf "$CELERIAC_PEER_DIR/rabbitmq/mnesia"
    bash Scripts/rabbitmq-node.sh start
    eval "$(bash Scripts/rabbitmq-node.sh env)"
    url="$CELERIAC_TEST_AMQP_URL"
fi
.build/release/celeriac bench worker --url "$url" --celery-app Benchmarks/celery_worker_app.py "$@"
