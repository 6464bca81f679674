import Celeriac
import Foundation
import Logging
import NIOConcurrencyHelpers

/// The prefork pool: tasks run in child processes of the worker's own executable, one task
/// per child at a time, handed over and answered through pipes (see `PreforkChild`). A child
/// that dies is reported and replaced; children are recycled after `maxTasksPerChild` tasks
/// or past `maxMemoryPerChildKiB`; the hard time limit kills the child, the soft one sends it
/// SIGUSR1 so the task sees its limit first — Celery's prefork pool (billiard) on the outside.
final class PreforkPool: ExecutionPool {
    struct Settings: Sendable {
        /// The command that starts a child: this executable in its child mode.
        var arguments: [String]
        var maxTasksPerChild: Int?
        var maxMemoryPerChildKiB: Int?
    }

    /// What a child sends about the task it runs, in order.
    enum ChildEvent: Sendable {
        case progress(ChildProgress)
        case outcome(ChildOutcome)
        /// The child exited mid-task; `stop` is what the pool did to it, if anything.
        case exited(status: Int32, stop: Stop?)
    }

    /// Why the pool itself stopped a child mid-task.
    enum Stop: Sendable {
        case terminated(Int32)
        case hardLimit(Double)
    }

    private struct RunningJob {
        var taskID: String
        var events: AsyncStream<ChildEvent>.Continuation
        var stop: Stop?
    }

    private struct Child {
        var process: SpawnedChild
        var index: Int
        var ready = false
        var tasksRun = 0
        var job: RunningJob?
        /// Its input is closed: it exits after the task it has.
        var retiring = false
    }

    private struct Waiter {
        var job: RunningJob
        var continuation: CheckedContinuation<SpawnedChild?, Never>
    }

    private struct State {
        var target: Int
        var children: [pid_t: Child] = [:]
        var idle: [pid_t] = []
        var waiters: [Waiter] = []
        var nextIndex = 1
        var closing = false
        /// Children that exited before they were ready, in a row: spawning backs off.
        var failedStarts = 0
        var started: CheckedContinuation<Void, any Error>?
        var closed: CheckedContinuation<Void, Never>?

        var working: Int { children.values.count { !$0.retiring } }
    }

    let kind = PoolKind.prefork
    let settings: Settings
    let logger: Logger
    private let state: NIOLockedValueBox<State>

    init(concurrency: Int, settings: Settings, logger: Logger) {
        self.settings = settings
        self.logger = logger
        state = NIOLockedValueBox(State(target: max(1, concurrency)))
        Glibc.signal(SIGPIPE, SIG_IGN)  // a child that died mid-write is an exit to report, not our end
    }

    /// Starts the children and waits until every one is ready; throws when one cannot start.
    func start() async throws {
        try await withCheckedThrowingContinuation { continuation in
            let count = state.withLockedValue { state in
                state.started = continuation
                return state.target
            }
            for _ in 0..<count { spawn() }
        }
    }

    var processIDs: [Int] {
        state.withLockedValue { state in
            state.children.filter { !$0.value.retiring }.keys.sorted().map(Int.init)
        }
    }

    func run(_ job: PoolJob) async -> PoolRunResult {
        let (events, continuation) = AsyncStream<ChildEvent>.makeStream()
        let running = RunningJob(taskID: job.message.id, events: continuation)
        guard let child = await take(running) else {
            return .workerLost(PoolErrors.workerLost("the pool closed before the task started"))
        }
        job.started(Int(child.pid))
        child.send(ChildJob(message: job.message, delivery: job.delivery).frame)
        let watchdog = watch(child, taskID: job.message.id, limits: job.limits, label: "\(job.task.name)[\(job.message.id)]")
        defer { watchdog?.cancel() }
        for await event in events {
            switch event {
            case .progress(let progress):
                try? await job.reporter.report(taskID: progress.taskID, state: progress.state, meta: progress.meta)
            case .outcome(let outcome):
                return .finished(outcome.outcome)
            case .exited(_, .terminated(let signal)?):
                return .terminated(signal: signal)
            case .exited(_, .hardLimit(let limit)?):
                return .finished(.failure(PoolErrors.timeLimitExceeded(limit)))
            case .exited(let status, nil):
                return .workerLost(PoolErrors.workerLost("Worker exited prematurely: \(PoolErrors.exitDescription(status))."))
            }
        }
        return .workerLost(PoolErrors.workerLost("the pool child stopped answering"))
    }

    func terminate(_ taskID: String, signal: Int32) -> String? {
        let pid = state.withLockedValue { state in
            state.children.first { $0.value.job?.taskID == taskID }?.key
        }
        guard let pid, self.signal(pid, running: taskID, signal, stop: .terminated(signal)) else { return nil }
        return "\(PoolErrors.signalName(signal)) sent to pool process \(pid)"
    }

    /// Signals the child only while it still runs `taskID` (it may have finished and taken
    /// another task since), recording why; false when it no longer runs it.
    @discardableResult
    private func signal(_ pid: pid_t, running taskID: String, _ number: Int32, stop: Stop?) -> Bool {
        state.withLockedValue { state in
            guard state.children[pid]?.job?.taskID == taskID else { return false }
            if let stop { state.children[pid]?.job?.stop = stop }
            state.children[pid]?.process.signal(number)
            return true
        }
    }

    func resize(to count: Int) {
        let (spawnCount, retired) = state.withLockedValue { state -> (Int, [SpawnedChild]) in
            state.target = max(1, count)
            var retired: [SpawnedChild] = []
            while state.working > state.target, let pid = state.idle.popLast() {
                state.children[pid]?.retiring = true
                if let process = state.children[pid]?.process { retired.append(process) }
            }
            // Busy children over the target retire after their task (see `finished`).
            return (max(0, state.target - state.working), retired)
        }
        retired.forEach { $0.closeInput() }
        for _ in 0..<spawnCount { spawn() }
    }

    func close(cold: Bool) async {
        await withCheckedContinuation { continuation in
            let (children, waiters) = state.withLockedValue { state in
                state.closing = true
                state.closed = continuation
                defer { state.waiters = [] }
                return (state.children.values.map(\.process), state.waiters)
            }
            waiters.forEach { $0.continuation.resume(returning: nil) }
            if children.isEmpty {
                continuation.resume()
                state.withLockedValue { $0.closed = nil }
                return
            }
            for child in children {
                if cold { child.signal(SIGKILL) } else { child.closeInput() }
            }
        }
    }

    // MARK: Children

    /// An idle child for `job`, the job recorded on it; nil when the pool is closing.
    private func take(_ job: RunningJob) async -> SpawnedChild? {
        await withCheckedContinuation { continuation in
            let child = state.withLockedValue { state -> SpawnedChild?? in
                if state.closing { return .some(nil) }
                guard let pid = state.idle.popLast() else {
                    state.waiters.append(Waiter(job: job, continuation: continuation))
                    return nil
                }
                state.children[pid]?.job = job
                return state.children[pid]?.process
            }
            if let child { continuation.resume(returning: child) }
        }
    }

    /// The child is free: the next waiting job gets it, or it joins the idle list.
    private func release(_ pid: pid_t, in state: inout State) -> (Waiter, SpawnedChild)? {
        guard let process = state.children[pid]?.process else { return nil }
        if !state.waiters.isEmpty {
            let waiter = state.waiters.removeFirst()
            state.children[pid]?.job = waiter.job
            return (waiter, process)
        }
        state.idle.append(pid)
        return nil
    }

    private func spawn() {
        let index = state.withLockedValue { state in
            defer { state.nextIndex += 1 }
            return state.nextIndex
        }
        let process: SpawnedChild
        do {
            process = try SpawnedChild.spawn(arguments: settings.arguments,
                                             environment: [PreforkChild.indexVariable: String(index)])
        } catch {
            logger.error("\(error)")
            failStart(error)
            respawnLater()
            return
        }
        let pid = process.pid
        state.withLockedValue { $0.children[pid] = Child(process: process, index: index) }
        process.startReading(onFrame: { [weak self] in self?.received($0, from: pid) },
                             onExit: { [weak self] in self?.exited(pid, status: $0) })
    }

    private func received(_ frame: PoolFrame, from pid: pid_t) {
        do {
            switch frame.kind {
            case .ready: childReady(pid)
            case .progress:
                let progress = try ChildProgress(frame: frame)
                state.withLockedValue { $0.children[pid]?.job }?.events.yield(.progress(progress))
            case .outcome: finished(try ChildOutcome(frame: frame), in: pid)
            case .run: throw ChildProtocolError("a child sent a run frame")
            }
        } catch {
            logger.error("pool process \(pid) sent a frame that does not parse (\(error)): it is replaced")
            state.withLockedValue { $0.children[pid]?.process }?.signal(SIGKILL)
        }
    }

    private func childReady(_ pid: pid_t) {
        let (handed, started, retire) = state.withLockedValue { state -> ((Waiter, SpawnedChild)?, CheckedContinuation<Void, any Error>?, SpawnedChild?) in
            state.children[pid]?.ready = true
            state.failedStarts = 0
            var started: CheckedContinuation<Void, any Error>?
            if state.started != nil, !state.children.values.contains(where: { !$0.ready }) {
                started = state.started
                state.started = nil
            }
            if state.closing { return (nil, started, state.children[pid]?.process) }
            return (release(pid, in: &state), started, nil)
        }
        started?.resume()
        retire?.closeInput()
        if let (waiter, child) = handed { waiter.continuation.resume(returning: child) }
    }

    private func finished(_ outcome: ChildOutcome, in pid: pid_t) {
        let (job, handed, retire) = state.withLockedValue { state -> (RunningJob?, (Waiter, SpawnedChild)?, SpawnedChild?) in
            guard var child = state.children[pid] else { return (nil, nil, nil) }
            let job = child.job
            child.job = nil
            child.tasksRun += 1
            let recycle = recycleReason(child, residentKiB: outcome.residentKiB)
            if let recycle {
                logger.info("pool process \(pid) (ForkPoolWorker-\(child.index)) is replaced: \(recycle)")
            }
            if recycle != nil || child.retiring || state.closing || state.working > state.target {
                child.retiring = true
                state.children[pid] = child
                return (job, nil, child.process)
            }
            state.children[pid] = child
            return (job, release(pid, in: &state), nil)
        }
        job?.events.yield(.outcome(outcome))
        job?.events.finish()
        retire?.closeInput()
        if let (waiter, child) = handed { waiter.continuation.resume(returning: child) }
    }

    private func recycleReason(_ child: Child, residentKiB: Int) -> String? {
        if let limit = settings.maxTasksPerChild, child.tasksRun >= limit {
            return "it ran \(child.tasksRun) tasks (--max-tasks-per-child \(limit))"
        }
        if let limit = settings.maxMemoryPerChildKiB, residentKiB > limit {
            return "it holds \(residentKiB) KiB (--max-memory-per-child \(limit))"
        }
        return nil
    }

    private func exited(_ pid: pid_t, status: Int32) {
        let (child, replace, closed, startFailure, closing) = state.withLockedValue { state -> (Child?, Bool, CheckedContinuation<Void, Never>?, Bool, Bool) in
            let child = state.children.removeValue(forKey: pid)
            state.idle.removeAll { $0 == pid }
            var closed: CheckedContinuation<Void, Never>?
            if state.closing, state.children.isEmpty {
                closed = state.closed
                state.closed = nil
            }
            let startFailure = child.map { !$0.ready } ?? false
            if startFailure { state.failedStarts += 1 }
            return (child, !state.closing && state.working < state.target, closed, startFailure, state.closing)
        }
        guard let child else { return }
        let name = "ForkPoolWorker-\(child.index)"
        if let job = child.job {
            let line = "Process '\(name)' pid:\(pid) exited with '\(PoolErrors.exitDescription(status))' while running task \(job.taskID)"
            if job.stop == nil { logger.error("\(line)") } else { logger.info("\(line)") }
            job.events.yield(.exited(status: status, stop: job.stop))
            job.events.finish()
        } else if startFailure {
            let reason = "pool process \(name) exited with '\(PoolErrors.exitDescription(status))' before it was ready"
            logger.error("\(reason)")
            failStart(SpawnError(description: reason + "; see its log lines above"))
        } else if !child.retiring && !closing {
            logger.warning("Process '\(name)' pid:\(pid) exited with '\(PoolErrors.exitDescription(status))'")
        }
        closed?.resume()
        if replace {
            if startFailure { respawnLater() } else { spawn() }
        }
    }

    /// While `start()` waits, a child that cannot start fails the worker's start.
    private func failStart(_ error: any Error) {
        let started = state.withLockedValue { state in
            defer { state.started = nil }
            return state.started
        }
        if let started {
            state.withLockedValue { $0.closing = true }
            started.resume(throwing: error)
        }
    }

    /// Replaces a child that failed to start, after a pause that doubles with each failure.
    private func respawnLater() {
        let failures = state.withLockedValue { $0.closing ? -1 : $0.failedStarts }
        guard failures >= 0 else { return }
        Task { [weak self] in
            try? await Task.sleep(for: .seconds(min(10, 0.1 * pow(2, Double(failures)))))  // the back-off itself
            self?.spawn()
        }
    }

    /// Sends the soft limit's SIGUSR1 and, at the hard limit, kills the child.
    private func watch(_ child: SpawnedChild, taskID: String, limits: RunLimits, label: String) -> Task<Void, Never>? {
        LimitWatchdog.start(limits, label: label, logger: logger,
                            onSoft: { [weak self] in self?.signal(child.pid, running: taskID, SIGUSR1, stop: nil) },
                            onHard: { [weak self] hard in
                                self?.signal(child.pid, running: taskID, SIGKILL, stop: .hardLimit(hard))
                            })
    }
}
