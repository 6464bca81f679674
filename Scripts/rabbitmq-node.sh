#!/usr/bin/env bash
# Private RabbitMQ node used as the real test peer for Celeriac's AMQP tests.
#
#   bash Scripts/rabbitmq-node.sh start   # (re)start the node, wait until it accepts AMQP
#                                         # and its management API answers
#   bash Scripts/rabbitmq-node.sh stop    # stop it (and its private epmd)
#   bash Scripts/rabbitmq-node.sh env     # print `export CELERIAC_TEST_*=...` lines (eval them)
#   bash Scripts/rabbitmq-node.sh ctl ARGS...   # rabbitmqctl against this node
#
# State (data, logs, certs, cookie) lives in $CELERIAC_PEER_DIR/rabbitmq,
# default $PWD/.test-peers/rabbitmq (.test-peers/ is gitignored).
#
# Ports (all on 127.0.0.1), shifted together by CELERIAC_RABBITMQ_BASE_PORT (default 21671):
#   base+0 21671 AMQPS          base+3 21674 private epmd
#   base+1 21672 AMQP           base+4..+8   rabbitmqctl's own distribution ports
#   base+2 21673 Erlang distribution
#   base+9 21680 management HTTP API (rabbitmq_management; guest/guest from loopback)
# Below the kernel's ephemeral range (32768 and up), so no client socket of a test run
# can hold one of them when the node starts.
#
# The node is isolated from any system RabbitMQ (5672/25672, epmd 4369, root's
# ~/.erlang.cookie, /etc/rabbitmq/*): own node name, own ports, own epmd, own
# HOME (hence own Erlang cookie) and own config files.
set -euo pipefail

SELF=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/$(basename "${BASH_SOURCE[0]}")
NODENAME=celeriac-test@localhost   # short name: "localhost" resolves everywhere, no FQDN needed
BASE_PORT=${CELERIAC_RABBITMQ_BASE_PORT:-21671}
AMQPS_PORT=$BASE_PORT
AMQP_PORT=$((BASE_PORT + 1))
DIST_PORT=$((BASE_PORT + 2))
EPMD_PORT=$((BASE_PORT + 3))
CTL_DIST_MIN=$((BASE_PORT + 4))
CTL_DIST_MAX=$((BASE_PORT + 8))
MGMT_PORT=$((BASE_PORT + 9))
START_TIMEOUT=${CELERIAC_RABBITMQ_START_TIMEOUT:-60}

PEER_ROOT=${CELERIAC_PEER_DIR:-$PWD/.test-peers}
mkdir -p "$PEER_ROOT"
STATE=$(cd "$PEER_ROOT" && pwd)/rabbitmq
CERTS=$STATE/certs
CTL_WRAPPER=$STATE/rabbitmqctl

log() { echo "rabbitmq-node: $*" >&2; }
die() { log "error: $*"; exit 1; }

# Debian's /usr/sbin/rabbitmq-server and /usr/sbin/rabbitmqctl switch to the
# `rabbitmq` user, which cannot enter a 0700 home, so use the package's own
# scripts directly and run them as ourselves.
find_rabbit_bin() {
    local bin
    bin=$(dpkg -L rabbitmq-server 2>/dev/null | grep 'lib/rabbitmq/bin/rabbitmq-server$' | head -n1 || true)
    [ -n "$bin" ] || bin=/usr/lib/rabbitmq/bin/rabbitmq-server
    [ -x "$bin" ] || die "rabbitmq-server not installed (apt-get install -y rabbitmq-server)"
    RABBIT_BIN_DIR=$(dirname "$bin")
}

# Everything the server *and* the CLI tools need to agree on.
node_env() {
    export HOME=$STATE/home                      # Erlang cookie = $HOME/.erlang.cookie, ours only
    export LC_ALL=C.UTF-8 LANG=C.UTF-8           # Elixir CLI warns on non-UTF-8 locales
    export ERL_EPMD_PORT=$EPMD_PORT              # private epmd: never touch the system's 4369
    export ERL_EPMD_ADDRESS=127.0.0.1
    export ERL_CRASH_DUMP=$STATE/log/erl_crash.dump
    export RABBITMQ_NODENAME=$NODENAME
    export RABBITMQ_USE_LONGNAME=false
    export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    export RABBITMQ_NODE_PORT=$AMQP_PORT
    export RABBITMQ_DIST_PORT=$DIST_PORT
    # rabbitmqctl's own distribution listener defaults to 35672-35682, shared
    # with every other node's CLI on the machine: give ours a range of its own.
    export RABBITMQ_CTL_DIST_PORT_MIN=$CTL_DIST_MIN
    export RABBITMQ_CTL_DIST_PORT_MAX=$CTL_DIST_MAX
    # Erlang distribution listens on 0.0.0.0 unless told otherwise.
    export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    export RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    # Keep /etc/rabbitmq/{rabbitmq-env.conf,rabbitmq.conf,advanced.config,enabled_plugins} out.
    export RABBITMQ_CONF_ENV_FILE=$STATE/rabbitmq-env.conf
    export RABBITMQ_CONFIG_FILE=$STATE/rabbitmq.conf
    export RABBITMQ_ADVANCED_CONFIG_FILE=$STATE/advanced.config
    export RABBITMQ_ENABLED_PLUGINS_FILE=$STATE/enabled_plugins
    export RABBITMQ_MNESIA_BASE=$STATE/mnesia
    export RABBITMQ_LOG_BASE=$STATE/log
    export RABBITMQ_PID_FILE=$STATE/rabbitmq.pid
    export RABBITMQ_PLUGINS_EXPAND_DIR=$STATE/plugins-expand
}

# openssl: a test CA, a server cert for localhost/127.0.0.1 signed by it, and a
# second unrelated CA (wrong-ca.pem) that must NOT verify the server.
make_ca() { # name subject
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
        -keyout "$CERTS/$1.key" -out "$CERTS/$1.pem" -subj "$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -addext "subjectKeyIdentifier=hash" 2>/dev/null
}
ensure_certs() {
    if [ -f "$CERTS/server.pem" ] && [ -f "$CERTS/wrong-ca.pem" ] &&
        openssl x509 -checkend 86400 -noout -in "$CERTS/server.pem" >/dev/null 2>&1; then
        return
    fi
    log "generating test certificates in $CERTS"
    rm -rf "$CERTS"
    mkdir -p "$CERTS"
    make_ca ca "/CN=Celeriac Test CA"
    make_ca wrong-ca "/CN=Celeriac Wrong CA"
    openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$CERTS/server.key" \
        -out "$CERTS/server.csr" -subj "/CN=localhost" 2>/dev/null
    cat >"$CERTS/server.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid,issuer
EOF
    openssl x509 -req -sha256 -days 825 -in "$CERTS/server.csr" \
        -CA "$CERTS/ca.pem" -CAkey "$CERTS/ca.key" -CAcreateserial \
        -extfile "$CERTS/server.ext" -out "$CERTS/server.pem" 2>/dev/null
    rm -f "$CERTS/server.csr" "$CERTS/server.ext" "$CERTS/ca.srl"
    chmod 600 "$CERTS"/*.key
}

write_config() {
    mkdir -p "$STATE/home" "$STATE/log" "$STATE/mnesia"
    # Cookie: the server and our CLI share $HOME; the file must be 0400/0600.
    if [ ! -s "$STATE/home/.erlang.cookie" ]; then
        (umask 077 && head -c 15 /dev/urandom | od -An -tx1 | tr -d ' \n' | tr a-f A-F \
            >"$STATE/home/.erlang.cookie")
        chmod 400 "$STATE/home/.erlang.cookie"
    fi
    : >"$STATE/rabbitmq-env.conf"           # empty on purpose: shadows /etc/rabbitmq/rabbitmq-env.conf
    echo '[].' >"$STATE/advanced.config"
    # Only the management plugin (it pulls in rabbitmq_management_agent itself): the
    # monitor's queue figures are read from its HTTP API.
    echo '[rabbitmq_management].' >"$STATE/enabled_plugins"
    cat >"$STATE/rabbitmq.conf" <<EOF
# Generated by Scripts/rabbitmq-node.sh - edits are overwritten on start.
listeners.tcp.default = 127.0.0.1:$AMQP_PORT
listeners.ssl.default = 127.0.0.1:$AMQPS_PORT
ssl_options.cacertfile = $CERTS/ca.pem
ssl_options.certfile = $CERTS/server.pem
ssl_options.keyfile = $CERTS/server.key
ssl_options.verify = verify_none
ssl_options.fail_if_no_peer_cert = false
# guest may only log in over loopback; the tests connect via 127.0.0.1/localhost.
loopback_users.guest = true
log.file.level = info
log.console = false
management.tcp.ip = 127.0.0.1
management.tcp.port = $MGMT_PORT
# Queues and channels report their figures once per interval (default 5 s) and the
# management agent gathers them every 5 s more: with 1 s here a publish shows in
# /api/queues within ~6 s rather than ~10 s, for the tests that poll it.
collect_statistics_interval = 1000
EOF
    # rabbitmqctl for this node as one executable path (CELERIAC_TEST_RABBITMQCTL).
    cat >"$CTL_WRAPPER" <<EOF
#!/usr/bin/env bash
# Generated by Scripts/rabbitmq-node.sh: rabbitmqctl against $NODENAME.
export CELERIAC_PEER_DIR=$(printf '%q' "$(dirname "$STATE")") CELERIAC_RABBITMQ_BASE_PORT=$BASE_PORT
exec bash $(printf '%q' "$SELF") ctl "\$@"
EOF
    chmod 755 "$CTL_WRAPPER"
}

# Is $1 a live beam/launcher process belonging to *this* state dir? (guards
# against recycled pids and against other RabbitMQ nodes on the machine)
is_our_pid() {
    local pid=$1
    # (a zombie's environ is unreadable, so zombies count as gone)
    [ -n "$pid" ] && { tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null |
        grep -qxF "RABBITMQ_MNESIA_BASE=$STATE/mnesia"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# HTTP status code of `GET $2` on 127.0.0.1:$1 as guest, or nothing when there is no
# answer within 5 s. Plain bash, so the script needs no curl.
http_status() {
    (
        exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 0
        printf 'GET %s HTTP/1.1\r\nHost: 127.0.0.1:%s\r\nAuthorization: Basic %s\r\nConnection: close\r\n\r\n' \
            "$2" "$1" "$(printf 'guest:guest' | base64)" >&3
        read -r -t 5 _ code _ <&3 && printf '%s' "$code"
    ) 2>/dev/null || true
}

start_epmd() {
    # Our own epmd on its own port, started explicitly so `stop` knows it owns
    # it. -relaxed_command_check lets `epmd -kill` work even if a name is
    # still registered.
    if ! epmd -port "$EPMD_PORT" -names >/dev/null 2>&1; then
        port_open "$EPMD_PORT" && die "127.0.0.1:$EPMD_PORT (our epmd port) is in use by something that is not epmd"
        epmd -daemon -port "$EPMD_PORT" -address 127.0.0.1 -relaxed_command_check
        for _ in $(seq 50); do epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 && break; sleep 0.1; done
    fi
}

stop_node() {
    local pid="" launcher="" p
    [ -f "$STATE/rabbitmq.pid" ] && pid=$(tr -dc '0-9' <"$STATE/rabbitmq.pid")
    [ -f "$STATE/launcher.pid" ] && launcher=$(tr -dc '0-9' <"$STATE/launcher.pid")
    is_our_pid "$pid" || pid=""
    is_our_pid "$launcher" || launcher=""
    if [ -n "$pid$launcher" ]; then
        log "stopping $NODENAME (pid ${pid:-?}, launcher ${launcher:-?})"
        # SIGTERM = graceful shutdown in RabbitMQ >= 3.8 (the launcher script
        # forwards it to beam too). No CLI needed, so this also works when the
        # node is half-booted.
        for p in $pid $launcher; do kill -TERM "$p" 2>/dev/null || true; done
        for _ in $(seq 300); do
            { is_our_pid "$pid" || is_our_pid "$launcher"; } || break
            sleep 0.1
        done
        for p in $pid $launcher; do
            if is_our_pid "$p"; then
                log "pid $p did not stop within 30 s, killing"
                kill -KILL "$p" 2>/dev/null || true
            fi
        done
    fi
    rm -f "$STATE/rabbitmq.pid" "$STATE/launcher.pid"
    # Our private epmd (EPMD_PORT, never the system's 4369) - but only once no
    # node is registered in it: a node of another checkout using the same
    # ports must not lose its epmd because we ran `start`/`stop` here.
    for _ in $(seq 20); do
        epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name ' || break
        sleep 0.1
    done
    if epmd -port "$EPMD_PORT" -names >/dev/null 2>&1 &&
        ! epmd -port "$EPMD_PORT" -names 2>/dev/null | grep -q '^name '; then
        epmd -port "$EPMD_PORT" -kill >/dev/null 2>&1 || true
    fi
}

cmd_start() {
    find_rabbit_bin
    command -v openssl >/dev/null || die "openssl not found"
    mkdir -p "$STATE"
    stop_node   # stale node from a previous run (by pid file)
    local p
    for p in "$AMQPS_PORT" "$AMQP_PORT" "$DIST_PORT" "$MGMT_PORT"; do
        if port_open "$p"; then
            die "127.0.0.1:$p is already in use by another process (another test node? set CELERIAC_RABBITMQ_BASE_PORT to move all ports)"
        fi
    done
    ensure_certs
    write_config
    node_env
    start_epmd
    log "starting $NODENAME (AMQP $AMQP_PORT, AMQPS $AMQPS_PORT, management $MGMT_PORT, dist $DIST_PORT, epmd $EPMD_PORT), state in $STATE"
    local t0=$SECONDS node_log=$STATE/log/$NODENAME.log log_off
    log_off=$(stat -c %s "$node_log" 2>/dev/null || echo 0)   # the node log is appended across runs
    # setsid: own session, so a Ctrl-C in the test terminal doesn't hit the node.
    (cd "$STATE" && exec setsid "$RABBIT_BIN_DIR/rabbitmq-server" \
        >"$STATE/log/startup_stdout.log" 2>"$STATE/log/startup_stderr.log" </dev/null) &
    echo $! >"$STATE/launcher.pid"
    local launcher=$!
    # Poll both AMQP listeners (RabbitMQ opens them as the very last boot step), then the
    # management API: its listener can be open before /api/overview answers 200 (the
    # stats database starts after it), and tests need the API, not just the port.
    local amqp_ready=0 mgmt_status=""
    while :; do
        if [ "$amqp_ready" = 0 ] && port_open "$AMQP_PORT" && port_open "$AMQPS_PORT"; then
            amqp_ready=1
            log "AMQP ready after $((SECONDS - t0)) s"
        fi
        if [ "$amqp_ready" = 1 ]; then
            mgmt_status=$(http_status "$MGMT_PORT" /api/overview)
            if [ "$mgmt_status" = 200 ]; then
                log "management API ready after $((SECONDS - t0)) s"
                return 0
            fi
        fi
        if ! kill -0 "$launcher" 2>/dev/null; then
            log "node exited during boot"
            break
        fi
        if [ $((SECONDS - t0)) -ge "$START_TIMEOUT" ]; then
            if [ "$amqp_ready" = 0 ]; then
                log "AMQP not ready after ${START_TIMEOUT} s"
            else
                log "management API on 127.0.0.1:$MGMT_PORT did not answer GET /api/overview with 200 within ${START_TIMEOUT} s (last answer: ${mgmt_status:-none}); is rabbitmq_management in $STATE/enabled_plugins and the port free?"
            fi
            break
        fi
        sleep 0.25
    done
    {
        echo "---- $STATE/log/startup_stdout.log (tail)"; tail -n 30 "$STATE/log/startup_stdout.log" 2>/dev/null || true
        echo "---- $STATE/log/startup_stderr.log (tail)"; tail -n 30 "$STATE/log/startup_stderr.log" 2>/dev/null || true
        echo "---- $node_log (tail of this run)"; tail -c +$((log_off + 1)) "$node_log" 2>/dev/null | tail -n 40 || true
        echo "(if the data dir is corrupt: rm -rf $STATE/mnesia)"
    } >&2
    stop_node
    exit 1
}

# Percent-encode a path for use in a URL query value (keeps / and unreserved chars).
urlencode() {
    local s=$1 out="" c i
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        case $c in [A-Za-z0-9._~/-]) out+=$c ;; *) out+=$(printf '%%%02X' "'$c") ;; esac
    done
    printf '%s' "$out"
}
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
export_line() { printf 'export %s=%s\n' "$1" "$(shq "$2")"; }

cmd_env() {
    export_line CELERIAC_TEST_AMQP_URL "amqp://guest:guest@127.0.0.1:$AMQP_PORT/%2F"
    export_line CELERIAC_TEST_AMQPS_URL "amqps://guest:guest@localhost:$AMQPS_PORT/%2F?ssl_ca_certs=$(urlencode "$CERTS/ca.pem")"
    export_line CELERIAC_TEST_CA "$CERTS/ca.pem"
    export_line CELERIAC_TEST_WRONG_CA "$CERTS/wrong-ca.pem"
    export_line CELERIAC_TEST_RABBITMQCTL "$CTL_WRAPPER"
    export_line CELERIAC_TEST_MANAGEMENT_URL "http://guest:guest@127.0.0.1:$MGMT_PORT"
}

cmd_ctl() {
    find_rabbit_bin
    node_env
    exec "$RABBIT_BIN_DIR/rabbitmqctl" -n "$NODENAME" "$@"
}

case "${1:-}" in
    start) cmd_start ;;
    stop) stop_node ;;
    env) cmd_env ;;
    ctl) shift; cmd_ctl "$@" ;;
    *) echo "usage: $0 start|stop|env|ctl [rabbitmqctl args...]" >&2; exit 2 ;;
esac
