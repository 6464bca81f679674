#!/usr/bin/env bash
# Screenshots of `celeriac top` against the live demo cluster, rendered to PNG:
#
#   bash Scripts/screenshots.sh            # writes Screenshots/*.png
#
# Brings up Scripts/start-demo-cluster.sh (RabbitMQ + two Python Celery workers), starts
# `.build/debug/celeriac top` in a detached tmux session of 140x40 (TERM inside:
# tmux-256color), sends it Tests/Interop/task_mix.py's task mix in a few waves, then for
# each screen presses its key, waits until the screen's name shows in the top bar, captures
# the pane with colours (capture-pane -e -p) and renders it with Scripts/render-terminal-png.py:
#
#   Screenshots/1-overview.png 2-workers.png 3-tasks.png 4-queues.png 5-beat.png 6-events.png
#   Screenshots/task-detail.png   (screen 3, state filter FAILURE, Enter)
#   Screenshots/help.png          (?)
#
# Everything it started (tmux server on its own socket, workers, node) is stopped on exit;
# the raw captures stay in a temporary directory, removed on exit (CELERIAC_SHOTS_KEEP=1
# keeps it and prints its path).
#
# Environment: CELERIAC_BIN (default .build/debug/celeriac), CELERIAC_SHOTS_DIR (default
# Screenshots), CELERIAC_SHOTS_WAVES (task-mix waves, default 4), CELERIAC_SHOTS_TIMEOUT
# (seconds to wait for any one thing on screen, default 60); CELERIAC_PEER_DIR and
# CELERIAC_RABBITMQ_BASE_PORT go on to the cluster script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

BIN=${CELERIAC_BIN:-$ROOT/.build/debug/celeriac}
OUT=${CELERIAC_SHOTS_DIR:-$ROOT/Screenshots}
WAVES=${CELERIAC_SHOTS_WAVES:-4}
TIMEOUT=${CELERIAC_SHOTS_TIMEOUT:-60}
COLS=140
ROWS=40
SESSION=celeriac-shots
SOCK=celeriac-shots-$$          # a private tmux server: never touches the user's sessions
RENDER=$ROOT/Scripts/render-terminal-png.py

log() { echo "screenshots: $*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- peers: tmux, the DejaVu fonts, Pillow ------------------------------------------------
apt_updated=0
apt_install() {
    [ "$(id -u)" = 0 ] || die "missing $*; install it: apt-get install -y $*"
    export DEBIAN_FRONTEND=noninteractive
    if [ "$apt_updated" = 0 ]; then apt-get update -q >&2; apt_updated=1; fi
    apt-get install -y -q --no-install-recommends "$@" >&2
}
ensure_peers() {
    command -v tmux >/dev/null || { log "installing tmux"; apt_install tmux; }
    if [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf ] ||
        [ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf ]; then
        log "installing fonts-dejavu-core"
        apt_install fonts-dejavu-core
    fi
    if ! python3 -c 'import PIL' 2>/dev/null; then
        log "installing Pillow"
        python3 -m pip install -q pillow >&2 || apt_install python3-pil
        python3 -c 'import PIL' || die "Pillow is still not importable by python3"
    fi
}

ensure_peers
[ -x "$BIN" ] || die "$BIN not found: build it first (swift build)"
"$BIN" top --help >/dev/null 2>&1 || die "$BIN has no working 'top' subcommand ($BIN top --help failed)"

# UTF-8 (tmux and the dashboard draw box characters only for a UTF-8 locale) and colour.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR

WORK=$(mktemp -d "${TMPDIR:-/tmp}/celeriac-shots.XXXXXX")
cluster_started=0
cleanup() {
    local rc=$?
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"   # kill-server leaves the socket file
    if [ "$cluster_started" = 1 ]; then bash Scripts/start-demo-cluster.sh stop || true; fi
    if [ "${CELERIAC_SHOTS_KEEP:-}" = 1 ]; then
        log "captures kept in $WORK"
    else
        rm -rf "$WORK"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- the cluster ----------------------------------------------------------------------------
cluster_started=1   # before start: a half-started cluster must be stopped too
bash Scripts/start-demo-cluster.sh start
eval "$(bash Scripts/start-demo-cluster.sh env)"
[ -n "${CELERIAC_TEST_AMQP_URL:-}" ] || die "no CELERIAC_TEST_AMQP_URL from the cluster"

# ---- the dashboard in tmux ------------------------------------------------------------------
if infocmp tmux-256color >/dev/null 2>&1; then INNER_TERM=tmux-256color; else INNER_TERM=screen-256color; fi
cat >"$WORK/tmux.conf" <<EOF
set -g default-terminal "$INNER_TERM"
set -g default-size ${COLS}x${ROWS}
set -g status off
set -g remain-on-exit on
set -g escape-time 10
EOF
top_args=(top -b "$CELERIAC_TEST_AMQP_URL" --state-file "$WORK/top-state.json")
if [ -n "${CELERIAC_TEST_MANAGEMENT_URL:-}" ]; then
    top_args+=(--management-url "$CELERIAC_TEST_MANAGEMENT_URL")
fi
printf '%q ' "$BIN" "${top_args[@]}" >"$WORK/top-command"
log "starting: $(cat "$WORK/top-command")"
TERM=xterm-256color tmux -L "$SOCK" -f "$WORK/tmux.conf" new-session -d -s "$SESSION" \
    -x "$COLS" -y "$ROWS" "exec $(cat "$WORK/top-command")"

capture_plain() { tmux -L "$SOCK" capture-pane -p -t "$SESSION"; }
capture_ansi() { tmux -L "$SOCK" capture-pane -e -p -t "$SESSION"; }
send() { tmux -L "$SOCK" send-keys -t "$SESSION" "$@"; }
top_dead() { [ "$(tmux -L "$SOCK" display-message -p -t "$SESSION" '#{pane_dead}' 2>/dev/null)" = 1 ]; }

# wait_for WHAT PREDICATE...: poll the screen (plain text, in $WORK/screen.txt) until the
# predicate command succeeds; give up after $TIMEOUT s, showing the screen.
wait_for() {
    local what=$1 deadline=$((SECONDS + TIMEOUT))
    shift
    while :; do
        capture_plain >"$WORK/screen.txt" 2>/dev/null || true
        if "$@"; then return 0; fi
        if top_dead; then
            log "celeriac top exited while waiting for $what; its last screen:"
            cat "$WORK/screen.txt" >&2
            exit 1
        fi
        if [ "$SECONDS" -ge "$deadline" ]; then
            log "gave up after ${TIMEOUT} s waiting for $what; the screen:"
            cat "$WORK/screen.txt" >&2
            return 1
        fi
        sleep 0.3
    done
}
screen_has() { grep -qF -- "$1" "$WORK/screen.txt"; }
screen_has_all() { local s; for s in "$@"; do screen_has "$s" || return 1; done; }
# The screen's own heading: one of the first three lines begins with its name ("Tasks — 58
# of 58", "Task 2483…", "Help — …"). Not just any mention: the tab bar names every screen.
title_is() { head -n 3 "$WORK/screen.txt" | grep -qE "^[[:space:]]*$1([^[:alnum:]_]|\$)"; }

# A short settle after a condition is met: the frame that satisfied it may be mid-draw.
settle() { sleep 0.7; }

shot() { # NAME TITLE
    capture_ansi >"$WORK/$1.ansi"
    python3 "$RENDER" "$WORK/$1.ansi" "$OUT/$1.png" --cols "$COLS" --rows "$ROWS" \
        --title "celeriac top — $2"
}

mkdir -p "$OUT"

# Workers first: the cluster must be on screen before anything is sent (top sees only the
# events that arrive while it runs).
send 2
wait_for "the workers on screen 2" screen_has_all "prefork@" "threads@" ||
    die "the workers did not show up"

# The task mix, in waves a few seconds apart so the sparklines have a shape; the long
# sleeps go in the first wave only (they occupy the pools for 20 s).
for ((wave = 1; wave <= WAVES; wave++)); do
    long=0
    if [ "$wave" = 1 ]; then long=2; fi
    python3 Tests/Interop/task_mix.py --count 1 --long "$long" >"$WORK/mix-$wave.json"
    if [ "$wave" -lt "$WAVES" ]; then sleep 3; fi
done
log "task mix sent in $WAVES wave(s): $(python3 -c '
import json, sys, collections
c = collections.Counter()
for f in sys.argv[1:]:
    for k, v in json.load(open(f)).items():
        if isinstance(v, list): c[k] += len(v)
print(", ".join("%s %d" % kv for kv in sorted(c.items())))' "$WORK"/mix-*.json)"

# Let the quick tasks land: wait until the Tasks screen shows finished, failed and revoked ones.
send 3
wait_for "SUCCESS, FAILURE and REVOKED tasks on screen 3" \
    screen_has_all "SUCCESS" "FAILURE" "REVOKED" || log "warning: going on without them"

declare -a SCREENS=("1:1-overview:Overview" "2:2-workers:Workers" "3:3-tasks:Tasks"
    "4:4-queues:Queues" "5:5-beat:Beat" "6:6-events:Events")
for entry in "${SCREENS[@]}"; do
    IFS=: read -r key name title <<<"$entry"
    send "$key"
    wait_for "screen $key ($title)" title_is "$title" || log "warning: no '$title' in the top bar"
    settle
    shot "$name" "$title"
done

# Task detail: Tasks screen, state filter FAILURE (t cycles all, PENDING, RECEIVED, STARTED,
# SUCCESS, FAILURE, ...), first row, Enter.
failure_filter_on() {
    # an explicit indicator ("state: FAILURE", "filter FAILURE", "[FAILURE]" in the
    # header/status) ...
    grep -qiE '(state|filter)[^A-Za-z0-9]{0,4}FAILURE|\[FAILURE\]' "$WORK/screen.txt" && return 0
    # ... or else: FAILURE rows and no other state's name anywhere below the top bar
    tail -n +3 "$WORK/screen.txt" | grep -q FAILURE &&
        ! tail -n +3 "$WORK/screen.txt" | grep -qE 'SUCCESS|STARTED|RECEIVED|REVOKED|RETRY|PENDING'
}
screen_changed() { ! cmp -s "$WORK/screen.txt" "$WORK/before.txt"; }
send 3
wait_for "screen 3 (Tasks)" title_is Tasks || true
filtered=0
for _ in 1 2 3 4 5 6 7 8; do
    capture_plain >"$WORK/before.txt"
    send t
    TIMEOUT=3 wait_for "the state filter to change" screen_changed >/dev/null 2>&1 || true
    sleep 0.3
    capture_plain >"$WORK/screen.txt"
    if failure_filter_on; then filtered=1; break; fi
done
if [ "$filtered" = 0 ]; then
    log "t did not reach a FAILURE filter; trying :state FAILURE"
    send x
    send : && send -l "state FAILURE" && send Enter
    if wait_for "the FAILURE filter" failure_filter_on; then filtered=1; fi
fi
[ "$filtered" = 1 ] || log "warning: could not confirm the FAILURE filter; the detail may be of another task"
send g
settle
send Enter
wait_for "the task detail screen" title_is Task || log "warning: no 'Task' in the top bar"
wait_for "the traceback in the task detail" screen_has_all "Traceback" ||
    log "warning: no traceback on the detail screen"
settle
shot task-detail "Task"

send Escape
settle
send '?'
wait_for "the help screen" title_is Help || log "warning: no 'Help' in the top bar"
settle
shot help "Help"

send Escape
send q
log "done: $(cd "$OUT" && ls -1 1-overview.png 2-workers.png 3-tasks.png 4-queues.png 5-beat.png \
    6-events.png task-detail.png help.png 2>/dev/null | paste -sd' ' -) in $OUT"
