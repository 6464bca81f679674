"""The scale-out proof: Celeriac and Celery workers on a 3-node RabbitMQ cluster, each
process on a host of its own (a network namespace with its own address), through real
faults. Run by Scripts/scale-out.sh, which builds celeriac and installs the peers.

  faults      N acks_late tasks on a quorum queue, two Swift workers and one Python
              worker. The node the workers are connected to is killed (kill -9); later
              the node they moved to is cut off the network for 30 s. Every task's result
              must be in Redis with the right value; runs per task id are counted from
              the workers' logs and duplicates reported; each worker's time to resume
              after each fault is reported (p50/p99). `celeriac top` watches in tmux and
              must show both outages and follow the workers to a live node.
  throughput  6 Swift workers draining N tasks from a quorum queue on the 3-node cluster,
              then on a single node: tasks/s side by side.

Exit status 0 only when no task was lost and the dashboard followed every fault.
"""
import argparse
import base64
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
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


def say(text):
    print(f"scale-out: {text}", flush=True)


def node_address(n):
    return f"10.78.0.{10 + n}"


def broker_list(nodes, first=1):
    """The failover list, starting at node `first`: where a worker connects first."""
    order = [((first - 1 + i) % nodes) + 1 for i in range(nodes)]
    return ";".join(f"amqp://guest:guest@{node_address(n)}:5672//" for n in order)


def management_list(nodes):
    return ";".join(f"http://guest:guest@{node_address(n)}:15672" for n in range(1, nodes + 1))


def cluster(*args, nodes=3, check=True):
    env = dict(os.environ, CELERIAC_CLUSTER_NODES=str(nodes))
    if NET_TICKTIME:
        env["CELERIAC_CLUSTER_NET_TICKTIME"] = str(NET_TICKTIME)
    return subprocess.run(["bash", CLUSTER, *map(str, args)], env=env, check=check, cwd=ROOT)


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


class Worker:
    """A worker process on a host of its own."""

    def __init__(self, name, namespace, command, log, env):
        self.name, self.namespace, self.log = name, namespace, log
        self._offset, self._found, self._received, self._lost = 0, [], [], []
        self.process = subprocess.Popen(["bash", CLUSTER, "exec", namespace, *command], env=env, cwd=ROOT,
                                        stdout=open(log + ".out", "w"), stderr=subprocess.STDOUT)

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
                self._lost.append(datetime.strptime(lost.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp())
            match = TASK_LINE.match(line)
            if match:
                moment = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S,%f").timestamp()
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
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


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
    return Worker(name, namespace, command, log, env)


def write_config(path, brokers, backend, heartbeat):
    with open(path, "w") as config:
        config.write(f'broker_url = "{brokers}"\n')
        if backend:
            config.write(f'result_backend = "{backend}"\n')
        config.write('task_create_missing_queue_type = "quorum"\n'
                     'task_create_missing_queue_exchange_type = "topic"\n'
                     "task_acks_late = true\n"
                     f"broker_heartbeat = {heartbeat}\n"
                     "broker_connection_timeout = 4\n")
    return path


def publish(tasks, nodes, backend, task, args):
    """Sends `tasks` messages from the root namespace, confirmed; returns their ids."""
    os.environ["CELERIAC_SCALE_BROKER"] = broker_list(nodes)
    os.environ["CELERIAC_SCALE_BACKEND"] = backend or ""
    sys.path.insert(0, HERE)
    from scaleapp import app  # configured from the environment just set

    app.conf.broker_transport_options = {"confirm_publish": True}
    ids = [str(uuid.uuid4()) for _ in range(tasks)]
    started = time.monotonic()
    with app.producer_or_acquire() as producer:
        for task_id in ids:
            app.send_task(task, args, task_id=task_id, queue=QUEUE, producer=producer)
    elapsed = time.monotonic() - started
    say(f"published {tasks} {task} tasks in {elapsed:.1f} s ({tasks / elapsed:.0f}/s, publisher confirms)")
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
    """Nearest rank: with few samples p99 is the worst, as it should be."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))]


def resume_moment(receipts, losses, fault, window=30.0):
    """When a worker took tasks again after `fault`: its first receipt after it logged the
    connection lost (within `window` seconds: two heartbeat intervals and more), when it
    did — a receipt before that may be a message already on its way before the fault —
    else its first receipt after the fault (its connection was on another node)."""
    lost = next((m for m in sorted(losses) if fault < m <= fault + window), fault)
    after = sorted(m for m, _ in receipts if m > lost)
    return after[0] if after else None


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
    """`celeriac top` in a real terminal (tmux), its header read back every half second."""

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


def faults(args):
    nodes = 3
    run_dir = args.run_dir
    say(f"run directory {run_dir}")
    cluster("start", nodes=nodes)
    client = start_redis(run_dir, args.redis_port)
    backend = f"redis://{BRIDGE}:{args.redis_port}/0"
    dashboard = None
    workers = []
    failed = []
    try:
        brokers = broker_list(nodes)
        config = write_config(os.path.join(run_dir, "celeriac.toml"), brokers, backend, args.heartbeat)
        ids = publish(args.tasks, nodes, backend, "demo.sleep", (args.task_seconds,))
        dashboard = Dashboard(run_dir, config, nodes)
        workers = [
            swift_worker("swift1", "celeriac-w1", run_dir, config, args.concurrency),
            swift_worker("swift2", "celeriac-w2", run_dir, config, args.concurrency),
            python_worker("python1", "celeriac-w3", run_dir, brokers, backend, args.python_concurrency),
        ]
        started = time.time()

        def done():
            return sum(len(w.successes()) for w in workers)

        def resumed_or_done(moment):
            """Every worker ran a task after `moment`, or none are left to run."""
            return done() >= args.tasks or all(any(m > moment for m, _ in w.receipts()) for w in workers)

        def watch_until(what, condition, timeout):
            def step():
                dashboard.capture()
                return condition()
            return wait_until(what, step, timeout, poll=0.2)

        watch_until("every worker's first task", lambda: all(w.successes() for w in workers), 120)
        hosts = {namespace_address(w.namespace) for w in workers}
        dashboard.save("before")

        fault_moments = []
        netem = netem_available()
        # 1: kill -9 the node the workers are on.
        watch_until(f"{args.tasks // 5} tasks done", lambda: done() >= args.tasks // 5, 600)
        first = serving_node(nodes, hosts)
        say(f"killing node {first} ({node_address(first)}), which the workers are connected to")
        killed_at = time.time()
        cluster("kill", first)
        fault_moments.append(("kill -9", first, killed_at))
        watch_until("every worker running tasks again",
                    lambda: resumed_or_done(killed_at), 180)
        dashboard.save("after-kill")
        say(f"restarting node {first}")
        cluster("restart", first)

        # 2: cut the node they moved to off the network for the partition's length.
        watch_until(f"{args.tasks // 2} tasks done", lambda: done() >= args.tasks // 2, 900)
        second = serving_node(nodes, hosts)
        say(f"cutting node {second} ({node_address(second)}) off the network for {args.partition} s")
        cut_at = time.time()
        cluster("down", second)
        fault_moments.append((f"partition {args.partition} s", second, cut_at))
        outage_saved = False
        while time.time() < cut_at + args.partition:
            state = dashboard.capture()
            if not outage_saved and "connected to" not in state:
                dashboard.save("during-partition")
                outage_saved = True
            time.sleep(0.2)  # the partition's length is the scenario itself
        cluster("up", second)
        say(f"node {second} back on the network")
        watch_until("every worker running tasks after the partition",
                    lambda: resumed_or_done(cut_at), 300)

        # 3: a slow, lossy link to the node they are on now, where the kernel has netem.
        if netem and done() < args.tasks:
            third = serving_node(nodes, hosts)
            say(f"slowing node {third}'s link for {args.partition} s: delay 200 ms, loss 5%")
            slowed_at = time.time()
            cluster("slow", third, "200ms", "5%")
            fault_moments.append(("delay 200 ms, loss 5%", third, slowed_at))
            while time.time() < slowed_at + args.partition:
                dashboard.capture()
                time.sleep(0.2)  # the fault's length is the scenario itself
            cluster("fast", third)
        elif not netem:
            say(f"tc netem is not in this kernel ({os.uname().release}): no delay or loss fault")

        def all_results():
            return client.exists(*(f"celery-task-meta-{i}" for i in ids[-1000:])) == min(1000, len(ids)) and \
                done() >= args.tasks
        watch_until(f"all {args.tasks} results", all_results, args.timeout)
        for _ in range(4):  # the dashboard's last polls: where it ended up
            dashboard.capture()
            time.sleep(0.5)
        dashboard.save("after")
        finished = time.time()
        if args.screenshots:
            if outage_saved:
                dashboard.render("during-partition", os.path.join(args.screenshots, "cluster-partition.png"),
                                 f"celeriac top: node {second} cut off, the workers moving on")
            dashboard.render("after", os.path.join(args.screenshots, "cluster-recovered.png"),
                             "celeriac top: back on node 1 after a node kill and a 30 s partition")
    finally:
        # A worker that ended by itself (before being told to stop) is part of the story.
        exits = {w.name: w.process.returncode for w in workers if w.process.poll() is not None}
        for worker in workers:
            worker.stop()
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

    resumes = {}  # by kind of worker: Swift's and Python's are told apart
    say("")
    say(f"{args.tasks} tasks of demo.sleep({args.task_seconds}), acks_late, quorum queue, 3 nodes "
        f"(net_ticktime {NET_TICKTIME or 60} s), {len(workers)} workers, broker_heartbeat {args.heartbeat} s, "
        f"{finished - started:.0f} s")
    for label, node, moment in fault_moments:
        line = []
        for worker in workers:
            resumed = resume_moment(worker.receipts(), worker.losses(), moment)
            if resumed is None:
                line.append(f"{worker.name} " + ("(exited)" if worker.name in exits else "(no task left for it)"))
                continue
            kind = "Celeriac" if worker.name.startswith("swift") else "Celery"
            resumes.setdefault(kind, []).append(resumed - moment)
            line.append(f"{worker.name} {resumed - moment:.1f} s")
        say(f"  {label} of node {node}: resumed after " + ", ".join(line))
    for kind, samples in resumes.items():
        say(f"  time to resume, {kind} workers: p50 {percentile(samples, 0.5):.1f} s, "
            f"p99 {percentile(samples, 0.99):.1f} s ({len(samples)} samples: each worker after each fault)")
    say(f"  results in Redis: {len(ids) - len(missing)} of {len(ids)}; wrong values: {len(wrong)}")
    say(f"  runs: {sum(runs.values())} for {len(runs)} task ids; never ran: {len(never_ran)}; "
        f"ran more than once: {len(duplicates)} ({sum(duplicates.values()) - len(duplicates)} extra runs)")
    say("  by worker: " + ", ".join(f"{name} {count}" for name, count in per_worker.items()))
    if not netem:
        say(f"  tc netem is not in this kernel ({os.uname().release}): no delay or loss fault was injected")
    for name, status in exits.items():
        say(f"  {name} exited by itself (status {status}) before the run ended; see its log")
    say("  dashboard (celeriac top in tmux), header over time:")
    for moment, state in dashboard.transitions():
        say(f"    {moment - started:6.1f} s  {state}")
    if missing:
        failed.append(f"{len(missing)} results missing, e.g. {missing[:3]}")
    if wrong:
        failed.append(f"{len(wrong)} wrong results, e.g. {wrong[:3]}")
    if never_ran:
        failed.append(f"{len(never_ran)} tasks never ran by the logs, e.g. {never_ran[:3]}")
    for label, node, moment in fault_moments:
        before = [s for m, s in dashboard.transitions() if m <= moment]
        after = [s for m, s in dashboard.transitions() if m > moment]
        if not before or node_address(node) not in before[-1]:
            continue  # the dashboard was on another node: nothing for it to show
        # It was on the faulted node: it must show the outage, then a connection elsewhere.
        if not any("connected to" not in s for s in after):
            failed.append(f"the dashboard never showed the outage after the {label} of node {node}")
        if not any(s.startswith("connected to") and node_address(node) not in s for s in after):
            failed.append(f"the dashboard never showed a connection to another node after the {label} of node {node}")
    final = dashboard.transitions()[-1][1] if dashboard.transitions() else ""
    if not final.startswith("connected"):
        failed.append(f"the dashboard ended on '{final}', not connected")
    return failed


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
    say(f"{args.tasks} demo.noop tasks, acks_late, quorum queue, {args.workers} Celeriac workers "
        f"(threads, -c {args.concurrency}), each on a host of its own")
    say(f"  {'broker':<16} {'tasks/s':>8}")
    for label, _, rate in rows:
        say(f"  {label:<16} {rate:>8.0f}")
    single = rows[-1][2]
    say(f"  the cluster runs at {rows[0][2] / single:.0%} of a single node's rate")
    return []


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", choices=["faults", "throughput"])
    parser.add_argument("--tasks", type=int, default=20_000)
    parser.add_argument("--task-seconds", type=float, default=0.1, help="faults: each task's sleep")
    parser.add_argument("--concurrency", type=int, default=10, help="each Swift worker's pool")
    parser.add_argument("--python-concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=6, help="throughput: Swift workers")
    parser.add_argument("--partition", type=float, default=30.0, help="faults: seconds a node is cut off")
    parser.add_argument("--heartbeat", type=int, default=5, help="broker_heartbeat of every worker and top")
    parser.add_argument("--timeout", type=float, default=1200.0, help="seconds for all tasks to finish")
    parser.add_argument("--redis-port", type=int, default=36379)
    parser.add_argument("--screenshots", help="faults: render the dashboard during the partition and after to PNGs here")
    parser.add_argument("--run-dir", default=os.path.join(ROOT, ".test-peers", "scale-out",
                                                          datetime.now().strftime("%Y%m%d-%H%M%S")))
    parser.add_argument("--net-ticktime", type=int, help="the nodes' net_ticktime (default RabbitMQ's 60 s)")
    args = parser.parse_args()
    global NET_TICKTIME
    NET_TICKTIME = args.net_ticktime
    os.makedirs(args.run_dir, exist_ok=True)
    try:
        failed = faults(args) if args.scenario == "faults" else throughput(args)
    finally:
        if args.scenario == "faults":
            stop_redis(args.run_dir)
            cluster("stop", check=False)
    for problem in failed:
        say(f"FAILED: {problem}")
    say(f"logs and dashboard frames in {args.run_dir}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
