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

    @Option(name: [.customShort("P"), .long], help: "Pool: async, threads or solo (Celery's gevent and eventlet run the async pool).")
    var pool = "async"

    @Option(name: .customLong("prefetch-multiplier"), help: "Messages held per pool slot (default: worker_prefetch_multiplier, 4).")
    var prefetchMultiplier: Int?

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
        _ = try poolKind()
        guard Logger.Level(celeryName: logLevel) != nil else {
            throw ValidationError("-l \(logLevel): use debug, info, warning, error or critical")
        }
    }

    /// Celery's pool names; gevent and eventlet are its coroutine pools, our async one.
    func poolKind() throws -> PoolKind {
        switch pool.lowercased() {
        case "async", "gevent", "eventlet": return .async
        case "solo": return .solo
        case "threads": return .threads
        case "prefork", "processes":
            throw ValidationError("-P \(pool) is not available yet; use -P threads (OS threads), async (Swift concurrency) or solo")
        default: throw ValidationError("-P \(pool): use threads, async or solo")
        }
    }

    func run() async throws {
        let level = Logger.Level(celeryName: logLevel) ?? .info
        let sink: WorkerLogSink
        do {
            sink = try WorkerLogSink(path: logFile.map { NodeName.expandFile($0, node: NodeName.expand(hostname)) })
        } catch {
            throw ValidationError("\(error)")
        }
        LoggingSystem.bootstrap { _ in WorkerLogHandler(sink: sink, logLevel: level) }
        signal(SIGHUP, SIG_IGN)
        let hangup = DispatchSource.makeSignalSource(signal: SIGHUP)
        hangup.setEventHandler { try? sink.reopen() }  // logrotate moved the file
        hangup.resume()
        defer { hangup.cancel() }
        let celeriac = App(try app.configuration())
        do {
            try AppCatalog.install(appName, on: celeriac)
        } catch {
            throw ValidationError("\(error)")
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
        if ["gevent", "eventlet"].contains(pool.lowercased()) {
            FileHandle.standardError.write(Data("celeriac worker: -P \(pool) runs the async pool (Swift concurrency)\n".utf8))
        }
        let worker = Worker(app: celeriac, options: options)
        let signals = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { worker.stop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
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
