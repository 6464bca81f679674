import ArgumentParser
import Celeriac
import CeleriacWorker
import Foundation
import Logging

/// `celeriac worker`: consume task queues and run the tasks of an app, as `celery worker`.
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run tasks from the queues, as a Celery worker.",
        discussion: """
            Consumes the given queues (default: the app's default queue, celery), runs each \
            task of the app named by -A in the pool, stores results in the result backend and, \
            with -E, sends Celery's task and worker events. SIGINT or SIGTERM stops consuming, \
            lets the running tasks finish, and exits 0 (warm shutdown).
            """
    )

    @OptionGroup var app: AppOptions

    @Option(name: [.customShort("A"), .customLong("app")], help: "The app whose tasks to run (built in: demo).")
    var appName: String

    @Option(name: [.customShort("n"), .long], help: "Node name; %h, %n and %d expand as in Celery.")
    var hostname = NodeName.defaultTemplate

    @Option(name: [.customShort("Q"), .long], help: "Queues to consume, comma-separated (default: celery).")
    var queues: String?

    @Option(name: [.customShort("X"), .customLong("exclude-queues")], help: "Queues not to consume, comma-separated.")
    var excludeQueues: String?

    @Flag(name: [.customShort("E"), .customLong("task-events"), .customLong("events")], help: "Send task and worker events.")
    var events = false

    @Option(name: [.customShort("c"), .long], help: "Tasks run at once (default: the number of cores).")
    var concurrency: Int?

    @Option(name: [.customShort("P"), .long], help: "Pool: prefork (child processes), threads, async or solo (Celery's gevent and eventlet run the async pool).")
    var pool = "prefork"

    @Option(name: .customLong("autoscale"), help: "MAX,MIN: grow the pool to MAX under load, shrink to MIN when idle.")
    var autoscale: String?

    @Option(name: .customLong("max-tasks-per-child"), help: "Prefork: replace a child after this many tasks.")
    var maxTasksPerChild: Int?

    @Option(name: .customLong("max-memory-per-child"), help: "Prefork: replace a child whose resident memory passes this many KiB after a task.")
    var maxMemoryPerChild: Int?

    @Option(name: .customLong("time-limit"), help: "Hard time limit in seconds for every task (task_time_limit).")
    var timeLimit: Double?

    @Option(name: .customLong("soft-time-limit"), help: "Soft time limit in seconds for every task (task_soft_time_limit).")
    var softTimeLimit: Double?

    @Flag(name: .customLong("without-heartbeat"), help: "Send no worker-heartbeat events.")
    var withoutHeartbeat = false

    @Flag(name: .customLong("without-gossip"), help: "Accepted for Celery's command lines; celeriac workers do not gossip.")
    var withoutGossip = false

    @Flag(name: .customLong("without-mingle"), help: "Accepted for Celery's command lines; celeriac workers do not mingle at start.")
    var withoutMingle = false

    @Flag(name: .customLong("pool-child"), help: .hidden)
    var poolChild = false

    @Option(name: .customLong("prefetch-multiplier"), help: "Messages held per pool slot (default: worker_prefetch_multiplier, 4).")
    var prefetchMultiplier: Int?

    @Option(name: .customLong("queue-type"), help: "classic or quorum: the type of the queues it declares (default: task_default_queue_type, classic).")
    var queueType: QueueType?

    @Option(name: [.customShort("l"), .customLong("loglevel")], help: "Log level: debug, info, warning, error, critical.")
    var logLevel = "info"

    @Option(name: [.customShort("S"), .customLong("statedb")], help: "File that keeps revoked ids across restarts (%n expands).")
    var stateDB: String?

    @Option(name: .customLong("pidfile"), help: "File to write the process id to while running (%n expands).")
    var pidFile: String?

    @Option(name: [.customShort("f"), .customLong("logfile")], help: "Log to this file (reopened on SIGHUP; %n expands).")
    var logFile: String?

    func validate() throws {
        if let concurrency, concurrency < 1 { throw ValidationError("-c takes a count of 1 or more") }
        if let prefetchMultiplier, prefetchMultiplier < 1 {
            throw ValidationError("--prefetch-multiplier takes 1 or more")
        }
        if let maxTasksPerChild, maxTasksPerChild < 1 { throw ValidationError("--max-tasks-per-child takes 1 or more") }
        if let maxMemoryPerChild, maxMemoryPerChild < 1 { throw ValidationError("--max-memory-per-child takes KiB, 1 or more") }
        for (flag, value) in [("--time-limit", timeLimit), ("--soft-time-limit", softTimeLimit)] {
            if let value, !(value > 0) { throw ValidationError("\(flag) takes seconds, more than 0") }
        }
        _ = try poolKind()
        _ = try autoscaleRange()
        try WorkerLogSink.validateLevel(logLevel)
    }

    /// `--autoscale MAX,MIN` as Celery reads it (MIN may be left out: 0).
    func autoscaleRange() throws -> (max: Int, min: Int)? {
        guard let autoscale else { return nil }
        let parts = autoscale.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), let max = parts[0], max >= 1, parts.count == 1 || parts[1] != nil else {
            throw ValidationError("--autoscale \(autoscale): use MAX,MIN, e.g. --autoscale 10,3")
        }
        let min = parts.count == 2 ? parts[1]! : 0
        guard min >= 0, min <= max else { throw ValidationError("--autoscale \(autoscale): MIN must be 0 to MAX") }
        return (max, min)
    }

    /// Celery's pool names; gevent and eventlet are its coroutine pools, our async one.
    func poolKind() throws -> PoolKind {
        switch pool.lowercased() {
        case "async", "gevent", "eventlet": return .async
        case "solo": return .solo
        case "threads": return .threads
        case "prefork", "processes": return .prefork
        default: throw ValidationError("-P \(pool): use prefork, threads, async or solo")
        }
    }

    func run() async throws {
        let sink = try WorkerLogSink.bootstrap(
            path: logFile.map { NodeName.expandFile($0, node: NodeName.expand(hostname)) }, level: logLevel,
            processName: poolChild ? PreforkChild.processName ?? "PoolWorker" : "MainProcess")
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { try? sink.reopen() }  // logrotate moved the file
        hangup.resume()
        defer { hangup.cancel() }
        var configuration = try app.configuration()
        if let queueType { try configuration.declareQueues(as: queueType) }
        if let timeLimit { configuration.taskDefaults.timeLimit = timeLimit }
        if let softTimeLimit { configuration.taskDefaults.softTimeLimit = softTimeLimit }
        let celeriac = App(configuration)
        do {
            try AppCatalog.install(appName, on: celeriac)
        } catch {
            throw ValidationError("\(error)")
        }
        if poolChild {
            let status = await PreforkChild.run(app: celeriac, hostname: NodeName.expand(hostname),
                                                logger: Logger(label: "celeriac.worker"))
            throw ExitCode(status)
        }
        var options = WorkerOptions()
        options.nodeName = hostname
        options.queues = Self.list(queues)
        options.excludedQueues = Self.list(excludeQueues)
        options.sendEvents = events
        options.pool = try poolKind()
        if let concurrency { options.concurrency = concurrency }
        options.prefetchMultiplier = prefetchMultiplier
        options.stateDB = stateDB
        options.pidFile = pidFile
        options.autoscale = try autoscaleRange()
        options.maxTasksPerChild = maxTasksPerChild
        options.maxMemoryPerChildKiB = maxMemoryPerChild
        if withoutHeartbeat { options.heartbeatInterval = nil }
        if ["gevent", "eventlet"].contains(pool.lowercased()) {
            FileHandle.standardError.write(Data("celeriac worker: -P \(pool) runs the async pool (Swift concurrency)\n".utf8))
        }
        let worker = Worker(app: celeriac, options: options)
        let signals = ShutdownSignals(worker: worker)
        defer { signals.cancel() }
        do {
            try await worker.run()
        } catch {
            await celeriac.close()
            throw error  // the broker or a queue: exits 1 with the reason
        }
        await celeriac.close()
    }

    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

extension Logger.Level {
    /// Celery's level names (and swift-log's), any case.
    init?(celeryName: String) {
        switch celeryName.lowercased() {
        case "debug": self = .debug
        case "info": self = .info
        case "warning", "warn": self = .warning
        case "error": self = .error
        case "critical", "fatal": self = .critical
        default: return nil
        }
    }
}
