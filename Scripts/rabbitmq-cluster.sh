#!/usr/bin/env bash
# A RabbitMQ cluster on this one machine, each node in a network namespace of its own with
# its own address, so a test can cut a node off (its link down) or kill it, as on real hosts.
#
#   bash Scripts/rabbitmq-cluster.sh start     # 3 nodes, clustered; waits until all run
#   bash Scripts/rabbitmq-cluster.sh stop      # nodes, namespaces and bridge gone
#   bash Scripts/rabbitmq-cluster.sh env       # export CELERIAC_CLUSTER_* lines (eval them)
#   bash Scripts/rabbitmq-cluster.sh ctl N ARGS...   # rabbitmqctl on node N
#   bash Scripts/rabbitmq-cluster.sh down N | up N   # cut node N off the network, or back
#   bash Scripts/rabbitmq-cluster.sh slow N [DELAY] [LOSS] | fast N   # tc netem on node N's link
#                                                     # (where the kernel has netem)
#   bash Scripts/rabbitmq-cluster.sh kill N          # kill -9 node N
#   bash Scripts/rabbitmq-cluster.sh restart N       # start a killed node N again
#   bash Scripts/rabbitmq-cluster.sh exec NAME CMD...  # run CMD in namespace NAME (made on first use),
#                                                      # e.g. a worker or a beat on a host of its own;
#                                                      # its address comes from NAME (refused if taken)
#
# CELERIAC_CLUSTER_NET_TICKTIME=N sets the nodes' net_ticktime (default RabbitMQ's 60 s).
# Needs root (ip netns, veth, a bridge). Nodes: rabbit@10.78.0.11, .12, .13 (long names on
# their addresses), AMQP 5672 and management 15672 on each address, reachable from the root
# namespace through the bridge celeriac-br (10.78.0.1). guest may log in from anywhere here:
# the bridge is private to this machine. State in $CELERIAC_PEER_DIR/cluster (default
# $PWD/.test-peers/cluster).
set -euo pipefail

NODES=${CELERIAC_CLUSTER_NODES:-3}
NET=10.78.0
BRIDGE=celeriac-br
PEER_ROOT=${CELERIAC_PEER_DIR:-$PWD/.test-peers}
mkdir -p "$PEER_ROOT"
STATE=$(cd "$PEER_ROOT" && pwd)/cluster
START_TIMEOUT=${CELERIAC_RABBITMQ_START_TIMEOUT:-90}

log() { echo "rabbitmq-cluster: $*" >&2; }
die() { log "error: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "needs root: network namespaces, veth pairs and a bridge"
RABBIT_BIN=$(dirname "$(dpkg -L rabbitmq-server 2>/dev/null | grep 'lib/rabbitmq/bin/rabbitmq-server$' | head -n1)")
[ -x "$RABBIT_BIN/rabbitmq-server" ] || die "rabbitmq-server not installed (apt-get install -y rabbitmq-server)"

address() { echo "$NET.$((10 + $1))"; }
namespace() { echo "celeriac-n$1"; }

# A namespace with one veth into the bridge; `host` is the last byte of its address.
make_host() { # name host
    local ns=$1 host=$2 outside="cv-$1"
    outside=${outside:0:15}
    ip netns list | grep -qw "$ns" && return
    # exec derives an address from the name: two names on one address would break both hosts.
    local other
    for other in $(ip netns list | awk '/^celeriac-/ {print $1}'); do
        ip netns exec "$other" ip -4 -o addr show dev eth0 2>/dev/null | grep -q " $NET.$host/" &&
            die "namespace $ns would get $NET.$host, which $other has: give it another name"
    done
    ip netns add "$ns"
    ip link del "$outside" 2>/dev/null || true  # left over from a run that was killed
    # The inner end is made inside the namespace: no name of ours lingers in the root one.
    ip link add "$outside" type veth peer name eth0 netns "$ns"
    ip netns exec "$ns" ip addr add "$NET.$host/24" dev eth0
    ip netns exec "$ns" ip link set eth0 up
    ip netns exec "$ns" ip link set lo up
    ip link set "$outside" master "$BRIDGE" up
}

make_network() {
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link add "$BRIDGE" type bridge
        ip addr add "$NET.1/24" dev "$BRIDGE"
        ip link set "$BRIDGE" up
    fi
    for i in $(seq 1 "$NODES"); do make_host "$(namespace "$i")" $((10 + i)); done
}

node_env() { # N
    local dir=$STATE/n$1
    export HOME=$dir/home LC_ALL=C.UTF-8 LANG=C.UTF-8
    export RABBITMQ_NODENAME=rabbit@$(address "$1") RABBITMQ_USE_LONGNAME=true
    export RABBITMQ_NODE_IP_ADDRESS=$(address "$1") RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT=25672
    export RABBITMQ_CONF_ENV_FILE=$dir/rabbitmq-env.conf RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$dir/advanced.config RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins
    export RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log RABBITMQ_PID_FILE=$dir/rabbitmq.pid
    export RABBITMQ_PLUGINS_EXPAND_DIR=$dir/plugins-expand ERL_CRASH_DUMP=$dir/log/erl_crash.dump
}

write_config() { # N COOKIE
    local dir=$STATE/n$1
    mkdir -p "$dir/home" "$dir/log" "$dir/mnesia"
    (umask 077 && printf '%s' "$2" >"$dir/home/.erlang.cookie")
    : >"$dir/rabbitmq-env.conf"
    if [ -n "${CELERIAC_CLUSTER_NET_TICKTIME:-}" ]; then
        # How soon the nodes count a silent peer as down (RabbitMQ's default is 60 s):
        # until then a partition stalls what needs every node's metadata.
        echo "[{kernel, [{net_ticktime, $CELERIAC_CLUSTER_NET_TICKTIME}]}]." >"$dir/advanced.config"
    else
        echo '[].' >"$dir/advanced.config"
    fi
    echo '[rabbitmq_management].' >"$dir/enabled_plugins"
    cat >"$dir/rabbitmq.conf" <<EOF
# Generated by Scripts/rabbitmq-cluster.sh - edits are overwritten on start.
listeners.tcp.default = $(address "$1"):5672
management.tcp.ip = $(address "$1")
management.tcp.port = 15672
loopback_users = none
collect_statistics_interval = 1000
cluster_partition_handling = pause_minority
EOF
}

ctl() { # N ARGS...
    local n=$1
    shift
    (node_env "$n" && ip netns exec "$(namespace "$n")" "$RABBIT_BIN/rabbitmqctl" -n "rabbit@$(address "$n")" "$@")
}

start_node() { # N
    (node_env "$1" && exec ip netns exec "$(namespace "$1")" "$RABBIT_BIN/rabbitmq-server" \
        >>"$STATE/n$1/log/console.log" 2>&1 </dev/null) &
}

await_node() { # N
    local deadline=$((SECONDS + START_TIMEOUT))
    until ctl "$1" await_startup --timeout 5 >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || die "node $1 did not start in ${START_TIMEOUT}s; see $STATE/n$1/log"
        sleep 1
    done
}

start() {
    "$0" stop >/dev/null 2>&1 || true
    rm -rf "$STATE"
    mkdir -p "$STATE"
    make_network
    local cookie
    cookie=$(head -c 15 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
    for i in $(seq 1 "$NODES"); do write_config "$i" "$cookie"; start_node "$i"; done
    for i in $(seq 1 "$NODES"); do await_node "$i"; log "node $i (rabbit@$(address "$i")) running"; done
    for i in $(seq 2 "$NODES"); do
        ctl "$i" stop_app >/dev/null
        ctl "$i" join_cluster "rabbit@$(address 1)" >/dev/null
        ctl "$i" start_app >/dev/null
        log "node $i joined rabbit@$(address 1)"
    done
    ctl 1 cluster_status --formatter json | python3 -c \
        'import json,sys; s=json.load(sys.stdin); print("rabbitmq-cluster: running nodes:", ", ".join(s["running_nodes"]))' >&2
}

stop() {
    for i in $(seq 1 "$NODES"); do
        local pid
        pid=$(cat "$STATE/n$i/rabbitmq.pid" 2>/dev/null || true)
        [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null || true
        ip netns pids "$(namespace "$i")" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    done
    for ns in $(ip netns list | awk '/^celeriac-/ {print $1}'); do
        ip netns pids "$ns" | xargs -r kill -9 2>/dev/null || true
        ip netns del "$ns"
    done
    ip link del "$BRIDGE" 2>/dev/null || true
    log "stopped"
}

urls() {
    local list=""
    for i in $(seq 1 "$NODES"); do list="$list${list:+;}amqp://guest:guest@$(address "$i"):5672//"; done
    echo "$list"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    env)
        echo "export CELERIAC_CLUSTER_URLS='$(urls)'"
        echo "export CELERIAC_CLUSTER_MANAGEMENT_URL=http://guest:guest@$(address 1):15672"
        echo "export CELERIAC_CLUSTER_SCRIPT=$0"
        ;;
    ctl) shift; ctl "$@" ;;
    down) ip link set "cv-$(namespace "$2")" down; log "node $2 cut off" ;;
    slow) tc qdisc replace dev "cv-$(namespace "$2")" root netem delay "${3:-200ms}" loss "${4:-5%}"
          log "node $2 slowed: delay ${3:-200ms}, loss ${4:-5%}" ;;
    fast) tc qdisc del dev "cv-$(namespace "$2")" root 2>/dev/null || true; log "node $2 at full speed" ;;
    up) ip link set "cv-$(namespace "$2")" up; log "node $2 back on the network" ;;
    kill) kill -9 "$(cat "$STATE/n$2/rabbitmq.pid")"; log "node $2 killed" ;;
    restart) start_node "$2"; await_node "$2"; log "node $2 running again" ;;
    exec)
        shift
        host=$(( $(echo "$1" | cksum | cut -d' ' -f1) % 100 + 100 ))
        BRIDGE_UP=$(ip link show "$BRIDGE" >/dev/null 2>&1 && echo yes || echo no)
        [ "$BRIDGE_UP" = yes ] || die "start the cluster first"
        make_host "$1" "$host"
        ns=$1
        shift
        exec ip netns exec "$ns" "$@"
        ;;
    *) sed -n '2,20p' "$0" >&2; exit 64 ;;
esac
