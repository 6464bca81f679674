"""The scale-out proof: Celeriac and Celery workers on a 3-node RabbitMQ cluster, each
process on a host of its own (a network namespace with its own address), through real
faults. Run by Scripts/scale-out.sh, which builds celeriac and installs the peers.

  faults      N acks_late tasks on a quorum queue, two Swift workers and one Python
              worker. The node the workers are connected to is killed (kill -9) --kills
              times (3 by default), restarted after each once every worker runs tasks
              again; then the node they are on is cut off the network for 30 s. Each
              fault meets a busy queue: when fewer than half of N tasks are left before
              one, more are published (the summary says how many). Every
              task's result must be in Redis with the right value; runs per task id are
              counted from the workers' logs and duplicates reported; each worker's time to
              resume after each fault is reported, and p50/p99 per kind of fault and kind
              of worker with the sample counts. Celery's worker, when it exits by itself,
              is started again and its exits counted (Celery's behaviour: not a failure).
              Two `celeriac beat` processes on hosts of their own share one broker lease
              (each its own file store) and send demo.noop every second throughout: no due
              moment may be sent twice and never may both send at once; the longest stretch
              without a send is reported per fault. `celeriac top` watches in tmux and must
              show the outages and follow the workers to a live node; before its last frame
              the harness waits (up to 20 s) for its queue panel to show the task queue
              drained, and says so when it never does.
  throughput  6 Swift workers draining N tasks from a quorum queue on the 3-node cluster,
              then on a single node: tasks/s side by side.

The summary is printed and also written to summary.txt in the run directory (every line
the harness says goes to harness.log there too). Exit status 0 only when no task was lost,
no Celeriac worker exited, the beats never sent together and the dashboard followed every
fault.
"""
import argparse
import base64
import bisect
import collections
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import traceback
import urllib.request
import uuid
from datetime import datetime

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
CLUSTER = os.path.join(ROOT, "Scripts", "rabbitmq-cluster.sh")
CELERIAC = os.environ.get("CELERIAC_BINARY", os.path.join(ROOT, ".build", "release", "celeriac"))
BRIDGE = "10.78.0.1"
QUEUE = "scaleout"
# The cluster's net_ticktime, when --net-ticktime sets one (else RabbitMQ's 60 s).
NET_TICKTIME = None
# A worker's log line about one task: Celery's format, which Celeriac's worker writes too.
LOST_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [A-Z]+/[^\]]+\] consumer: Connection to broker lost")
TASK_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [A-Z]+/[^\]]+\] [Tt]ask (\S+)\[([0-9a-f-]{36})\] (succeeded|received)")
# What celeriac beat logs as it sends (BeatService.send): the entry, the task and its id, and
# the moment the run was due (Celery's ISO format, UTC).
BEAT_SENT_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [A-Z]+/[^\]]+\] beat: sent (\S+) "
                            r"\((\S+)\[([0-9a-f-]{36})\]\) due (\S+)( \(run now\))?\s*$")
BEAT_STATE_LINE = re.compile(r"^\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): [A-Z]+/[^\]]+\] beat: "
                             r"(took over the schedule|another beat holds)")
# The beats' one entry: a cheap task every second, on a queue of its own that no worker
# consumes (the task queue's counts stay the workers' alone).
BEAT_ENTRY, BEAT_TASK, BEAT_QUEUE, BEAT_INTERVAL, BEAT_LEASE = "scaleout-tick", "demo.noop", "scaleout-beat", 1.0, "scaleout"
# Celery's worker is started again when it exits by itself, up to this many times.
MAX_RESTARTS = 25
# How long the harness waits at the end for the dashboard's queue panel to show the task
# queue drained: RabbitMQ's management statistics trail by collect_statistics_interval.
DRAIN_WAIT = 20.0
# The run directory's harness.log, and the summary lines that also go to summary.txt.
HARNESS_LOG = None
SUMMARY = []


def say(text):
    line = f"scale-out: {text}"
    print(line, flush=True)
    if HARNESS_LOG:
        with open(HARNESS_LOG, "a") as log:
            log.write(f"{datetime.now().strftime('%H:%M:%S.%f')[:-3]} {line}\n")


def report(text):
    """A line of the summary: printed, and kept for summary.txt."""
    SUMMARY.append(text)
    say(text)


def write_summary(run_dir, extra=()):
    with open(os.path.join(run_dir, "summary.txt"), "w") as summary:
        for line in [*SUMMARY, *extra]:
            summary.write(line + "\n")


def log_moment(text):
    """A log line's timestamp (Celery's format, local time) as epoch seconds."""
    return datetime.strptime(text, "%Y-%m-%d %H:%M:%S,%f").timestamp()


def node_address(n):
    return f"10.78.0.{10 + n}"


def broker_list(nodes, first=1):
    """The failover list, starting at node `first`: where a worker connects first."""
    order = [((first - 1 + i) % nodes) + 1 for i in range(nodes)]
    return ";".join(f"amqp://guest:guest@{node_address(n)}:5672//" for n in order)


def management_list(nodes):
    return ";".join(f"http://guest:guest@{node_address(n)}:15672" for n in range(1, nodes + 1))


def cluster_env(nodes):
    env = dict(os.environ, CELERIAC_CLUSTER_NODES=str(nodes))
    if NET_TICKTIME:
        env["CELERIAC_CLUSTER_NET_TICKTIME"] = str(NET_TICKTIME)
    return env


def cluster(*args, nodes=3, check=True):
    return subprocess.run(["bash", CLUSTER, *map(str, args)], env=cluster_env(nodes), check=check, cwd=ROOT)


def cluster_in_background(*args, nodes=3):
    """The same, while the harness keeps watching (a node's restart takes many seconds)."""
    return subprocess.Popen(["bash", CLUSTER, *map(str, args)], env=cluster_env(nodes), cwd=ROOT)


def management_get(path, nodes):
    """GET from the first node's management API that answers (nodes may be down)."""
    last = None
    for n in range(1, nodes + 1):
        request = urllib.request.Request(f"http://{node_address(n)}:15672{path}")
        request.add_header("Authorization", "Basic " + base64.b64encode(b"guest:guest").decode())
        try:
            with urllib.request.urlopen(request, timeout=3) as answer:
                return json.load(answer)
        except Exception as error:  # a node down or cut off: ask the next
            last = error
    raise RuntimeError(f"no management API answered: {last}")


def wait_until(what, condition, timeout, poll=0.5):
    """Polls `condition` (another process's state: nothing to await) until true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(poll)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def queue_depth(nodes):
    try:
        queue = management_get(f"/api/queues/%2F/{QUEUE}", nodes)
    except Exception:
        return None
    return queue.get("messages")


def every_node_running(nodes):
    """Whether the cluster counts all its nodes as running again (after a restart)."""
    try:
        listed = management_get("/api/nodes", nodes)
    except Exception:
        return False
    return len(listed) == nodes and all(node.get("running") for node in listed)


class Worker:
    """A worker process on a host of its own. A restartable one (Celery's) is started again
    when it exits by itself; every such exit is recorded, with the reason its log gives."""

    def __init__(self, name, namespace, command, log, env, restartable=False):
        self.name, self.namespace, self.log = name, namespace, log
        self.command, self.env, self.restartable = command, env, restartable
        self._offset, self._found, self._received, self._lost = 0, [], [], []
        self.exits = []  # (moment, status, reason) per exit the process made by itself
        self.restarts = 0  # times the harness started it again
        self.gone = False  # exited by itself and not started again
        self.stopping = False
        self.process = self._spawn("w")

    def _spawn(self, mode):
        self._log_size_at_start = os.path.getsize(self.log) if os.path.exists(self.log) else 0
        with open(self.log + ".out", mode) as out:
            return subprocess.Popen(["bash", CLUSTER, "exec", self.namespace, *self.command], env=self.env, cwd=ROOT,
                                    stdout=out, stderr=subprocess.STDOUT)

    def supervise(self, restart=True):
        """Records an exit the process made by itself (once), starting a restartable one
        again (unless `restart` is false: the run is over)."""
        if self.gone or self.stopping or self.process.poll() is None:
            return
        self.exits.append((time.time(), self.process.returncode, self.exit_reason()))
        if self.restartable and restart and len(self.exits) <= MAX_RESTARTS:
            say(f"{self.name} exited by itself (status {self.process.returncode}): starting it again")
            self.process = self._spawn("a")
            self.restarts += 1
        else:
            say(f"{self.name} exited by itself (status {self.process.returncode})")
            self.gone = True

    def running_or_coming_back(self):
        return not self.gone and not self.stopping

    def exit_reason(self):
        """The last CRITICAL or ERROR line its log got since it started (Celery's
        "Unrecoverable error: …"), else the last line of its output."""
        reason = ""
        try:
            with open(self.log, "rb") as log:
                log.seek(self._log_size_at_start)
                for line in log.read().decode(errors="replace").splitlines():
                    if "CRITICAL/" in line or "ERROR/" in line:
                        reason = line
        except FileNotFoundError:
            pass
        if not reason:
            try:
                with open(self.log + ".out", "rb") as out:
                    lines = [line for line in out.read()[-4000:].decode(errors="replace").splitlines() if line.strip()]
                reason = lines[-1] if lines else ""
            except FileNotFoundError:
                pass
        return reason.strip()[:240]

    def successes(self):
        """(moment, task id) per success line in the worker's log so far; read on from
        where the last call stopped, as the harness asks often and the logs grow long."""
        try:
            with open(self.log, "rb") as log:
                log.seek(self._offset)
                chunk = log.read()
        except FileNotFoundError:
            return self._found
        end = chunk.rfind(b"\n") + 1  # a line still being written waits for the next call
        self._offset += end
        for line in chunk[:end].decode(errors="replace").splitlines():
            lost = LOST_LINE.match(line)
            if lost:
                self._lost.append(log_moment(lost.group(1)))
            match = TASK_LINE.match(line)
            if match:
                moment = log_moment(match.group(1))
                (self._found if match.group(4) == "succeeded" else self._received).append((moment, match.group(3)))
        return self._found

    def receipts(self):
        """(moment, task id) per task the worker received: after a fault, the first says it
        consumes again (a task already running finishing says nothing of the kind)."""
        self.successes()
        return self._received

    def losses(self):
        """When the worker logged its broker connection lost, as Celery's worker words it."""
        self.successes()
        return self._lost

    def stop(self):
        self.stopping = True
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class Beat(Worker):
    """A `celeriac beat` on a host of its own, with a file store of its own: only the broker
    lease stands between it and another beat of the same name."""

    def log_text(self):
        try:
            with open(self.log, "rb") as log:
                return log.read().decode(errors="replace")
        except FileNotFoundError:
            return ""


def parse_beat_log(text):
    """A beat's sends (moment logged, moment due, task id, whether run-now) and the moments
    it took over the schedule or stood by, from its log."""
    sends, takeovers, standbys = [], [], []
    for line in text.splitlines():
        sent = BEAT_SENT_LINE.match(line)
        if sent:
            due = datetime.fromisoformat(sent.group(5).replace("Z", "+00:00")).timestamp()
            sends.append((log_moment(sent.group(1)), due, sent.group(4), bool(sent.group(6))))
            continue
        state = BEAT_STATE_LINE.match(line)
        if state:
            (takeovers if state.group(2).startswith("took over") else standbys).append(log_moment(state.group(1)))
    return {"sends": sends, "takeovers": takeovers, "standbys": standbys}


def beats_sending_together(sends, interval, changes=None):
    """(moment, beat, other beat) for each send made while another beat was sending steadily:
    between two of the other's sends at most two intervals (and half a second) apart with no
    change of the other's state logged between them (it stood by, or took over, in that
    time: a quick hand-over and back), or at the very same logged moment as one of them.
    `sends`: beat name -> [(moment, ...)]; `changes`: beat name -> moments it took over or
    stood by."""
    found = []
    for other, theirs in sends.items():
        moments = sorted(send[0] for send in theirs)
        exact = set(moments)
        shifts = sorted((changes or {}).get(other, []))
        for beat, mine in sends.items():
            if beat == other:
                continue
            for send in mine:
                moment = send[0]
                i = bisect.bisect_left(moments, moment)
                between = 0 < i < len(moments) and moments[i] - moments[i - 1] <= 2 * interval + 0.5
                if between:
                    j = bisect.bisect_right(shifts, moments[i - 1])
                    between = not (j < len(shifts) and shifts[j] < moments[i])
                if moment in exact or between:
                    found.append((moment, beat, other))
    return sorted(set(found))


def due_moments_sent_twice(sends):
    """(due moment, [beat, ...]) for each due moment (to the millisecond) sent more than once."""
    seen = {}
    for beat, mine in sends.items():
        for send in mine:
            seen.setdefault(round(send[1], 3), []).append(beat)
    return sorted((due, beats) for due, beats in seen.items() if len(beats) > 1)


def longest_silences(sends, windows, end):
    """Per window (start, stop) — from a fault to the next, the last to `end` — the longest
    stretch without any beat's send that is the window's own, as (seconds, from, to, beat
    before, beat after, still open at `end`), or None when it has none. A stretch runs from a
    send (or the window's start, when no send came before it) to the next send; the one
    across the next fault's moment is that fault's. `sends`: [(moment, beat)]."""
    ordered = sorted(sends)
    moments = [moment for moment, _ in ordered]
    results = []
    for start, stop in windows:
        before = bisect.bisect_right(moments, start)
        inside = bisect.bisect_left(moments, stop)
        points = ([ordered[before - 1]] if before else [(start, None)]) + ordered[before:inside]
        candidates = [(b[0] - a[0], a[0], b[0], a[1], b[1], False) for a, b in zip(points, points[1:])]
        if inside >= len(ordered) and stop >= end:
            last = points[-1]
            candidates.append((end - last[0], last[0], end, last[1], None, True))
        results.append(max(candidates, key=lambda candidate: candidate[0]) if candidates else None)
    return results


def swift_worker(name, namespace, run_dir, config, concurrency, pool="async"):
    log = os.path.join(run_dir, f"{name}.log")
    command = [CELERIAC, "worker", "-A", "demo", "--config", config, "-Q", QUEUE, "-P", pool, "-c", str(concurrency),
               "-n", f"{name}@{namespace}", "-E", "-l", "info", "-f", log]
    return Worker(name, namespace, command, log, dict(os.environ))


def python_worker(name, namespace, run_dir, brokers, backend, concurrency):
    log = os.path.join(run_dir, f"{name}.log")
    env = dict(os.environ, CELERIAC_SCALE_BROKER=brokers, CELERIAC_SCALE_BACKEND=backend or "",
               PYTHONPATH=HERE)
    command = [sys.executable, "-m", "celery", "-A", "scaleapp", "worker", "-Q", QUEUE, "-P", "prefork",
               "-c", str(concurrency), "-n", f"{name}@{namespace}", "-E", "-l", "info", "-f", log,
               "--without-gossip", "--without-mingle"]
    return Worker(name, namespace, command, log, env, restartable=True)


def beat_process(name, namespace, run_dir, config):
    """A beat with its own file store (a directory of its own) and the shared lease name."""
    store = os.path.join(run_dir, name)
    os.makedirs(store, exist_ok=True)
    log = os.path.join(run_dir, f"{name}.log")
    command = [CELERIAC, "beat", "run", "--config", config, "-s", os.path.join(store, f"{BEAT_LEASE}.json"),
               "--lease", BEAT_LEASE, "-l", "info", "--logfile", log]
    return Beat(name, namespace, command, log, dict(os.environ))


def write_config(path, brokers, backend, heartbeat, beat=False):
    with open(path, "w") as config:
        config.write(f'broker_url = "{brokers}"\n')
        if backend:
            config.write(f'result_backend = "{backend}"\n')
        config.write('task_create_missing_queue_type = "quorum"\n'
                     'task_create_missing_queue_exchange_type = "topic"\n'
                     "task_acks_late = true\n"
                     f"broker_heartbeat = {heartbeat}\n"
                     "broker_connection_timeout = 4\n")
        if beat:
            config.write(f"\n[beat_schedule.{BEAT_ENTRY}]\n"
                         f'task = "{BEAT_TASK}"\n'
                         f"schedule = {BEAT_INTERVAL:g}\n"
                         f'queue = "{BEAT_QUEUE}"\n')
    return path


def publish(tasks, nodes, backend, task, args, wait=True):
    """Sends `tasks` messages from the root namespace, confirmed; returns their ids. With
    `wait`, waits for the queue to hold them all (before any worker consumes)."""
    os.environ["CELERIAC_SCALE_BROKER"] = broker_list(nodes)
    os.environ["CELERIAC_SCALE_BACKEND"] = backend or ""
    if HERE not in sys.path:
        sys.path.insert(0, HERE)
    from scaleapp import app  # configured from the environment just set

    app.conf.broker_transport_options = {"confirm_publish": True}
    ids = [str(uuid.uuid4()) for _ in range(tasks)]
    started = time.monotonic()
    # A connection of its own each time, not the pool's: a pooled one may be to a node killed
    # since, and emptying the pool by force leaves nothing for the next acquire to take.
    with app.connection_for_write() as connection, connection.Producer() as producer:
        for task_id in ids:
            app.send_task(task, args, task_id=task_id, queue=QUEUE, producer=producer)
    elapsed = time.monotonic() - started
    say(f"published {tasks} {task} tasks in {elapsed:.1f} s ({tasks / elapsed:.0f}/s, publisher confirms)")
    if wait:
        wait_until(f"{tasks} messages in {QUEUE}", lambda: queue_depth(nodes) == tasks, 60)
    return ids


def start_redis(run_dir, port):
    # Bound to the bridge, which only this machine's namespaces reach: no password, so protected mode off.
    subprocess.run(["redis-server", "--port", str(port), "--bind", BRIDGE, "--save", "", "--appendonly", "no", "--protected-mode", "no",
                    "--dir", run_dir, "--daemonize", "yes", "--pidfile", os.path.join(run_dir, "redis.pid"),
                    "--logfile", os.path.join(run_dir, "redis.log")], check=True)
    import redis

    client = redis.Redis(host=BRIDGE, port=port)
    wait_until("redis", lambda: _pings(client), 10, poll=0.1)
    return client


def _pings(client):
    try:
        return client.ping()
    except Exception:
        return False


def stop_redis(run_dir):
    try:
        os.kill(int(open(os.path.join(run_dir, "redis.pid")).read()), signal.SIGTERM)
    except (OSError, ValueError):
        pass


def percentile(values, fraction):
    """Nearest rank (the value at rank ceil(fraction * n)): with few samples p99 is the
    worst, as it should be, and p50 of an even count the lower middle one."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered) - 1e-9))
    return ordered[min(len(ordered), rank) - 1]


def resume_moment(receipts, losses, fault, window=30.0):
    """(when a worker took tasks again after `fault`, when it logged its connection lost or
    None). Its first receipt after it logged the connection lost (within `window` seconds:
    two heartbeat intervals and more), when it did — a receipt before that may be a message
    already on its way before the fault — else its first receipt after the fault (its
    connection was on another node). None for the first when it took no task since."""
    lost = next((m for m in sorted(losses) if fault < m <= fault + window), None)
    after = sorted(m for m, _ in receipts if m > (lost if lost is not None else fault))
    return (after[0] if after else None), lost


def serving_node(nodes, worker_hosts):
    """The node most of the workers' connections are on, by the management API."""
    counts = {}
    for connection in management_get("/api/connections", nodes):
        if connection.get("peer_host") in worker_hosts:
            node = connection["node"]
            counts[node] = counts.get(node, 0) + 1
    if not counts:
        return None
    name = max(counts, key=counts.get)
    return int(name.rsplit(".", 1)[1]) - 10


def netem_available():
    """Whether this kernel offers tc netem (delay and loss), tried on a throwaway veth."""
    subprocess.run(["ip", "link", "add", "cs-probe", "type", "veth", "peer", "name", "cs-probe2"], capture_output=True)
    tried = subprocess.run(["tc", "qdisc", "add", "dev", "cs-probe", "root", "netem", "delay", "10ms"], capture_output=True)
    subprocess.run(["ip", "link", "del", "cs-probe"], capture_output=True)
    return tried.returncode == 0


def namespace_address(namespace):
    output = subprocess.run(["ip", "netns", "exec", namespace, "ip", "-4", "-o", "addr", "show", "eth0"],
                            capture_output=True, text=True, check=True).stdout
    return output.split()[3].split("/")[0]


class Dashboard:
    """`celeriac top` in a real terminal (tmux), read back every 0.2 s while the harness
    waits (`capture`): the header's connection state, and the queue panel's figures."""

    HEADER = re.compile(r"(connected to [0-9.:]+|reconnecting \(attempt \d+\)|connected|connecting)")

    def __init__(self, run_dir, config, nodes):
        self.session = f"celeriac-scale-{os.getpid()}"
        self.frames = []
        self.run_dir = run_dir
        command = (f"{CELERIAC} top --config {config} --management-url '{management_list(nodes)}' "
                   f"--poll-interval 1; sleep 600")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session, "-x", "160", "-y", "45",
                        "env", "TERM=xterm-256color", "bash", "-c", command], check=True)

    def capture(self):
        text = subprocess.run(["tmux", "capture-pane", "-p", "-t", self.session], capture_output=True,
                              text=True).stdout
        header = "\n".join(text.split("\n")[:3])
        match = self.HEADER.search(header)
        state = match.group(1) if match else "(no connection state on screen)"
        self.frames.append((time.time(), state, text))
        return state

    def queue_row(self, name):
        """(ready, unacked) as the last capture's Overview queue panel shows `name`; None
        when it does not show it (unacked None when the panel shows '-')."""
        if not self.frames:
            return None
        pattern = re.compile(rf"^\s*{re.escape(name)}\s+(\d+) ready\s+(\d+|-) unacked", re.MULTILINE)
        match = pattern.search(self.frames[-1][2])
        if not match:
            return None
        return int(match.group(1)), (None if match.group(2) == "-" else int(match.group(2)))

    def queue_heading(self):
        """The queue panel's heading in the last capture (where its figures come from)."""
        for line in (self.frames[-1][2].splitlines() if self.frames else []):
            if "QUEUES" in line:
                return line.strip(" ─")
        return ""

    def save(self, name):
        """The screen now, as text and with its colours (for a PNG)."""
        for suffix, flags in (("txt", []), ("ansi", ["-e"])):
            text = subprocess.run(["tmux", "capture-pane", "-p", *flags, "-t", self.session], capture_output=True,
                                  text=True).stdout
            with open(os.path.join(self.run_dir, f"top-{name}.{suffix}"), "w") as frame:
                frame.write(text)

    def render(self, name, png, title):
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "render-terminal-png.py"),
                        os.path.join(self.run_dir, f"top-{name}.ansi"), png, "--cols", "160", "--rows", "45",
                        "--title", title], check=True)

    def transitions(self):
        """(moment, state) each time the header's connection state changed."""
        changes = []
        for moment, state, _ in self.frames:
            if not changes or changes[-1][1] != state:
                changes.append((moment, state))
        return changes

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.session], capture_output=True)


Fault = collections.namedtuple("Fault", "kind label node at")


def faults(args):
    nodes = 3
    run_dir = args.run_dir
    say(f"run directory {run_dir}")
    cluster("start", nodes=nodes)
    client = start_redis(run_dir, args.redis_port)
    backend = f"redis://{BRIDGE}:{args.redis_port}/0"
    dashboard = None
    workers, beats = [], []
    failed = []
    fault_moments = []
    try:
        brokers = broker_list(nodes)
        config = write_config(os.path.join(run_dir, "celeriac.toml"), brokers, backend, args.heartbeat)
        # The beats read a file of their own: the same broker list and settings, and their one entry.
        beat_config = write_config(os.path.join(run_dir, "beat.toml"), brokers, None, args.heartbeat, beat=True)
        # Two beats, two hosts, the same failover list: the first sends, the second stands by.
        beats.append(beat_process("beat1", "celeriac-b1", run_dir, beat_config))
        try:
            wait_until("beat1's first send", lambda: parse_beat_log(beats[0].log_text())["sends"], 60)
        except RuntimeError as error:
            failed.append(f"beat: {error} (see beat1.log)")
        beats.append(beat_process("beat2", "celeriac-b2", run_dir, beat_config))
        try:
            wait_until("beat2 standing by", lambda: parse_beat_log(beats[1].log_text())["standbys"], 30)
        except RuntimeError:
            say("beat2 did not say within 30 s that it stands by; see beat2.log")
        ids = publish(args.tasks, nodes, backend, "demo.sleep", (args.task_seconds,))
        topped_up = []  # (before which fault, how many) per batch published during the run
        dashboard = Dashboard(run_dir, config, nodes)
        workers = [
            swift_worker("swift1", "celeriac-w1", run_dir, config, args.concurrency),
            swift_worker("swift2", "celeriac-w2", run_dir, config, args.concurrency),
            python_worker("python1", "celeriac-w3", run_dir, brokers, backend, args.python_concurrency),
        ]
        started = time.time()

        def done():
            return sum(len(w.successes()) for w in workers)

        def observe():
            """The dashboard read back; a worker or beat that exited by itself is recorded
            (and Celery's worker started again)."""
            dashboard.capture()
            for process in workers + beats:
                process.supervise()

        def resumed(worker, moment):
            """It took a task after `moment`, or will not: it exited for good, or (Celery's
            worker) it exited since, which is Celery's to answer for, not a wait of ours."""
            return (any(m > moment for m, _ in worker.receipts()) or not worker.running_or_coming_back()
                    or (worker.restartable and any(m > moment for m, _, _ in worker.exits)))

        def resumed_or_done(moment):
            """Every worker still there ran a task after `moment`, or none are left to run."""
            return done() >= len(ids) or all(resumed(w, moment) for w in workers)

        def wait_for_resume(moment, what, timeout):
            """Every worker taking tasks again. Only Celery's worker may be left behind (said,
            and its figures show it): the run goes on without it."""
            try:
                watch_until(what, lambda: resumed_or_done(moment), timeout)
            except RuntimeError:
                behind = [w for w in workers if not resumed(w, moment)]
                if any(not w.restartable for w in behind):
                    raise
                say(f"{', '.join(w.name for w in behind)} took no task within {timeout} s of the fault; the run goes on")

        reserve, spacing = args.tasks // 2, max(1, args.tasks // 10)

        def top_up(before):
            """At least `reserve` tasks left before a fault, so that each fault meets a busy
            queue: three kills and their restarts take longer than 20,000 tasks last."""
            left = len(ids) - done()
            if left < reserve:
                more = -(-(reserve - left) // 1000) * 1000
                ids.extend(publish(more, nodes, backend, "demo.sleep", (args.task_seconds,), wait=False))
                topped_up.append((before, more))
                say(f"{left} tasks were left: {more} more published before {before}")

        def watch_until(what, condition, timeout):
            def step():
                observe()
                return condition()
            return wait_until(what, step, timeout, poll=0.2)

        def hold(seconds, each_frame=None):
            """A fault's length is the scenario itself: the harness watches meanwhile."""
            end = time.time() + seconds
            while time.time() < end:
                observe()
                if each_frame:
                    each_frame()
                time.sleep(0.2)

        def workers_node():
            node = serving_node(nodes, hosts)
            if node is None:
                say("the management API lists no connection of the workers: taking node 1")
                node = 1
            return node

        watch_until("every worker's first task", lambda: all(w.successes() for w in workers), 120)
        hosts = {namespace_address(w.namespace) for w in workers}
        dashboard.save("before")
        netem = netem_available()

        # 1: kill -9 the node the workers are on, --kills times (the first after 10% of the
        # tasks, each next one 10% after the cluster is whole again), each time waiting for
        # every worker to take tasks again, then restarting the node and waiting for the
        # cluster to count it running.
        mark = 0
        for k in range(args.kills):
            # Topped up first, and never waiting for more than is left to run: the workers
            # drain a top-up about as fast as one process can publish it.
            top_up(f"kill {k + 1}")
            threshold = min(mark + spacing, len(ids) - spacing)
            watch_until(f"{threshold} tasks done", lambda: done() >= threshold, 600)
            node = workers_node()
            say(f"kill {k + 1} of {args.kills}: killing node {node} ({node_address(node)}), which the workers are connected to")
            killed_at = time.time()
            cluster("kill", node)
            fault_moments.append(Fault("kill -9", f"kill -9 #{k + 1}", node, killed_at))
            wait_for_resume(killed_at, "every worker running tasks again", 180)
            dashboard.save(f"after-kill-{k + 1}")
            say(f"restarting node {node}")
            restarting = cluster_in_background("restart", node)
            watch_until(f"node {node} started again", lambda: restarting.poll() is not None, 240)
            if restarting.returncode != 0:
                raise RuntimeError(f"node {node} did not start again (status {restarting.returncode})")
            watch_until("the cluster counting every node running", lambda: every_node_running(nodes), 120)
            hold(5)  # the restarted node's quorum queue member catches up before the next fault
            mark = done()

        # 2: cut the node they are on now off the network for the partition's length.
        top_up("the partition")
        threshold = min(max(mark + spacing, args.tasks // 2), len(ids) - spacing)
        watch_until(f"{threshold} tasks done", lambda: done() >= threshold, 900)
        second = workers_node()
        say(f"cutting node {second} ({node_address(second)}) off the network for {args.partition:g} s")
        cut_at = time.time()
        cluster("down", second)
        fault_moments.append(Fault(f"partition {args.partition:g} s", f"partition {args.partition:g} s", second, cut_at))
        outage_saved = False

        def save_outage():
            nonlocal outage_saved
            if not outage_saved and "connected to" not in dashboard.frames[-1][1]:
                dashboard.save("during-partition")
                outage_saved = True
        hold(args.partition, save_outage)
        cluster("up", second)
        say(f"node {second} back on the network")
        wait_for_resume(cut_at, "every worker running tasks after the partition", 300)

        # 3: a slow, lossy link to the node they are on now, where the kernel has netem.
        if netem and done() < len(ids):
            third = workers_node()
            say(f"slowing node {third}'s link for {args.partition:g} s: delay 200 ms, loss 5%")
            slowed_at = time.time()
            cluster("slow", third, "200ms", "5%")
            fault_moments.append(Fault("delay 200 ms, loss 5%", "delay 200 ms, loss 5%", third, slowed_at))
            hold(args.partition)
            cluster("fast", third)
        elif not netem:
            say(f"tc netem is not in this kernel ({os.uname().release}): no delay or loss fault")

        def all_results():
            return client.exists(*(f"celery-task-meta-{i}" for i in ids[-1000:])) == min(1000, len(ids)) and \
                done() >= len(ids)
        watch_until(f"all {len(ids)} results", all_results, args.timeout)
        results_at = time.time()
        # The queue panel's figures come from RabbitMQ's management statistics, which trail
        # by collect_statistics_interval: wait (a while) for it to show the queue drained
        # before the last frame, and watch at least 2 s more for where the header ended up.
        drained = None
        waiting_since = time.monotonic()
        while True:
            observe()
            if drained is None and dashboard.queue_row(QUEUE) == (0, 0):
                drained = time.time() - results_at
            waited = time.monotonic() - waiting_since
            if (drained is not None and waited >= 2) or waited >= DRAIN_WAIT:
                break
            time.sleep(0.2)
        last_row, last_heading, api_depth = dashboard.queue_row(QUEUE), dashboard.queue_heading(), queue_depth(nodes)
        dashboard.save("after")
        finished = time.time()
        if args.screenshots:
            if outage_saved:
                dashboard.render("during-partition", os.path.join(args.screenshots, "cluster-partition.png"),
                                 f"celeriac top: node {second} cut off, the workers moving on")
            dashboard.render("after", os.path.join(args.screenshots, "cluster-recovered.png"),
                             f"celeriac top: after {args.kills} node kills and a {args.partition:g} s partition")
    finally:
        # A worker or beat that ended by itself (before being told to stop) is part of the story.
        for process in workers + beats:
            process.supervise(restart=False)
        for worker in workers:
            worker.stop()
        beats_stopped = time.time()
        for beat in beats:
            beat.stop()
        if dashboard:
            dashboard.close()

    # Results: every id's, from Redis, with the right value.
    missing, wrong = [], []
    for start in range(0, len(ids), 1000):
        batch = ids[start:start + 1000]
        for task_id, raw in zip(batch, client.mget([f"celery-task-meta-{i}" for i in batch])):
            if raw is None:
                missing.append(task_id)
                continue
            meta = json.loads(raw)
            if meta.get("status") != "SUCCESS" or meta.get("result") != args.task_seconds:
                wrong.append((task_id, meta.get("status"), meta.get("result")))
    runs = {}
    per_worker = {}
    for worker in workers:
        successes = worker.successes()
        per_worker[worker.name] = len(successes)
        for _, task_id in successes:
            runs[task_id] = runs.get(task_id, 0) + 1
    never_ran = [i for i in ids if i not in runs]
    duplicates = {i: n for i, n in runs.items() if n > 1}

    say("")
    more = "".join(f", {count} before {before}" for before, count in topped_up)
    report(f"{len(ids)} tasks of demo.sleep({args.task_seconds}) ({args.tasks} at the start{more}), acks_late, "
           f"quorum queue, 3 nodes (net_ticktime {NET_TICKTIME or 60} s), {len(workers)} workers, "
           f"broker_heartbeat {args.heartbeat} s, {args.kills} node kills and a {args.partition:g} s partition, "
           f"{finished - started:.0f} s")
    # Time to resume, per fault and worker; the percentiles per kind of fault and kind of
    # worker take the workers that lost their connection and came back by themselves.
    samples, aside, kinds = {}, {}, []
    for fault in fault_moments:
        if fault.kind not in kinds:
            kinds.append(fault.kind)
        line = []
        for worker in workers:
            kind = "Celeriac" if worker.name.startswith("swift") else "Celery"
            values = samples.setdefault((fault.kind, kind), [])
            tally = aside.setdefault((fault.kind, kind), {"kept": 0, "restarted": 0, "none": 0})
            back, lost = resume_moment(worker.receipts(), worker.losses(), fault.at)
            if back is None:
                exited = worker.gone or any(moment > fault.at for moment, _, _ in worker.exits)
                line.append(f"{worker.name} " + ("(exited)" if exited else "(no task left for it)"))
                tally["none"] += 1
                continue
            text = f"{worker.name} {back - fault.at:.1f} s"
            if any(fault.at < moment <= back for moment, _, _ in worker.exits):
                text += " (exited; started again by the harness)"
                tally["restarted"] += 1
            elif lost is None:
                text += " (kept its connection)"
                tally["kept"] += 1
            else:
                values.append(back - fault.at)
            line.append(text)
        report(f"  {fault.label} of node {fault.node}: resumed after " + ", ".join(line))
    report("  time to resume (first task received after the worker logged its connection lost), nearest-rank percentiles:")
    for fault_kind in kinds:
        count = sum(1 for fault in fault_moments if fault.kind == fault_kind)
        for worker_kind in ("Celeriac", "Celery"):
            if (fault_kind, worker_kind) not in samples:
                continue
            values, tally = samples[(fault_kind, worker_kind)], aside[(fault_kind, worker_kind)]
            left = [f"{n} {what}" for what, n in (("kept the connection", tally["kept"]),
                                                    ("came back only through a restart by the harness", tally["restarted"]),
                                                    ("took no task again", tally["none"])) if n]
            rest = f"; not counted: {', '.join(left)}" if left else ""
            head = f"    {fault_kind} ({count} fault{'s' if count != 1 else ''}), {worker_kind} workers:"
            if values:
                report(f"{head} p50 {percentile(values, 0.5):.1f} s, p99 {percentile(values, 0.99):.1f} s "
                       f"({len(values)} sample{'s' if len(values) != 1 else ''}{rest})")
            else:
                report(f"{head} no sample{rest}")
    report(f"  results in Redis: {len(ids) - len(missing)} of {len(ids)}; wrong values: {len(wrong)}")
    report(f"  runs: {sum(runs.values())} for {len(runs)} task ids; never ran: {len(never_ran)}; "
           f"ran more than once: {len(duplicates)} ({sum(duplicates.values()) - len(duplicates)} extra runs)")
    report("  by worker: " + ", ".join(f"{name} {count}" for name, count in per_worker.items()))
    for worker in workers:
        if worker.restartable:
            times = len(worker.exits)
            note = ""
            if times:
                note = (" — Celery's behaviour, recorded, not a failure; the harness started it again "
                        + ("each time" if worker.restarts == times else f"{worker.restarts} times"))
            report(f"  Celery's worker {worker.name} exited by itself {times} time{'s' if times != 1 else ''}{note}")
        elif worker.exits:
            failed.append(f"Celeriac worker {worker.name} exited by itself (status {worker.exits[0][1]}); see its log")
        for moment, status, reason in worker.exits:
            report(f"    {worker.name} at {moment - started:.1f} s, status {status}: {reason or '(its log says nothing)'}")
    if not netem:
        report(f"  tc netem is not in this kernel ({os.uname().release}): no delay or loss fault was injected")
    report_beats(beats, fault_moments, started, beats_stopped, failed)
    if drained is not None:
        report(f"  dashboard queue panel: {QUEUE} at 0 ready, 0 unacked {drained:.1f} s after the last result ({last_heading})")
    else:
        shown = ("not on the panel" if last_row is None else
                 f"{last_row[0]} ready, {'-' if last_row[1] is None else last_row[1]} unacked")
        report(f"  dashboard queue panel: {QUEUE} never showed drained within {DRAIN_WAIT:g} s of the last result "
               f"(last shown: {shown}; {last_heading}); the management API said {api_depth} messages then. "
               f"RabbitMQ's statistics trail by collect_statistics_interval: reported, not a failure")
    report("  dashboard (celeriac top in tmux), header over time:")
    for moment, state in dashboard.transitions():
        report(f"    {moment - started:6.1f} s  {state}")
    if missing:
        failed.append(f"{len(missing)} results missing, e.g. {missing[:3]}")
    if wrong:
        failed.append(f"{len(wrong)} wrong results, e.g. {wrong[:3]}")
    if never_ran:
        failed.append(f"{len(never_ran)} tasks never ran by the logs, e.g. {never_ran[:3]}")
    for fault in fault_moments:
        before = [s for m, s in dashboard.transitions() if m <= fault.at]
        after = [s for m, s in dashboard.transitions() if m > fault.at]
        if not before or node_address(fault.node) not in before[-1]:
            continue  # the dashboard was on another node: nothing for it to show
        # It was on the faulted node: it must show the outage, then a connection elsewhere.
        if not any("connected to" not in s for s in after):
            failed.append(f"the dashboard never showed the outage after the {fault.label} of node {fault.node}")
        if not any(s.startswith("connected to") and node_address(fault.node) not in s for s in after):
            failed.append(f"the dashboard never showed a connection to another node after the {fault.label} of node {fault.node}")
    final = dashboard.transitions()[-1][1] if dashboard.transitions() else ""
    if not final.startswith("connected"):
        failed.append(f"the dashboard ended on '{final}', not connected")
    return failed


def report_beats(beats, fault_moments, started, end, failed):
    """What the two beats' logs say: sends per beat, never both at once, no due moment sent
    twice, and the longest stretch without a send per fault."""
    logs = {beat.name: parse_beat_log(beat.log_text()) for beat in beats}
    sends = {name: [send for send in log["sends"] if send[0] <= end] for name, log in logs.items()}
    changes = {name: log["takeovers"] + log["standbys"] for name, log in logs.items()}
    merged = sorted((send[0], name) for name, mine in sends.items() for send in mine)
    handovers = sum(1 for a, b in zip(merged, merged[1:]) if a[1] != b[1])
    report(f"  beat: {len(beats)} celeriac beats on hosts of their own, one broker lease (celeriac.beat.lease.{BEAT_LEASE}), "
           f"a file store each; {BEAT_TASK} every {BEAT_INTERVAL:g} s to {BEAT_QUEUE}")
    report("    sends: " + ", ".join(f"{name} {len(mine)}" for name, mine in sends.items())
           + f"; the sending beat changed {handovers} time{'s' if handovers != 1 else ''}; took over: "
           + ", ".join(f"{name} {len(log['takeovers'])}" for name, log in logs.items()))
    for beat in beats:
        for moment, status, reason in beat.exits:
            report(f"    {beat.name} exited by itself at {moment - started:.1f} s, status {status}: {reason or '(its log says nothing)'}")
            failed.append(f"beat {beat.name} exited by itself (status {status}); see {beat.name}.log")
    if not merged:
        report("    no beat sent anything")
        failed.append("no beat sent anything")
        return
    together = beats_sending_together(sends, BEAT_INTERVAL, changes)
    twice = due_moments_sent_twice(sends)
    if together:
        example = ", ".join(f"{beat} at {moment - started:.1f} s while {other} sent" for moment, beat, other in together[:3])
        report(f"    both beats sending at once: {len(together)} sends, e.g. {example}")
        failed.append(f"both beats sent at once ({len(together)} sends), e.g. {example}")
    else:
        report("    both beats sending at once: never")
    if twice:
        example = ", ".join(f"due {datetime.fromtimestamp(due).strftime('%H:%M:%S.%f')[:-3]} by {'+'.join(who)}"
                            for due, who in twice[:3])
        report(f"    a due moment sent twice: {len(twice)}, e.g. {example}")
        failed.append(f"{len(twice)} due moments sent twice, e.g. {example}")
    else:
        report("    a due moment sent twice: never")
    windows = [(merged[0][0], fault_moments[0].at if fault_moments else end)]
    for i, fault in enumerate(fault_moments):
        windows.append((fault.at, fault_moments[i + 1].at if i + 1 < len(fault_moments) else end))
    silences = longest_silences(merged, windows, end)
    if silences[0]:
        report(f"    longest stretch without a send before the first fault: {silences[0][0]:.1f} s")
    for fault, silence in zip(fault_moments, silences[1:]):
        if silence is None:
            report(f"    {fault.label} of node {fault.node}: no send from it to the next fault (that stretch is the next one's)")
            continue
        seconds, since, until, before, after, still_open = silence
        if still_open:
            report(f"    {fault.label} of node {fault.node}: no send from {since - fault.at:+.1f} s of the fault to the end "
                   f"({seconds:.1f} s; last by {before})")
        else:
            report(f"    {fault.label} of node {fault.node}: longest stretch without a send {seconds:.1f} s, "
                   f"from {since - fault.at:+.1f} s to {until - fault.at:+.1f} s of the fault ({before or 'none'} → {after})")
    if fault_moments and not any(moment > fault_moments[-1].at for moment, _ in merged):
        failed.append(f"no beat sent after the {fault_moments[-1].label} of node {fault_moments[-1].node}")
    if beats and all(beat.gone for beat in beats):
        failed.append("no beat was left running at the end")


def throughput(args):
    rows = []
    for label, nodes in (("3-node cluster", 3), ("single node", 1)):
        run_dir = os.path.join(args.run_dir, f"throughput-{nodes}")
        os.makedirs(run_dir, exist_ok=True)
        cluster("start", nodes=nodes)
        workers = []
        try:
            publish(args.tasks, nodes, None, "demo.noop", ())
            for i in range(args.workers):
                # Spread over the nodes, as a deployment would: worker i connects to node i % n first.
                brokers = broker_list(nodes, first=(i % nodes) + 1)
                config = write_config(os.path.join(run_dir, f"celeriac-{i + 1}.toml"), brokers, None, args.heartbeat)
                workers.append(swift_worker(f"swift{i + 1}", f"celeriac-w{i + 1}", run_dir, config,
                                            args.concurrency, pool="threads"))
            wait_until(f"{args.tasks} tasks done",
                       lambda: sum(len(w.successes()) for w in workers) >= args.tasks, args.timeout, poll=1)
            moments = sorted(m for w in workers for m, _ in w.successes())
            rate = (len(moments) - 1) / max(0.001, moments[-1] - moments[0])
            rows.append((label, nodes, rate))
            say(f"{label}: {rate:.0f} tasks/s")
        finally:
            for worker in workers:
                worker.stop()
            cluster("stop", nodes=nodes, check=False)
    say("")
    report(f"{args.tasks} demo.noop tasks, acks_late, quorum queue, {args.workers} Celeriac workers "
           f"(threads, -c {args.concurrency}), each on a host of its own")
    report(f"  {'broker':<16} {'tasks/s':>8}")
    for label, _, rate in rows:
        report(f"  {label:<16} {rate:>8.0f}")
    single = rows[-1][2]
    report(f"  the cluster runs at {rows[0][2] / single:.0%} of a single node's rate")
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["faults", "throughput"])
    parser.add_argument("--tasks", type=int, default=20_000)
    # Half a second: the queue then outlasts three kill cycles and a partition on two cores
    # (at 0.1 s the workers drained 27,000 tasks before the partition could find any).
    parser.add_argument("--task-seconds", type=float, default=0.5, help="faults: each task's sleep")
    parser.add_argument("--concurrency", type=int, default=10, help="each Swift worker's pool")
    parser.add_argument("--python-concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=6, help="throughput: Swift workers")
    parser.add_argument("--kills", type=int, default=3,
                        help="faults: times the workers' node is killed (kill -9) and restarted before the partition")
    parser.add_argument("--partition", type=float, default=30.0, help="faults: seconds a node is cut off")
    parser.add_argument("--heartbeat", type=int, default=5, help="broker_heartbeat of every worker and top")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds for all tasks to finish")
    parser.add_argument("--redis-port", type=int, default=36379)
    parser.add_argument("--screenshots", help="faults: render the dashboard during the partition and after to PNGs here")
    parser.add_argument("--run-dir", default=os.path.join(ROOT, ".test-peers", "scale-out",
                                                          datetime.now().strftime("%Y%m%d-%H%M%S")))
    parser.add_argument("--net-ticktime", type=int, help="the nodes' net_ticktime (default RabbitMQ's 60 s)")
    args = parser.parse_args()
    if args.kills < 0:
        parser.error("--kills: give 0 or more")
    global NET_TICKTIME, HARNESS_LOG
    NET_TICKTIME = args.net_ticktime
    os.makedirs(args.run_dir, exist_ok=True)
    HARNESS_LOG = os.path.join(args.run_dir, "harness.log")
    try:
        failed = faults(args) if args.scenario == "faults" else throughput(args)
    except Exception as error:  # said, and kept in summary.txt, as any other failure
        say("the run stopped early:\n" + traceback.format_exc())
        failed = [f"the run stopped early: {error}"]
    finally:
        if args.scenario == "faults":
            stop_redis(args.run_dir)
            cluster("stop", check=False)
    closing = [f"FAILED: {problem}" for problem in failed] + [f"logs and dashboard frames in {args.run_dir}"]
    for line in closing:
        say(line)
    write_summary(args.run_dir, closing)
    say(f"this summary is in {os.path.join(args.run_dir, 'summary.txt')}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
