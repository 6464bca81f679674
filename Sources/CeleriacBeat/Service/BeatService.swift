import Celeriac
import Foundation
import Logging

/// `celeriac beat`: sends each entry's task when it falls due, as Celery's beat does, and
/// remembers every run in its store — saved after each send, so a beat killed and started
/// again neither forgets what ran nor sends it a second time (a kill in the instant between
/// the send and the save is the one window left, as in Celery). A store that keeps entries
/// (the database store) is looked at every second, so edits made elsewhere take effect.
/// A broker that goes away does not stop it: it says so, tries again with growing pauses
/// (`BrokerOutage`), and sends what fell due meanwhile as each entry's `CatchUp` says.
public actor BeatService {
    let app: App
    public private(set) var entries: [PeriodicTask]
    /// From `beat_schedule` and the app's code; a store that keeps entries adds its own.
    let configured: [PeriodicTask]
    let store: any ScheduleStore
    let arithmetic: DueEntries
    let logger: Logger
    /// Where beat-* events go; nil sends none.
    let events: EventPublisher?
    /// Checked before each send, all of them: none runs without any (tests, a single host).
    let leases: [any ScheduleLease]
    private var standing = false
    /// When this beat last looked at the schedule as the one sending; nil while it was not
    /// (before the first look, as a standby). Runs due by then and not sent were missed.
    private var lastLook: Date?
    /// Failed attempts since the broker was last reached; 0 when it is reachable.
    private var outageAttempts = 0
    /// The broker as the log names it, without a password.
    let broker: String
    /// Seconds between beat-heartbeat events.
    public static let heartbeatInterval = 5.0
    /// Seconds between a standby's looks at a lease held by another beat.
    public static let leasePoll = 1.0
    /// Seconds between looks at a store others edit: the "within a second or two" of a live edit.
    public static let storePoll = 1.0
    private var states: [String: PeriodicTaskState] = [:]
    private var lastHeartbeat: Date?
    /// Whether run-now requests left before this beat started were looked for.
    private var lookedForRunRequests = false
    /// The loop's sleep, which a change to the schedule (enable, disable, run now, edit) cuts
    /// short; `wokenEarly` keeps a change made while the loop was not asleep for its next sleep.
    private var sleeping: Task<Void, any Error>?
    private var wokenEarly = false

    /// `catchUp` is what entries that set none do about missed runs (once: Celery's behaviour).
    public init(app: App, entries: [PeriodicTask], store: any ScheduleStore, timeZone: TimeZone,
                maxInterval: Double = 300, catchUp: CatchUp = .default, events: EventPublisher? = nil,
                leases: [any ScheduleLease] = [], logger: Logger = Logger(label: "celeriac.beat")) {
        self.app = app
        self.events = events
        self.leases = leases
        self.entries = entries
        configured = entries
        self.store = store
        arithmetic = DueEntries(timeZone: timeZone, maxInterval: maxInterval, catchUp: catchUp)
        self.logger = logger
        broker = BrokerOutage.redacted(app.configuration.brokerURL)
    }

    /// Sends what is due until cancelled.
    public func run() async throws {
        adopt(try await store.prepare(configured: configured))
        for entry in entries {
            let catchUp = entry.catchUp.map { ", \($0.words)" } ?? ""
            logger.info("beat: \(entry.name) → \(entry.task), \(entry.schedule.words)\(catchUp)\(entry.enabled ? "" : " (disabled)")")
        }
        await announce(BeatEvents.online)
        do {
            try await loop()
        } catch {
            // Said from a task of its own: this one is cancelled, and these must go out.
            let fields: [String: JSONValue] = ["schedule_store": .string(store.location)]
            await Task { [events, leases] in
                for lease in leases { await lease.release() }
                try? await events?.publish(BeatEvents.offline, fields: fields)
            }.value
            throw error
        }
    }

    private func loop() async throws {
        while !Task.isCancelled {
            let now = Date()
            var wakeAt: Date
            do {
                wakeAt = try await tick(now: now)
                if outageAttempts > 0 {
                    logger.info("beat: the broker at \(broker) answers again; sending on \(standing ? "once the lease is free" : "with the lease taken again")")
                    outageAttempts = 0
                }
            } catch let outage as BrokerOutage {
                wakeAt = now.addingTimeInterval(brokerAway(outage, now: now))
            }
            if events != nil, outageAttempts == 0 {  // no heartbeat to a broker that is away: the pause stands
                if lastHeartbeat.map({ Date().timeIntervalSince($0) >= Self.heartbeatInterval }) ?? true {
                    await announce(BeatEvents.heartbeat)
                }
                wakeAt = min(wakeAt, (lastHeartbeat ?? Date()).addingTimeInterval(Self.heartbeatInterval))
            }
            try await sleep(until: wakeAt)
        }
    }

    /// Until `moment`, or until a remote-control change wakes the loop earlier. (Not a task
    /// group racing the timer against an AsyncStream of wake-ups: cancelling the loser's
    /// iteration finishes the stream for good, and every later sleep then returned at once.)
    private func sleep(until moment: Date) async throws {
        defer { wokenEarly = false }
        guard !wokenEarly else { return }
        let pause = max(0, moment.timeIntervalSinceNow)
        let timer = Task { try await Task.sleep(for: .seconds(pause)) }  // the schedule's own moment
        sleeping = timer
        defer { sleeping = nil }
        await withTaskCancellationHandler {
            _ = try? await timer.value
        } onCancel: {
            timer.cancel()
        }
        try Task.checkCancellation()
    }

    /// Cuts the loop's sleep short: the schedule changed.
    private func wake() {
        if let sleeping {
            sleeping.cancel()
        } else {
            wokenEarly = true
        }
    }

    /// beat-online or beat-heartbeat, with the schedule. A broker that is away is logged
    /// by the next send; events are best effort, as Celery's are.
    private func announce(_ type: String) async {
        guard let events else { return }
        lastHeartbeat = Date()
        let fields = BeatEvents.schedule(entries, states: states, nextRun: nextRun, store: store.location,
                                         editable: store.keepsEntries, interval: Self.heartbeatInterval)
        try? await events.publish(type, fields: fields)
    }

    /// Takes the schedule a store gave, saying what is wrong with rows it could not read.
    private func adopt(_ schedule: StoredSchedule) {
        entries = schedule.entries
        states = schedule.states
        for problem in schedule.problems { logger.error("beat: \(problem)") }
    }

    /// Says the broker is away and returns the pause before the next attempt. What fell due
    /// stays due: sent by the catch-up rule once a tick gets through.
    private func brokerAway(_ outage: BrokerOutage, now: Date) -> Double {
        if !standing { lastLook = now }  // runs due by now were not sent: missed
        let pause = BrokerOutage.pause(attempt: outageAttempts)
        outageAttempts += 1
        let what = outage.entry.map { "could not send \($0.name) (\($0.task)): " } ?? ""
        logger.error("beat: \(what)the broker at \(broker) is unreachable: \(outage.reason). Keeping the schedule; trying again in \(String(format: "%.2f", pause)) seconds (attempt \(outageAttempts))")
        return pause
    }

    /// Whether `holds()` failed for the broker's sake rather than the store's.
    private static func isBrokerTrouble(_ error: any Error) -> Bool {
        !(error is ScheduleStoreError || error is CancellationError)
    }

    /// Sends every entry due at `now` and returns when to look again.
    func tick(now: Date) async throws -> Date {
        for lease in leases {
            let held: Bool
            do {
                held = try await lease.holds()
            } catch where Self.isBrokerTrouble(error) && lease is BrokerLease {
                throw BrokerOutage(entry: nil, underlying: error)
            }
            guard !held else { continue }
            if !standing { logger.info("beat: another beat holds \(lease.description); waiting as a standby") }
            standing = true
            lastLook = nil  // what falls due while another beat sends is not this one's to miss
            return now.addingTimeInterval(Self.leasePoll)  // a broker cannot say when a queue frees up: ask again
        }
        if standing {
            logger.info("beat: took over the schedule")
            // What the beat before this one sent while this one stood by.
            if let current = try await store.reload(force: true) { adopt(current) }
        }
        standing = false
        try await followEdits()
        let before = states
        let (runs, wakeAt) = arithmetic.due(entries, states: &states, now: now, previousLook: lastLook)
        lastLook = now
        for run in runs {
            guard let entry = entries.first(where: { $0.name == run.name }) else { continue }
            do {
                try await send(entry, scheduledAt: run.scheduledAt, now: now, recordingRun: true)
            } catch let error as ScheduleStoreError {
                // Sent, or not, but not saved (a full disk, a busy database): said, and tried again shortly.
                logger.error("beat: \(entry.name) (\(entry.task)): \(error); trying again shortly")
                return min(wakeAt, now.addingTimeInterval(1))
            } catch where !(error is CancellationError) {
                // The run stays due; the loop tries again after a pause.
                throw BrokerOutage(entry: entry, underlying: error)
            }
        }
        if states != before, runs.isEmpty { try await store.save(states) }
        var next = wakeAt
        if store.keepsEntries { next = min(next, now.addingTimeInterval(Self.storePoll)) }
        for renewal in leases.compactMap(\.renewalInterval) { next = min(next, now.addingTimeInterval(renewal)) }
        return next
    }

    /// Takes in what another process changed in the store — entries added, edited, turned
    /// off or removed, and run-now requests — before anything is sent.
    private func followEdits() async throws {
        guard store.keepsEntries else { return }
        let fresh = try await store.reload(force: false)
        if let fresh {
            let old = Dictionary(entries.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
            for entry in fresh.entries where old[entry.name] != entry {
                logger.info("beat: \(entry.name) \(old[entry.name] == nil ? "added" : "changed"): \(entry.task), \(entry.schedule.words)\(entry.enabled ? "" : " (disabled)")")
            }
            for name in old.keys.sorted() where !fresh.entries.contains(where: { $0.name == name }) {
                logger.info("beat: \(name) removed")
            }
            if fresh.entries != entries { lastHeartbeat = nil }  // show the change at once
            adopt(fresh)
        }
        // A request is another process's commit, so it comes with a reload; one may also be
        // waiting from before this beat started.
        guard fresh != nil || !lookedForRunRequests else { return }
        lookedForRunRequests = true
        for name in try await store.takeRunRequests() {
            let reply = await runNow(name)
            if let problem = reply["error"]?.stringValue { logger.error("beat: run-now request: \(problem)") }
        }
    }

    /// Sends one entry's task and says so; a scheduled run is recorded as the entry's last.
    private func send(_ entry: PeriodicTask, scheduledAt: Date, now: Date, recordingRun: Bool) async throws {
        let result = try await app.send(entry.task, args: entry.args, kwargs: entry.kwargs,
                                        options: entry.sendOptions(sentAt: now), expectResult: false)
        if recordingRun { states[entry.name, default: PeriodicTaskState()].lastRunAt = scheduledAt }
        states[entry.name, default: PeriodicTaskState()].totalRunCount += 1
        if recordingRun, entry.oneOff {
            // A one-off has had its run: off for good, across restarts too.
            try await persist(entry.name, enabled: false)
        }
        try await store.save(states)
        logger.info("beat: sent \(entry.name) (\(entry.task)[\(result.id)]) due \(CeleryTime.format(scheduledAt))\(recordingRun ? "" : " (run now)")")
        try? await events?.publish(BeatEvents.sent, fields: [
            "entry": .string(entry.name), "task": .string(entry.task), "task_id": .string(result.id),
            "schedule_store": .string(store.location), "scheduled_at": .double(scheduledAt.timeIntervalSince1970),
        ])
        lastHeartbeat = nil  // the schedule changed: say so at once
    }

    // MARK: Remote control

    /// The schedule, as beat-heartbeat carries it.
    func scheduleSummary() -> JSONValue {
        .object(BeatEvents.schedule(entries, states: states, nextRun: nextRun, store: store.location,
                                    editable: store.keepsEntries, interval: Self.heartbeatInterval))
    }

    /// When an entry runs next, by its catch-up rule: a skipped run is not shown as due.
    private var nextRun: (PeriodicTask, PeriodicTaskState) -> Date? {
        { [arithmetic, lastLook] entry, state in
            arithmetic.nextRun(of: entry, state: state, now: Date(), previousLook: lastLook)
        }
    }

    /// Turns an entry on or off, remembered in the schedule file across restarts.
    func setEnabled(_ name: String, _ enabled: Bool) async -> JSONValue {
        guard entries.contains(where: { $0.name == name }) else { return Self.unknown(name, in: entries) }
        do {
            try await persist(name, enabled: enabled)
            try await store.save(states)
        } catch {
            return ["error": .string("\(error)")]
        }
        logger.info("beat: \(name) \(enabled ? "enabled" : "disabled") by remote control")
        lastHeartbeat = nil
        wake()
        return ["ok": .string("\(name) \(enabled ? "enabled" : "disabled")")]
    }

    /// Sends an entry's task now, outside its schedule (which goes on as before).
    func runNow(_ name: String) async -> JSONValue {
        guard let entry = entries.first(where: { $0.name == name }) else { return Self.unknown(name, in: entries) }
        do {
            try await send(entry, scheduledAt: Date(), now: Date(), recordingRun: false)
        } catch {
            return ["error": .string("\(name) could not be sent: \(error)")]
        }
        wake()
        return ["ok": .string("\(name) sent")]
    }

    /// Turns an entry on or off where its store keeps it: the entry's own row in a database
    /// store, a setting over the configuration in the schedule file (saved with the states).
    private func persist(_ name: String, enabled: Bool) async throws {
        guard let index = entries.firstIndex(where: { $0.name == name }) else { return }
        entries[index].enabled = enabled
        if store.keepsEntries {
            try await store.update(entries[index])
        } else {
            states[name, default: PeriodicTaskState()].enabled = enabled
        }
    }

    /// Changes an entry's schedule, arguments or keyword arguments (each nil keeps it), in a
    /// store that keeps entries; the next run counts from the last one under the new schedule.
    func edit(_ name: String, schedule: String?, args: JSONValue?, kwargs: JSONValue?) async -> JSONValue {
        guard var entry = entries.first(where: { $0.name == name }) else { return Self.unknown(name, in: entries) }
        do {
            if let schedule { entry.schedule = try BeatSchedule(spec: schedule) }
            if let args {
                guard let list = args.arrayValue else { return ["error": "args must be a JSON list, e.g. [2, 3]"] }
                entry.args = list
            }
            if let kwargs {
                guard let table = kwargs.objectValue else { return ["error": "kwargs must be a JSON object, e.g. {\"x\": 1}"] }
                entry.kwargs = table
            }
            try await store.update(entry)
        } catch {
            return ["error": .string("\(error)")]
        }
        if let index = entries.firstIndex(where: { $0.name == name }) { entries[index] = entry }
        logger.info("beat: \(name) edited by remote control: \(entry.task)\(JSONValue.array(entry.args).serialized), \(entry.schedule.words)")
        lastHeartbeat = nil
        wake()
        return ["ok": .string("\(name) now \(entry.schedule.words) with args \(JSONValue.array(entry.args).serialized)")]
    }

    private static func unknown(_ name: String, in entries: [PeriodicTask]) -> JSONValue {
        ["error": .string("no entry '\(name)'; this beat has \(entries.map(\.name).joined(separator: ", "))")]
    }
}
