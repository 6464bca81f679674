#!/usr/bin/env bash
# The worker benchmark:  bash Scripts/bench-worker.sh [--tasks N] [--kinds noop,cpu] ...
#
# Starts a RabbitMQ node of its own (Scripts/rabbitmq-node.sh, on ports apart from the test
# node's), installs celery 5.7.0, builds celeriac in release mode and runs
# `celeriac bench worker`: Celeriac's worker with each pool and Python Celery's prefork and
# solo workers on the same broker, queue size, concurrency and events, in one run, after the
# broker's own ceiling for the same messages. Then stops the node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CELERIAC_PEER_DIR="$PWD/.test-peers/rabbitmq-bench"
export CELERIAC_RABBITMQ_BASE_PORT="${CELERIAC_RABBITMQ_BASE_PORT:-36671}"

python3 -c 'import celery, sys; sys.exit(celery.__version__ != "5.7.0")' 2>/dev/null ||
    pip install -q "celery==5.7.0"
swift build -c release --product celeriac

trap 'bash Scripts/rabbitmq-node.sh stop || true' EXIT
# The benchmark's node is its own: each run starts from an empty broker, not from the queues
# earlier runs left.
bash Scripts/rabbitmq-node.sh stop >/dev/null 2>&1 || true
rm -rf "$CELERIAC_PEER_DIR/rabbitmq/mnesia"
bash Scripts/rabbitmq-node.sh start
eval "$(bash Scripts/rabbitmq-node.sh env)"
.build/release/celeriac bench worker --url "$CELERIAC_TEST_AMQP_URL" --celery-app Benchmarks/celery_worker_app.py "$@"
