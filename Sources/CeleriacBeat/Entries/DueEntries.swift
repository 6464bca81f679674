import Foundation

/// Which entries are due at a moment, and when to look again: the beat's arithmetic, apart
/// from its clock and its sending, so it can be tested on an injected clock.
///
/// - An entry never run counts from when the beat first saw it, as Celery's does: an
///   interval runs one interval after start, a crontab at its next matching minute.
/// - After downtime, an entry that missed runs runs once, at once — Celery's behaviour, and
///   the default — and counts on from then: missed runs are not replayed one by one.
/// - Otherwise a run is recorded at its scheduled moment, not when it was sent, so an
///   interval keeps its grid however late each send is.
public struct DueEntries {
    public var timeZone: TimeZone
    /// The longest the beat sleeps, so changes to the schedule are seen (Celery's
    /// beat_max_loop_interval).
    public var maxInterval: Double

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!, maxInterval: Double = 300) {
        self.timeZone = timeZone
        self.maxInterval = maxInterval
    }

    public struct Run: Sendable, Hashable {
        public var name: String
        /// The moment the run was due; what is recorded as its last run.
        public var scheduledAt: Date

        public init(name: String, scheduledAt: Date) {
            self.name = name
            self.scheduledAt = scheduledAt
        }
    }

    /// The entries due at `now`, and the moment the next one falls due (at most
    /// `maxInterval` away). `states` must hold every entry; a missing one is new.
    public func due(_ entries: [PeriodicTask], states: inout [String: PeriodicTaskState], now: Date)
        -> (runs: [Run], wakeAt: Date)
    {
        var runs: [Run] = []
        var wakeAt = now.addingTimeInterval(maxInterval)
        for entry in entries where entry.enabled {
            var state = states[entry.name] ?? PeriodicTaskState()
            let since = state.lastRunAt ?? now
            if state.lastRunAt == nil { state.lastRunAt = now }  // first seen: counts from here
            guard let next = entry.schedule.nextRun(after: since, in: timeZone) else { continue }
            if next <= now {
                // Late by more than one period: a missed run, caught up once, counted from now.
                let following = entry.schedule.nextRun(after: next, in: timeZone)
                let scheduledAt = (following.map { $0 <= now } ?? false) ? now : next
                runs.append(Run(name: entry.name, scheduledAt: scheduledAt))
                if let after = entry.schedule.nextRun(after: scheduledAt, in: timeZone) { wakeAt = min(wakeAt, after) }
            } else {
                wakeAt = min(wakeAt, next)
            }
            states[entry.name] = state
        }
        return (runs, wakeAt)
    }
}
