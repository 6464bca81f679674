#!/usr/bin/env bash
# Screenshots of the dashboard on `celeriac demo`'s live cluster, rendered to PNG:
#
#   bash Scripts/screenshots.sh            # writes Screenshots/*.png
#   bash Scripts/screenshots.sh workflow   # only the shots named (file names without .png)
#
# Starts `.build/debug/celeriac demo` (embedded broker, a prefork and an async worker, the
# task mix) in a detached tmux session of 140x40 (TERM inside: tmux-256color), lets the mix
# run until the Tasks screen shows finished, failed and revoked tasks, then for each screen
# presses its key, waits until the screen's name shows in the top bar, captures the pane
# with colours (capture-pane -e -p) and renders it with Scripts/render-terminal-png.py:
#
#   Screenshots/1-overview.png 2-workers.png 3-tasks.png 4-queues.png 5-beat.png 6-events.png
#   Screenshots/task-detail.png   (screen 3, state filter FAILURE, Enter)
#   Screenshots/workflow.png      (screen 3, filter demo.xsum, Enter on a chord's body, Tab;
#                                  no chord body with its tree within the timeout is an error)
#   Screenshots/action.png        (screen 2, + on the prefork worker, y: the status line)
#   Screenshots/help.png          (?)
#   Screenshots/beat-edit.png     (5, e: the edit form of a beat entry)
#
# (Screenshots/cluster-*.png need a RabbitMQ cluster: sudo bash Scripts/scale-out.sh faults
# --screenshots Screenshots makes them.)
#
# Then q, which stops the demo's whole cluster. The tmux server (on its own socket) is
# killed on exit; the raw captures stay in a temporary directory, removed on exit
# (CELERIAC_SHOTS_KEEP=1 keeps it and prints its path).
#
# Environment: CELERIAC_BIN (default .build/debug/celeriac), CELERIAC_SHOTS_DIR (default
# Screenshots), CELERIAC_SHOTS_TIMEOUT (seconds to wait for any one thing on screen,
# default 60).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

ALL_SHOTS=(1-overview 2-workers 3-tasks 4-queues 5-beat 6-events task-detail workflow help beat-edit action)
WANTED=("$@")
for name in "${WANTED[@]}"; do
    [[ " ${ALL_SHOTS[*]} " == *" $name "* ]] || { echo "screenshots: no shot named '$name'; the shots: ${ALL_SHOTS[*]}" >&2; exit 2; }
done
# wanted NAME: whether this run writes the shot NAME (all of them when none is named).
wanted() { [ ${#WANTED[@]} -eq 0 ] || [[ " ${WANTED[*]} " == *" $1 "* ]]; }

BIN=${CELERIAC_BIN:-$ROOT/.build/debug/celeriac}
OUT=${CELERIAC_SHOTS_DIR:-$ROOT/Screenshots}
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
"$BIN" demo --help >/dev/null 2>&1 || die "$BIN has no working 'demo' subcommand ($BIN demo --help failed)"

# UTF-8 (tmux and the dashboard draw box characters only for a UTF-8 locale) and colour.
export LANG=C.UTF-8 LC_ALL=C.UTF-8
unset NO_COLOR

WORK=$(mktemp -d "${TMPDIR:-/tmp}/celeriac-shots.XXXXXX")
cleanup() {
    local rc=$?
    # q stops the demo's cluster (its workers warm, then its broker). A demo still running (a
    # failed wait) gets Esc Esc q too: the dashboard ignores SIGTERM while it shows, and the
    # cluster's processes run in sessions of their own, so the SIGHUP of kill-server would
    # leave them running. SIGTERM only as a last resort, before the tmux server goes.
    local pane
    pane=$(tmux -L "$SOCK" display-message -p -t "$SESSION" '#{pane_pid}' 2>/dev/null || true)
    pane_alive() { [ "$(tmux -L "$SOCK" display-message -p -t "$SESSION" '#{pane_dead}' 2>/dev/null)" = 0 ]; }
    if [ -n "$pane" ] && pane_alive; then
        tmux -L "$SOCK" send-keys -t "$SESSION" Escape 2>/dev/null || true
        sleep 0.4
        tmux -L "$SOCK" send-keys -t "$SESSION" Escape 2>/dev/null || true
        sleep 0.4
        tmux -L "$SOCK" send-keys -t "$SESSION" q 2>/dev/null || true
        for _ in $(seq 1 600); do pane_alive || break; sleep 0.1; done
    fi
    if [ -n "$pane" ] && pane_alive && kill "$pane" 2>/dev/null; then
        log "warning: the demo (pid $pane) did not stop on q; sent SIGTERM"
        for _ in $(seq 1 300); do kill -0 "$pane" 2>/dev/null || break; sleep 0.1; done
    fi
    tmux -L "$SOCK" kill-server 2>/dev/null || true
    rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$SOCK"   # kill-server leaves the socket file
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

# ---- the dashboard in tmux ------------------------------------------------------------------
if infocmp tmux-256color >/dev/null 2>&1; then INNER_TERM=tmux-256color; else INNER_TERM=screen-256color; fi
cat >"$WORK/tmux.conf" <<EOF
set -g default-terminal "$INNER_TERM"
set -g default-size ${COLS}x${ROWS}
set -g status off
set -g remain-on-exit on
set -g escape-time 10
EOF
printf '%q ' "$BIN" demo >"$WORK/top-command"
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
            log "celeriac demo exited while waiting for $what; its last screen:"
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
# Esc and the key after it, sent together, reach the dashboard as one Alt-key: pause after it.
escape() { send Escape; sleep 0.4; }
screen_has_all() { local s; for s in "$@"; do screen_has "$s" || return 1; done; }
# The screen's own heading: one of the first three lines begins with its name ("Tasks — 58
# of 58", "Task 2483…", "Help — …"). Not just any mention: the tab bar names every screen.
title_is() { head -n 3 "$WORK/screen.txt" | grep -qE "^[[:space:]]*$1([^[:alnum:]_]|\$)"; }

# A short settle after a condition is met: the frame that satisfied it may be mid-draw.
settle() { sleep 0.7; }

shot() { # NAME TITLE
    wanted "$1" || return 0
    capture_ansi >"$WORK/$1.ansi"
    python3 "$RENDER" "$WORK/$1.ansi" "$OUT/$1.png" --cols "$COLS" --rows "$ROWS" \
        --title "celeriac top — $2"
}

mkdir -p "$OUT"

# The workers, then the mix: finished, failed, retried and revoked (expired) tasks all show
# within the demo's first half minute.
wait_for "the dashboard" title_is Overview || die "the dashboard did not open"
send 2
wait_for "both workers on screen 2" screen_has_all "demo-prefork@" "demo-async@" ||
    die "the workers did not show up"
send 3
wait_for "SUCCESS, FAILURE, RETRY and REVOKED tasks on screen 3" \
    screen_has_all "SUCCESS" "FAILURE" "RETRY" "REVOKED" || log "warning: going on without them"

declare -a SCREENS=("1:1-overview:Overview" "2:2-workers:Workers" "3:3-tasks:Tasks"
    "4:4-queues:Queues" "5:5-beat:Beat" "6:6-events:Events")
for entry in "${SCREENS[@]}"; do
    IFS=: read -r key name title <<<"$entry"
    wanted "$name" || continue
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
if wanted task-detail; then
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
    wait_for "the exception in the task detail" screen_has_all "exception" ||
        log "warning: no exception on the detail screen"
    settle
    shot task-detail "Task"
fi

# A workflow: a chord's body (demo.xsum, filtered by name) whose detail draws the tree, the
# header's group read from the stored results as the detail opens. The mix's own demo.xsum
# tasks and beat's have no tree, so rows are opened in turn, newest first, until one is a
# chord's body with its header; none within 2 x CELERIAC_SHOTS_TIMEOUT is an error: the
# shot is not taken of something else.
chord_tree_shown() {
    screen_has "workflow" && screen_has "chord body of group" &&
        grep -qE '^[[:space:]]*group [0-9a-f-]{36}' "$WORK/screen.txt"
}
if wanted workflow; then
    escape
    send 3
    wait_for "screen 3 (Tasks)" title_is Tasks || die "the Tasks screen did not open"
    send x
    settle
    send /
    send C-u
    send -l "demo.xsum"
    send Enter
    wait_for "the demo.xsum filter" screen_has 'filter "demo.xsum"' ||
        die "the Tasks screen did not take the filter demo.xsum"
    send g
    settle
    found=0
    opened=0
    deadline=$((SECONDS + 2 * TIMEOUT))
    while [ "$SECONDS" -lt "$deadline" ]; do
        send Enter
        opened=$((opened + 1))
        if TIMEOUT=5 wait_for "a task's detail" title_is Task >/dev/null 2>&1; then
            if TIMEOUT=4 wait_for "a chord body's tree" chord_tree_shown >/dev/null 2>&1; then
                found=1
                break
            fi
            escape   # only from the detail: on the list, Esc clears the filter
            TIMEOUT=5 wait_for "screen 3 (Tasks)" title_is Tasks >/dev/null 2>&1 || true
        fi
        # The next row down; every 15 rows back to the newest, where new chords arrive.
        if [ $((opened % 15)) = 0 ]; then send g; else send j; fi
        sleep 0.3
    done
    if [ "$found" = 0 ]; then
        log "the last screen:"
        cat "$WORK/screen.txt" >&2
        die "no demo.xsum detail showed a chord body and its header's group in its workflow tree ($opened rows opened in $((2 * TIMEOUT)) s)"
    fi
    send Tab
    settle
    # x's "filters cleared" stays on the status line for 30 s: not part of this picture.
    TIMEOUT=35 wait_for "the status line to clear" eval '! screen_has "filters cleared"' >/dev/null 2>&1 || true
    chord_tree_shown || { cat "$WORK/screen.txt" >&2; die "the workflow tree went from the detail after Tab"; }
    shot workflow "Task"
fi

if wanted help; then
    escape
    send x
    settle
    send '?'
    wait_for "the help screen" title_is Help || log "warning: no 'Help' in the top bar"
    settle
    shot help "Help"
fi

# The Beat screen's edit form: e on the first entry (the demo's beat runs on the database
# store, so its entries can be edited); Esc leaves it unchanged.
if wanted beat-edit; then
    escape
    send 5
    wait_for "screen 5 (Beat)" title_is Beat || true
    send g
    send e
    wait_for "the edit form" screen_has "Edit " || log "warning: no edit form on the Beat screen"
    settle
    shot beat-edit "Beat"
    escape
fi

# An action and its status line: + on the prefork worker (rows are sorted by name, so the
# async worker may be selected first: answer n and move down until the prompt names prefork).
if wanted action; then
    escape
    send 2
    wait_for "screen 2 (Workers)" title_is Workers || true
    for _ in 1 2 3 4; do
        send +
        wait_for "the grow prompt" screen_has "Grow the pool of" || break
        if screen_has "Grow the pool of demo-prefork@"; then break; fi
        send n
        send Down
    done
    send y
    wait_for "the action's status line" screen_has "pool will grow" || log "warning: no status line for +"
    settle
    shot action "Workers"
fi

send q
exited=0
for _ in $(seq 1 600); do   # the demo stops its workers warm, then its broker
    if top_dead; then exited=1; break; fi
    sleep 0.1
done
[ "$exited" = 1 ] || log "warning: the demo did not exit within 60 s of q"
shots=("${WANTED[@]}")
[ ${#shots[@]} -gt 0 ] || shots=("${ALL_SHOTS[@]}")
log "done: $(printf '%s.png ' "${shots[@]}")in $OUT"
