#!/usr/bin/env bash
# Runs COMMAND until this script's standard input closes — the test that started it stopped
# it, or the test process ended however it ended — then sends it SIGTERM (a warm shutdown)
# and exits with its status. Usage: run_until_eof.sh COMMAND [ARGS...]
# Close every inherited descriptor above stderr: the test process's end of our stdin pipe
# may have leaked into us, and while any copy of it is open, stdin never reaches EOF.
for fd in /proc/$$/fd/*; do
    n=${fd##*/}
    if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null; fi
done
"$@" </dev/null &
child=$!
cat >/dev/null
kill -TERM "$child" 2>/dev/null
wait "$child"
