#!/usr/bin/env bash
# The scale-out proof on a 3-node RabbitMQ cluster in network namespaces (needs root):
#
#   bash Scripts/scale-out.sh faults [--tasks 20000] [--kills 3] [--partition 30] ...
#       kill -9 of the node the workers are on, 3 times (restarted after each), then a
#       30 s partition of the node they are on, under 20,000 acks_late tasks on a quorum
#       queue (demo.sleep(0.5); topped up before a fault that would find fewer than half of them left):
#       results counted per task id, duplicates reported, time to resume per fault
#       and p50/p99 per kind of fault and of worker; Celery's worker started again when it
#       exits by itself (counted); two `celeriac beat` on hosts of their own sharing one
#       broker lease, sending every second throughout (never both, gaps per fault);
#       `celeriac top` watched in tmux (--screenshots Screenshots renders it during the
#       partition and after; --net-ticktime N gives the nodes a shorter net_ticktime
#       than RabbitMQ's 60 s). About 10 minutes on two cores.
#   bash Scripts/scale-out.sh throughput [--tasks 20000] [--workers 6] ...
#       6 workers on the 3-node cluster against a single node: tasks/s side by side.
#
# The summary is printed and written to summary.txt in the run directory
# (.test-peers/scale-out/<date-time>/, or --run-dir), beside harness.log and every log.
#
# Installs the peers it needs (rabbitmq-server, redis-server, tmux from Debian; celery 5.7.0
# and redis-py 5.2.1 from PyPI), builds celeriac in release mode, then runs
# Tests/ScaleOut/scale_out.py, which starts and stops the cluster itself (Scripts/rabbitmq-cluster.sh).
# Not part of the test command: a run takes several minutes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

[ "$(id -u)" = 0 ] || { echo "scale-out: needs root (network namespaces)" >&2; exit 1; }
missing=()
for tool in rabbitmq-server:rabbitmq-server redis-server:redis-server tmux:tmux; do
    command -v "${tool%%:*}" >/dev/null || dpkg -s "${tool##*:}" >/dev/null 2>&1 || missing+=("${tool##*:}")
done
dpkg -s rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
python3 -c 'import celery, redis, sys; sys.exit(celery.__version__ != "5.7.0" or redis.__version__ != "5.2.1")' 2>/dev/null ||
    python3 -m pip install -q "celery==5.7.0" "redis==5.2.1"
swift build -c release --product celeriac
exec python3 Tests/ScaleOut/scale_out.py "$@"
