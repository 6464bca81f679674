import Celeriac
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The other side of the prefork pool: what a pool child does. The worker starts its own
/// executable again with `flag` appended (and `indexVariable` set); that process builds the
/// same app and calls `run`, which takes tasks from standard input and answers on standard
/// output until the worker closes the pipe.
public enum PreforkChild {
    /// The hidden argument that makes a worker command a pool child.
    public static let flag = "--pool-child"
    /// The child's number (ForkPoolWorker-N), in its environment.
    public static let indexVariable = "CELERIAC_POOL_CHILD_INDEX"

    /// This process's pool index when it is a pool child.
    public static var index: Int? {
        ProcessInfo.processInfo.environment[indexVariable].flatMap { Int($0) }
    }

    /// Celery's name for a pool process in log lines.
    public static var processName: String? { index.map { "ForkPoolWorker-\($0)" } }

    /// Runs tasks from the worker until it closes the pipe; returns the exit status. The app's
    /// `worker_process_init` hooks run first, before the child says it is ready, for the
    /// connections and state its tasks need.
    public static func run(app: App, hostname: String, logger: Logger) async -> Int32 {
        let (input, output) = takeOverStandardStreams()
        let writer = FrameWriter(descriptor: output)
        let current = CurrentTask()
        signal(SIGINT, SIG_IGN)  // Ctrl-C reaches the whole process group: the worker decides
        signal(SIGQUIT, SIG_IGN)
        signal(SIGUSR1, SIG_IGN)
        let softLimit = DispatchSource.makeSignalSource(signal: SIGUSR1)
        softLimit.setEventHandler { current.softLimitReached() }
        softLimit.resume()
        defer { softLimit.cancel() }
        do {
            try await app.signals.workerProcessInit()
        } catch {
            logger.error("worker_process_init failed: \(error)")
            return 1
        }
        writer.send(PoolFrame(kind: .ready, payload: JSONValue.object(["pid": .int(Int(getpid()))]).serializedBytes))
        for await frame in frames(from: input, current: current) where frame.kind == .run {
            let outcome = await runTask(frame, app: app, hostname: hostname, logger: logger, writer: writer, current: current)
            writer.send(ChildOutcome(taskID: outcome.id, outcome: outcome.outcome, residentKiB: residentKiB()).frame)
        }
        return 0
    }

    private static func runTask(_ frame: PoolFrame, app: App, hostname: String, logger: Logger, writer: FrameWriter,
                                current: CurrentTask) async -> (id: String, outcome: TaskOutcome) {
        let job: ChildJob
        do {
            job = try ChildJob(frame: frame)
        } catch {
            return ("", .failure(CeleryError(type: "ValueError", message: [.string("the pool child could not read the task: \(error)")],
                                             module: "builtins")))
        }
        let message = job.message
        guard let task = app.tasks.runnable(named: message.taskName) else {
            return (message.id, .failure(CeleryError(type: "NotRegistered", message: [.string(message.taskName)],
                                                     module: "celery.exceptions")))
        }
        let context = TaskContext(message: message, hostname: hostname, deliveryInfo: job.delivery, options: task.options,
                                  reporter: PipeReporter(writer: writer))
        let defaults = app.configuration.taskDefaults
        let body = Task {
            await TaskExecutor.execute(task, context: context, defaults: defaults, signals: app.signals) {
                logger.warning("\($0)")
            }
        }
        current.started(body)
        let outcome = await body.value
        return (message.id, current.ended() ? PoolErrors.afterSoftLimit(outcome) : outcome)
    }

    /// Keeps the pipes for frames only: stdin becomes /dev/null and stdout the log stream, so
    /// a task that reads or prints cannot break the protocol.
    private static func takeOverStandardStreams() -> (input: Int32, output: Int32) {
        let input = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 3)
        let output = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        let null = open("/dev/null", O_RDONLY)
        if null >= 0 {
            dup2(null, STDIN_FILENO)
            close(null)
        }
        dup2(STDERR_FILENO, STDOUT_FILENO)
        return (input, output)
    }

    /// The worker's frames, read on a thread of their own. The pipe ending while a task runs
    /// means the worker is gone: no one could take the outcome, so the child exits at once.
    private static func frames(from descriptor: Int32, current: CurrentTask) -> AsyncStream<PoolFrame> {
        let (frames, continuation) = AsyncStream<PoolFrame>.makeStream()
        let thread = Thread {
            var reader = PoolFrameReader(descriptor: descriptor)
            while let frame = try? reader.next() { continuation.yield(frame) }
            if current.isRunning { exit(0) }
            continuation.finish()
        }
        thread.name = "celeriac-pool-input"
        thread.start()
        return frames
    }

    /// The resident set in KiB (Linux's /proc/self/statm), or the peak where that is missing.
    static func residentKiB() -> Int {
        if let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) {
            let fields = statm.split(separator: " ")
            if fields.count > 1, let pages = Int(fields[1]) { return pages * Int(sysconf(Int32(_SC_PAGESIZE))) / 1024 }
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Int(usage.ru_maxrss)
    }
}

/// Writes whole frames to the worker, one writer at a time (progress can come from the task
/// while nothing else writes, but the lock keeps that true whatever a task does).
final class FrameWriter: Sendable {
    private let descriptor: NIOLockedValueBox<Int32>

    init(descriptor: Int32) {
        self.descriptor = NIOLockedValueBox(descriptor)
    }

    func send(_ frame: PoolFrame) {
        let written = descriptor.withLockedValue { frame.write(to: $0) }
        if !written { exit(0) }  // the worker is gone
    }
}

/// The task a child runs now, for the soft limit's SIGUSR1 to cancel.
final class CurrentTask: Sendable {
    private struct State {
        var body: Task<TaskOutcome, Never>?
        var softLimitReached = false
    }

    private let state = NIOLockedValueBox(State())

    var isRunning: Bool { state.withLockedValue { $0.body != nil } }

    func started(_ body: Task<TaskOutcome, Never>) {
        state.withLockedValue { $0 = State(body: body) }
    }

    /// Clears the task; true when its soft limit was reached while it ran.
    func ended() -> Bool {
        state.withLockedValue { state in
            defer { state = State() }
            return state.softLimitReached
        }
    }

    func softLimitReached() {
        let body = state.withLockedValue { state -> Task<TaskOutcome, Never>? in
            guard state.body != nil else { return nil }
            state.softLimitReached = true
            return state.body
        }
        body?.cancel()
    }
}

/// `updateState` in a child: the state goes to the worker, which stores and announces it.
struct PipeReporter: TaskStateReporter {
    let writer: FrameWriter

    func report(taskID: String, state: TaskState, meta: JSONValue) async throws {
        writer.send(ChildProgress(taskID: taskID, state: state, meta: meta).frame)
    }
}
