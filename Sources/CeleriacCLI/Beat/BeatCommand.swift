import ArgumentParser
import Celeriac
import CeleriacBeat
import Foundation
import Logging

/// `celeriac beat`: runs the beat (the default subcommand), or changes the entries of a
/// database store while it runs.
struct BeatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "beat",
        abstract: "Send periodic tasks on their schedules (interval, crontab, solar); edit a database schedule.",
        discussion: """
            With no subcommand (or run), runs the beat. list, add, edit, enable, disable, \
            remove and run-now change the entries of a database store (--db) while a beat \
            runs on it; it follows within a second or two. See celeriac-beat(1).
            """,
        subcommands: [BeatRunCommand.self, BeatListCommand.self, BeatAddCommand.self, BeatEditCommand.self,
                      BeatEnableCommand.self, BeatDisableCommand.self, BeatRemoveCommand.self, BeatRunNowCommand.self],
        defaultSubcommand: BeatRunCommand.self
    )
}

/// `celeriac beat [run]`: sends periodic tasks on their schedules, as `celery beat` does, from
/// `beat_schedule` in the configuration and the app's code — remembering runs in a schedule
/// file, or keeping entries and runs in a database store that can be edited while it runs.
struct BeatRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the beat: send each entry's task when it falls due.",
        discussion: """
            The entries come from beat_schedule in celeriac.toml (or --config) and the app's \
            code; with --scheduler db, also from the database, where celeriac beat add|edit|… \
            change them while beat runs. Each run is saved as it is sent, so a beat stopped or \
            killed and started again neither forgets nor repeats a run. An entry that missed \
            runs while no beat could send them (stopped, or the broker away) runs once, at \
            once — Celery's behaviour and the default; --catch-up or beat_catch_up in \
            celeriac.toml, or catch_up per entry, changes that to skip or 'replay N'. A \
            broker that goes away does not stop the beat: it says so and tries again. One beat per schedule: a second one on \
            the same store waits as a standby and takes over when the first stops.
            """
    )

    @OptionGroup var app: AppOptions

    @Option(name: [.customShort("A"), .customLong("app")], help: "The app whose tasks the entries name (its executable's AppCatalog).")
    var appName: String?

    @Option(name: [.customShort("s"), .customLong("schedule")], help: "The schedule file, where runs are remembered (--scheduler file).")
    var scheduleFile = "celeriac-beat-schedule.json"

    @Option(help: "Where the schedule lives: file (runs only; entries from the configuration) or db (entries and runs in --db, editable while beat runs).")
    var scheduler: BeatSchedulerKind = .file

    @Option(help: "The SQLite file of the database store (--scheduler db).")
    var db = BeatDatabaseOption.defaultPath

    @Option(name: .customLong("max-interval"), help: "Seconds beat sleeps at most between checks (default: beat_max_loop_interval, 300).")
    var maxInterval: Double?

    @Option(name: [.customShort("l"), .customLong("loglevel")], help: "Log level: debug, info, warning, error, critical.")
    var logLevel = "info"

    @Option(name: .customLong("logfile"), help: "Append log lines to this file instead of standard error.")
    var logFile: String?

    @Option(name: .customLong("pidfile"), help: "File to write the process id to while running.")
    var pidFile: String?

    @Option(help: ArgumentHelp("What entries that set no catch_up do about runs missed while no beat could send them: once (Celery's), skip, or 'replay N' (default: beat_catch_up, once).", valueName: "rule"))
    var catchUp: String?

    @Option(help: "The broker lease's name: one beat sends per name, across hosts (default: the schedule file's name).")
    var lease: String?

    /// The store's file name without its directory and extension.
    var leaseName: String {
        lease ?? ((storePath as NSString).lastPathComponent as NSString).deletingPathExtension
    }

    var storePath: String { scheduler == .db ? db : scheduleFile }

    func validate() throws {
        if let maxInterval, !(maxInterval > 0 && maxInterval.isFinite) {
            throw ValidationError("--max-interval \(maxInterval): give seconds above 0")
        }
        try WorkerLogSink.validateLevel(logLevel)
        _ = try catchUpRule(configured: nil)
    }

    /// --catch-up, else beat_catch_up from the configuration, else once.
    func catchUpRule(configured: String?) throws -> CatchUp {
        do {
            return try CatchUp.beatDefault(flag: catchUp, configured: configured)
        } catch {
            throw ValidationError("\(error)")
        }
    }

    func run() async throws {
        _ = try WorkerLogSink.bootstrap(path: logFile, level: logLevel, processName: "Beat")
        let configuration = try app.configuration()
        let defaultCatchUp = try catchUpRule(configured: configuration.beatCatchUp)
        let celeriac = App(configuration)
        if let appName {
            do {
                try AppCatalog.install(appName, on: celeriac)
            } catch {
                throw ValidationError("\(error)")
            }
        }
        let entries: [PeriodicTask]
        do {
            entries = try celeriac.beatEntries(configured: configuration.beatSchedule)
        } catch {
            throw ValidationError("\(error)")
        }
        guard !entries.isEmpty || scheduler == .db else {
            throw ValidationError("no periodic tasks: add them in the app (app.addPeriodicTask) or as [beat_schedule.NAME] tables in celeriac.toml (or --config), e.g.\n  [beat_schedule.add-every-10s]\n  task = \"demo.add\"\n  schedule = 10\n  args = [2, 3]\nor run with --scheduler db and add them with celeriac beat add")
        }
        let logger = Logger(label: "celeriac.beat")
        let store: any ScheduleStore
        var localLeases: [any ScheduleLease] = []
        var lock: ScheduleLock?
        switch scheduler {
        case .file:
            let file = FileScheduleStore(path: scheduleFile)
            _ = try file.load()  // a damaged file is an error now, not after the lock is won
            store = file
            lock = try ScheduleLock.tryAcquire(for: scheduleFile)
            if lock == nil {
                logger.info("beat: another beat holds \(scheduleFile).lock; waiting as a standby to take over when it exits")
                lock = try await ScheduleLock.acquire(for: scheduleFile)
                logger.info("beat: took over \(scheduleFile)")
            }
        case .db:
            let database = try DatabaseScheduleStore(path: db)
            store = database
            let holder = "\(ProcessInfo.processInfo.hostName) pid \(getpid()) \(UUID().uuidString.prefix(8))"
            localLeases.append(DatabaseLease(store: database, holder: holder))
        }
        let pid = try pidFile.map { path in try BeatPidFile(path: path) }
        defer { pid?.remove() }
        let transport = try await BeatService.connect(celeriac, logger: logger)
        // The node name remote control addresses: one per lease, so one per schedule.
        let node = "beat.\(leaseName)@\(ProcessInfo.processInfo.hostName)"
        let events = EventPublisher(transport: transport, hostname: node)
        let service = BeatService(app: celeriac, entries: entries, store: store, timeZone: configuration.timezone,
                                  maxInterval: maxInterval ?? configuration.beatMaxLoopInterval ?? 300,
                                  catchUp: defaultCatchUp, events: events,
                                  leases: localLeases + [BrokerLease(name: leaseName, transport: transport)], logger: logger)
        logger.info("beat: \(node): \(entries.count) configured entries, \(scheduler == .db ? "database" : "schedule file") \(storePath), time zone \(configuration.timezoneName)")
        // A standby on this host finds the mailbox held (it is exclusive) and keeps trying.
        let control = BeatControlServer(transport: transport, service: service, node: node, logger: logger).serve()
        defer { control.cancel() }
        let running = Task { try await service.run() }
        let signals = TerminationSignals { running.cancel() }
        defer { signals.cancel() }
        do {
            try await running.value
        } catch is CancellationError {
            logger.info("beat: stopping")
        }
        withExtendedLifetime(lock) {}
        await celeriac.close()
    }
}

/// The pid file: written at start, removed at exit; a live beat's file is not taken over.
struct BeatPidFile {
    let path: String

    init(path: String) throws {
        if let text = try? String(contentsOfFile: path, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)),
           kill(pid, 0) == 0 {
            throw ValidationError("--pidfile \(path): beat \(pid) is running; stop it first, or give another pid file")
        }
        do {
            try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("--pidfile \(path) cannot be written: \(error.localizedDescription)")
        }
        self.path = path
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
