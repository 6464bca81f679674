#!/usr/bin/env bash
# The "live test cluster" for screenshots and manual runs of `celeriac top`:
# the private RabbitMQ node (Scripts/rabbitmq-node.sh, with its management API) and two
# Python Celery 5.7 workers running Tests/Interop/fixapp.py with events on (-E):
#
#   prefork@HOST  --pool=prefork --autoscale=4,1   queues celery, mix.b
#   threads@HOST  --pool=threads -c 4              queue  celery
#
#   bash Scripts/start-demo-cluster.sh start    # (re)start node + workers, wait until both ping
#   bash Scripts/start-demo-cluster.sh stop     # stop the workers and the node
#   bash Scripts/start-demo-cluster.sh status   # which of them run
#   bash Scripts/start-demo-cluster.sh env      # `export CELERIAC_TEST_*=...` lines (eval them)
#
# Then e.g.:
#   eval "$(bash Scripts/start-demo-cluster.sh env)"
#   python3 Tests/Interop/task_mix.py --count 3
#   .build/debug/celeriac top -b "$CELERIAC_TEST_AMQP_URL" --management-url "$CELERIAC_TEST_MANAGEMENT_URL"
#
# Worker logs and pid files: $CELERIAC_PEER_DIR/demo-cluster/ (default .test-peers/demo-cluster/).
# CELERIAC_PEER_DIR and CELERIAC_RABBITMQ_BASE_PORT are passed on to rabbitmq-node.sh (use
# them to run a second cluster beside the test node). CELERIAC_DEMO_READY_TIMEOUT (default
# 90 s) bounds the wait for the workers.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

PEER_ROOT=${CELERIAC_PEER_DIR:-$ROOT/.test-peers}
mkdir -p "$PEER_ROOT"
PEER_ROOT=$(cd "$PEER_ROOT" && pwd)
export CELERIAC_PEER_DIR=$PEER_ROOT
DEMO=$PEER_ROOT/demo-cluster
APPDIR=$ROOT/Tests/Interop
READY_TIMEOUT=${CELERIAC_DEMO_READY_TIMEOUT:-90}
WORKERS=(prefork threads)

log() { echo "start-demo-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Celery's %h: the full host name as Python sees it.
HOSTNAME_PY=$(python3 -c 'import socket; print(socket.gethostname())')
node_name() { echo "$1@$HOSTNAME_PY"; }

worker_args() {
    case $1 in
        prefork) echo "--pool=prefork --autoscale=4,1 -Q celery,mix.b" ;;
        threads) echo "--pool=threads -c 4 -Q celery" ;;
    esac
}

ensure_rabbitmq() {
    if dpkg-query -W -f='${Status}' rabbitmq-server 2>/dev/null | grep -q 'install ok installed' &&
        command -v openssl >/dev/null; then
        return 0
    fi
    [ "$(id -u)" = 0 ] || die "rabbitmq-server is not installed (apt-get install -y rabbitmq-server openssl)"
    log "installing rabbitmq-server from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends rabbitmq-server openssl >&2
}

ensure_celery() {
    python3 -c 'import celery, sys; sys.exit(celery.__version__ != "5.7.0")' 2>/dev/null && return 0
    log "installing celery 5.7.0 from PyPI"
    python3 -m pip install -q "celery==5.7.0" >&2
}

# Is $1 the pid of our worker $2 (guards against recycled pids and other clusters)? Each
# worker is started with CELERIAC_DEMO_WORKER=$DEMO/NAME in its environment (its command
# line is no good: Celery may rewrite its process title). A zombie counts as gone.
is_our_worker() {
    local pid=$1
    [ -n "$pid" ] && { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null |
        grep -qxF "CELERIAC_DEMO_WORKER=$DEMO/$2"
}

worker_pid() {
    local f=$DEMO/$1.pid pid=""
    [ -f "$f" ] && pid=$(tr -dc '0-9' <"$f")
    if is_our_worker "$pid" "$1"; then echo "$pid"; fi
}

# A live process, not a zombie.
proc_alive() {
    local st
    st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "${st#Z}" = "$st" ]
}

# Any live (non-zombie) process left in process group $1?
group_alive() { ps -o stat= -g "$1" 2>/dev/null | grep -qv '^Z'; }

stop_workers() {
    local w pid pids=()
    for w in "${WORKERS[@]}"; do
        pid=$(worker_pid "$w")
        if [ -n "$pid" ]; then
            log "stopping $(node_name "$w") (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true   # warm shutdown
            pids+=("$pid")
        fi
        rm -f "$DEMO/$w.pid"
    done
    [ ${#pids[@]} -gt 0 ] || return 0
    # Give the warm shutdown 15 s (a fix.sleep(20) may still be running), then kill the
    # worker's whole process group (it runs under setsid: the pool's children are in it).
    local deadline=$((SECONDS + 15)) alive
    while :; do
        alive=0
        for pid in "${pids[@]}"; do group_alive "$pid" && alive=1; done
        [ "$alive" = 0 ] && break
        if [ "$SECONDS" -ge "$deadline" ]; then
            for pid in "${pids[@]}"; do
                if group_alive "$pid"; then
                    log "process group $pid did not stop within 15 s, killing it"
                    kill -KILL -- "-$pid" 2>/dev/null || true
                fi
            done
            break
        fi
        sleep 0.2
    done
}

start_worker() {
    local w=$1 node
    node=$(node_name "$w")
    # shellcheck disable=SC2046
    (cd "$APPDIR" && CELERIAC_DEMO_WORKER=$DEMO/$w exec setsid python3 -m celery -A fixapp worker -E -n "$w@%h" \
        $(worker_args "$w") --loglevel=INFO \
        >"$DEMO/$w.log" 2>&1 </dev/null) &
    echo $! >"$DEMO/$w.pid"
    log "started $node (pid $!, $(worker_args "$w")), log $DEMO/$w.log"
}

# Ask the workers for a pong; prints the node names that answered.
ping_workers() {
    local dests
    dests=$(for w in "${WORKERS[@]}"; do node_name "$w"; done | paste -sd, -)
    (cd "$APPDIR" && timeout 20 python3 -m celery -A fixapp inspect ping -d "$dests" -t 2 2>/dev/null) |
        sed -n 's/^->[[:space:]]*\([^:[:space:]]*\): OK.*/\1/p' || true
}

wait_ready() {
    local deadline=$((SECONDS + READY_TIMEOUT)) answered w missing
    while :; do
        for w in "${WORKERS[@]}"; do
            # not worker_pid: until its subshell has exec'd Python, the process does not
            # have CELERIAC_DEMO_WORKER in its environment yet
            if ! proc_alive "$(tr -dc '0-9' <"$DEMO/$w.pid")"; then
                log "worker $(node_name "$w") exited; the tail of $DEMO/$w.log:"
                tail -n 30 "$DEMO/$w.log" >&2 || true
                return 1
            fi
        done
        answered=$(ping_workers)
        missing=""
        for w in "${WORKERS[@]}"; do
            grep -qxF "$(node_name "$w")" <<<"$answered" || missing+=" $(node_name "$w")"
        done
        if [ -z "$missing" ]; then
            log "workers ready:$(printf ' %s' $answered)"
            return 0
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "no pong from$missing within ${READY_TIMEOUT} s"
            for w in "${WORKERS[@]}"; do
                log "---- tail of $DEMO/$w.log"
                tail -n 20 "$DEMO/$w.log" >&2 || true
            done
            return 1
        fi
        sleep 1
    done
}

cmd_start() {
    ensure_rabbitmq
    ensure_celery
    mkdir -p "$DEMO"
    stop_workers   # leftovers of an earlier start
    bash Scripts/rabbitmq-node.sh start
    eval "$(bash Scripts/rabbitmq-node.sh env)"
    [ -n "${CELERIAC_TEST_AMQP_URL:-}" ] || die "rabbitmq-node.sh env gave no CELERIAC_TEST_AMQP_URL"
    export CELERIAC_TEST_AMQP_URL
    local w
    for w in "${WORKERS[@]}"; do start_worker "$w"; done
    if ! wait_ready; then
        cmd_stop
        exit 1
    fi
    log "broker      $CELERIAC_TEST_AMQP_URL"
    if [ -n "${CELERIAC_TEST_MANAGEMENT_URL:-}" ]; then
        log "management  $CELERIAC_TEST_MANAGEMENT_URL"
    fi
    log "next: eval \"\$(bash Scripts/start-demo-cluster.sh env)\"; python3 Tests/Interop/task_mix.py"
}

cmd_stop() {
    stop_workers
    bash Scripts/rabbitmq-node.sh stop
}

cmd_status() {
    local w pid
    for w in "${WORKERS[@]}"; do
        pid=$(worker_pid "$w")
        if [ -n "$pid" ]; then
            echo "$(node_name "$w"): running (pid $pid)"
        else
            echo "$(node_name "$w"): stopped"
        fi
    done
    eval "$(bash Scripts/rabbitmq-node.sh env)"
    local port=${CELERIAC_TEST_AMQP_URL##*:}
    port=${port%%/*}
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
        echo "rabbitmq: accepting AMQP on 127.0.0.1:$port"
    else
        echo "rabbitmq: not running (127.0.0.1:$port closed)"
    fi
}

cmd_env() {
    bash Scripts/rabbitmq-node.sh env
    local w names=""
    for w in "${WORKERS[@]}"; do names+=" $(node_name "$w")"; done
    printf "export CELERIAC_DEMO_WORKERS='%s'\n" "${names# }"
}

case "${1:-start}" in
    start) cmd_start ;;
    stop) cmd_stop ;;
    status) cmd_status ;;
    env) cmd_env ;;
    *) echo "usage: $0 start|stop|status|env" >&2; exit 2 ;;
esac
