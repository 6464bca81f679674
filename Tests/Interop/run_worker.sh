#!/usr/bin/env bash
# Runs the fixapp Celery worker until this script's standard input closes — i.e. until the
# test process that started it exits, however it exits — then stops the worker.
# Usage: run_worker.sh NODENAME QUEUES [POOL OPTIONS...]   (default: --pool=threads -c 4)
cd "$(dirname "${BASH_SOURCE[0]}")"
# Close every inherited descriptor above stderr: the test process's end of our stdin pipe
# may have leaked into us, and while any copy of it is open, stdin never reaches EOF.
for fd in /proc/$$/fd/*; do
    n=${fd##*/}
    if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null; fi
done
node=$1 queues=$2
shift 2
[ "$#" -gt 0 ] || set -- --pool=threads -c 4
# Unbuffered: the banner reaches the log as it is printed, so a slow start shows how far it got.
python3 -u -m celery -A fixapp worker -E -n "$node" -Q "$queues" "$@" --loglevel=INFO \
    --without-mingle --without-gossip &
worker=$!
cat >/dev/null
# A warm shutdown can stall while the broker is going away too; give it 10 s, then kill.
kill -TERM "$worker" 2>/dev/null
for _ in $(seq 50); do
    kill -0 "$worker" 2>/dev/null || exit 0
    sleep 0.2
done
kill -KILL "$worker" 2>/dev/null
