import Celeriac
import Foundation
import Logging

/// `celeriac beat`: sends each entry's task when it falls due, as Celery's beat does, and
/// remembers every run in its store — saved after each send, so a beat killed and started
/// again neither forgets what ran nor sends it a second time (a kill in the instant between
/// the send and the save is the one window left, as in Celery). A store that keeps entries
/// (the database store) is looked at every second, so edits made elsewhere take effect.
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
    /// Wakes the loop when the schedule changed (enable, disable, run now).
    private let (wakeups, wakeup) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(app: App, entries: [PeriodicTask], store: any ScheduleStore, timeZone: TimeZone,
                maxInterval: Double = 300, events: EventPublisher? = nil, leases: [any ScheduleLease] = [],
                logger: Logger = Logger(label: "celeriac.beat")) {
        self.app = app
        self.events = events
        self.leases = leases
        self.entries = entries
        configured = entries
        self.store = store
        arithmetic = DueEntries(timeZone: timeZone, maxInterval: maxInterval)
        self.logger = logger
    }

    /// Sends what is due until cancelled.
    public func run() async throws {
        adopt(try await store.prepare(configured: configured))
        for entry in entries {
            logger.info("beat: \(entry.name) → \(entry.task), \(entry.schedule.words)\(entry.enabled ? "" : " (disabled)")")
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
            var wakeAt = try await tick(now: Date())
            if events != nil {
                if lastHeartbeat.map({ Date().timeIntervalSince($0) >= Self.heartbeatInterval }) ?? true {
                    await announce(BeatEvents.heartbeat)
                }
                wakeAt = min(wakeAt, (lastHeartbeat ?? Date()).addingTimeInterval(Self.heartbeatInterval))
            }
            try await sleep(until: wakeAt)
        }
    }

    /// Until `moment`, or until a remote-control change wakes the loop earlier.
    private func sleep(until moment: Date) async throws {
        let pause = max(0, moment.timeIntervalSinceNow)
        let wakeups = wakeups
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await Task.sleep(for: .seconds(pause)) }  // the schedule's own moment
            group.addTask { for await _ in wakeups { return } }
            try await group.next()
            group.cancelAll()
        }
        try Task.checkCancellation()
    }

    /// beat-online or beat-heartbeat, with the schedule. A broker that is away is logged
    /// by the next send; events are best effort, as Celery's are.
    private func announce(_ type: String) async {
        guard let events else { return }
        lastHeartbeat = Date()
        let fields = BeatEvents.schedule(entries, states: states, timeZone: arithmetic.timeZone, store: store.location,
                                         editable: store.keepsEntries, interval: Self.heartbeatInterval)
        try? await events.publish(type, fields: fields)
    }

    /// Takes the schedule a store gave, saying what is wrong with rows it could not read.
    private func adopt(_ schedule: StoredSchedule) {
        entries = schedule.entries
        states = schedule.states
        for problem in schedule.problems { logger.error("beat: \(problem)") }
    }

    /// Sends every entry due at `now` and returns when to look again.
    func tick(now: Date) async throws -> Date {
        for lease in leases where !(try await lease.holds()) {
            if !standing { logger.info("beat: another beat holds \(lease.description); waiting as a standby") }
            standing = true
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
        let (runs, wakeAt) = arithmetic.due(entries, states: &states, now: now)
        for run in runs {
            guard let entry = entries.first(where: { $0.name == run.name }) else { continue }
            do {
                try await send(entry, scheduledAt: run.scheduledAt, now: now, recordingRun: true)
            } catch {
                // The broker is away: the run stays due and is tried again at the next tick.
                logger.error("beat: could not send \(entry.name) (\(entry.task)): \(error); trying again shortly")
                return min(wakeAt, now.addingTimeInterval(1))
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
        .object(BeatEvents.schedule(entries, states: states, timeZone: arithmetic.timeZone, store: store.location,
                                    editable: store.keepsEntries, interval: Self.heartbeatInterval))
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
        wakeup.yield()
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
        wakeup.yield()
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
        wakeup.yield()
        return ["ok": .string("\(name) now \(entry.schedule.words) with args \(JSONValue.array(entry.args).serialized)")]
    }

    private static func unknown(_ name: String, in entries: [PeriodicTask]) -> JSONValue {
        ["error": .string("no entry '\(name)'; this beat has \(entries.map(\.name).joined(separator: ", "))")]
    }
}
