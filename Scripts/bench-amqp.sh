#!/usr/bin/env bash
# The AMQP benchmark:  bash Scripts/bench-amqp.sh [--messages N] [--size BYTES]
#
# Starts a RabbitMQ node of its own (Scripts/rabbitmq-node.sh, on ports apart from the
# test node's so both can run), installs pika 1.4.4, builds celeriac in release mode, runs
# `celeriac bench amqp` (Celeriac's client, then pika, same workload, one run) and stops
# the node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CELERIAC_PEER_DIR="$PWD/.test-peers/rabbitmq-bench"
export CELERIAC_RABBITMQ_BASE_PORT="${CELERIAC_RABBITMQ_BASE_PORT:-22671}"

python3 -c 'import pika, sys; sys.exit(pika.__version__ != "1.4.4")' 2>/dev/null ||
    pip install -q pika==1.4.4
swift build -c release --product celeriac

trap 'bash Scripts/rabbitmq-node.sh stop || true' EXIT
bash Scripts/rabbitmq-node.sh start
eval "$(bash Scripts/rabbitmq-node.sh env)"
.build/release/celeriac bench amqp --url "$CELERIAC_TEST_AMQP_URL" --pika Benchmarks/pika_amqp_bench.py "$@"
