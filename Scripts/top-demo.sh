#!/usr/bin/env bash
# Watch a live Python Celery cluster with celeriac top — the most complete thing to run until
# `celeriac demo` exists:
#
#   bash Scripts/top-demo.sh
#
# Builds celeriac, starts a private RabbitMQ with its management API and two Python Celery 5.7
# workers (Scripts/start-demo-cluster.sh: one prefork --autoscale=4,1, one threads), keeps a
# task mix flowing (every state: SUCCESS, FAILURE, RETRY, REVOKED, running ones), and opens
# the dashboard in this terminal. Press ? inside for the keys; q quits and stops everything.
# Runs beside the test node on its own ports (base 37671) and state dir.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

export CELERIAC_PEER_DIR="$PWD/.test-peers/top-demo"
export CELERIAC_RABBITMQ_BASE_PORT="${CELERIAC_RABBITMQ_BASE_PORT:-37671}"

swift build --product celeriac
mixer=""
cleanup() {
    [ -n "$mixer" ] && kill "$mixer" 2>/dev/null
    bash Scripts/start-demo-cluster.sh stop || true
}
trap cleanup EXIT
bash Scripts/start-demo-cluster.sh start
eval "$(bash Scripts/start-demo-cluster.sh env)"

# A task mix every 5 seconds, so the dashboard always has something to show.
(
    while true; do
        python3 Tests/Interop/task_mix.py --broker "$CELERIAC_TEST_AMQP_URL" --long 1 --long-seconds 8 >/dev/null 2>&1 || true
        sleep 5
    done
) &
mixer=$!

.build/debug/celeriac top -b "$CELERIAC_TEST_AMQP_URL" --management-url "$CELERIAC_TEST_MANAGEMENT_URL"
