#!/usr/bin/env bash
# The monitor benchmark:  bash Scripts/bench-monitor.sh [--tasks N ...] [--frames N]
#
# Installs celery 5.7.0 when missing, builds celeriac in release mode and runs
# `celeriac bench monitor`: one recorded event stream merged into Celeriac's cluster state
# and into Celery's celery.events.state.State in the same run (events/s and memory at 100k
# and 1M tasks), then the dashboard's frame time with 100k tasks held. No broker needed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

python3 -c 'import celery, sys; sys.exit(celery.__version__ != "5.7.0")' 2>/dev/null ||
    pip install -q "celery==5.7.0"
swift build -c release --product celeriac
.build/release/celeriac bench monitor --celery Benchmarks/celery_state_bench.py "$@"
