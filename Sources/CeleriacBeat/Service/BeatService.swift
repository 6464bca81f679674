import Celeriac
import Foundation
import Logging

/// `celeriac beat`: sends each entry's task when it falls due, as Celery's beat does, and
/// remembers every run in the schedule file — saved after each send, so a beat killed and
/// started again neither forgets what ran nor sends it a second time (a kill in the
/// instant between the send and the save is the one window left, as in Celery).
public actor BeatService {
    let app: App
    public private(set) var entries: [PeriodicTask]
    let store: FileScheduleStore
    let arithmetic: DueEntries
    let logger: Logger
    /// Where beat-* events go; nil sends none.
    let events: EventPublisher?
    /// Checked before each send: nil runs without one (tests, a single host).
    let lease: BrokerLease?
    private var standing = false
    /// Seconds between beat-heartbeat events.
    public static let heartbeatInterval = 5.0
    /// Seconds between a standby's looks at a lease held by another beat.
    public static let leasePoll = 1.0
    private var states: [String: PeriodicTaskState] = [:]
    private var disabledOneOffs: Set<String> = []
    private var lastHeartbeat: Date?
    /// Wakes the loop when the schedule changed (enable, disable, run now).
    private let (wakeups, wakeup) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))

    public init(app: App, entries: [PeriodicTask], store: FileScheduleStore, timeZone: TimeZone,
                maxInterval: Double = 300, events: EventPublisher? = nil, lease: BrokerLease? = nil,
                logger: Logger = Logger(label: "celeriac.beat")) {
        self.app = app
        self.events = events
        self.lease = lease
        self.entries = entries
        self.store = store
        arithmetic = DueEntries(timeZone: timeZone, maxInterval: maxInterval)
        self.logger = logger
    }

    /// Sends what is due until cancelled.
    public func run() async throws {
        states = try store.load()
        for index in entries.indices {
            if let enabled = states[entries[index].name]?.enabled { entries[index].enabled = enabled }
        }
        for entry in entries {
            logger.info("beat: \(entry.name) → \(entry.task), \(entry.schedule.words)\(entry.enabled ? "" : " (disabled)")")
        }
        await announce(BeatEvents.online)
        do {
            try await loop()
        } catch {
            // Said from a task of its own: this one is cancelled, and the publish must go out.
            let fields: [String: JSONValue] = ["schedule_store": .string(store.path)]
            await Task { [events] in try? await events?.publish(BeatEvents.offline, fields: fields) }.value
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
        let fields = BeatEvents.schedule(entries, states: states, timeZone: arithmetic.timeZone, store: store.path,
                                         interval: Self.heartbeatInterval)
        try? await events.publish(type, fields: fields)
    }

    /// Sends every entry due at `now` and returns when to look again.
    func tick(now: Date) async throws -> Date {
        if let lease, !(try await lease.holds()) {
            if !standing { logger.info("beat: another beat holds the lease \(lease.queueName); waiting as a standby") }
            standing = true
            return now.addingTimeInterval(Self.leasePoll)  // a broker cannot say when a queue frees up: ask again
        }
        if standing { logger.info("beat: took over the lease \(lease?.queueName ?? "")") }
        standing = false
        let active = entries.filter { !disabledOneOffs.contains($0.name) }
        let before = states
        let (runs, wakeAt) = arithmetic.due(active, states: &states, now: now)
        for run in runs {
            guard let entry = entries.first(where: { $0.name == run.name }) else { continue }
            do {
                try await send(entry, scheduledAt: run.scheduledAt, now: now, recordingRun: true)
                if entry.oneOff { disabledOneOffs.insert(entry.name) }
            } catch {
                // The broker is away: the run stays due and is tried again at the next tick.
                logger.error("beat: could not send \(entry.name) (\(entry.task)): \(error); trying again shortly")
                return min(wakeAt, now.addingTimeInterval(1))
            }
        }
        if states != before, runs.isEmpty { try store.save(states) }
        return wakeAt
    }

    /// Sends one entry's task and says so; a scheduled run is recorded as the entry's last.
    private func send(_ entry: PeriodicTask, scheduledAt: Date, now: Date, recordingRun: Bool) async throws {
        let result = try await app.send(entry.task, args: entry.args, kwargs: entry.kwargs,
                                        options: entry.sendOptions(sentAt: now), expectResult: false)
        if recordingRun { states[entry.name, default: PeriodicTaskState()].lastRunAt = scheduledAt }
        states[entry.name, default: PeriodicTaskState()].totalRunCount += 1
        try store.save(states)
        logger.info("beat: sent \(entry.name) (\(entry.task)[\(result.id)]) due \(CeleryTime.format(scheduledAt))\(recordingRun ? "" : " (run now)")")
        try? await events?.publish(BeatEvents.sent, fields: [
            "entry": .string(entry.name), "task": .string(entry.task), "task_id": .string(result.id),
            "schedule_store": .string(store.path), "scheduled_at": .double(scheduledAt.timeIntervalSince1970),
        ])
        lastHeartbeat = nil  // the schedule changed: say so at once
    }

    // MARK: Remote control

    /// The schedule, as beat-heartbeat carries it.
    func scheduleSummary() -> JSONValue {
        .object(BeatEvents.schedule(entries, states: states, timeZone: arithmetic.timeZone, store: store.path,
                                    interval: Self.heartbeatInterval))
    }

    /// Turns an entry on or off, remembered in the schedule file across restarts.
    func setEnabled(_ name: String, _ enabled: Bool) -> JSONValue {
        guard let index = entries.firstIndex(where: { $0.name == name }) else { return Self.unknown(name, in: entries) }
        entries[index].enabled = enabled
        states[name, default: PeriodicTaskState()].enabled = enabled
        do {
            try store.save(states)
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

    private static func unknown(_ name: String, in entries: [PeriodicTask]) -> JSONValue {
        ["error": .string("no entry '\(name)'; this beat has \(entries.map(\.name).joined(separator: ", "))")]
    }
}
