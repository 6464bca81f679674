#!/usr/bin/env bash
# The broker benchmark:  bash Scripts/bench-broker.sh [--messages N] [--workloads a,b] [--fsync always|batch|off] ...
#
# Starts a RabbitMQ node of its own (Scripts/rabbitmq-node.sh, on ports apart from the test
# node's, from an empty data dir), builds celeriac in release mode and runs
# `celeriac bench broker`, which starts a celeriac broker too and runs every workload on
# both, in one run. Then stops the node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CELERIAC_PEER_DIR="$PWD/.test-peers/rabbitmq-bench"
export CELERIAC_RABBITMQ_BASE_PORT="${CELERIAC_RABBITMQ_BASE_PORT:-22671}"

swift build -c release --product celeriac

trap 'bash Scripts/rabbitmq-node.sh stop || true' EXIT
bash Scripts/rabbitmq-node.sh stop >/dev/null 2>&1 || true
rm -rf "$CELERIAC_PEER_DIR/rabbitmq/mnesia"
bash Scripts/rabbitmq-node.sh start
eval "$(bash Scripts/rabbitmq-node.sh env)"
# The node's Erlang VM, for its memory.
beam="$(pgrep -f "beam.smp.*$CELERIAC_PEER_DIR" | head -1 || true)"
.build/release/celeriac bench broker --rabbitmq-url "$CELERIAC_TEST_AMQP_URL" ${beam:+--rabbitmq-pid "$beam"} "$@"
