import Foundation

/// Which entries are due at a moment, and when to look again: the beat's arithmetic, apart
/// from its clock and its sending, so it can be tested on an injected clock.
///
/// - An entry never run counts from when the beat first saw it, as Celery's does: an
///   interval runs one interval after start, a crontab at its next matching minute.
/// - A run is recorded at its scheduled moment, not when it was sent, so an interval keeps
///   its grid however late each send is.
/// - A run is missed when the beat could not send it at its first look after it fell due:
///   the beat was stopped, a standby, or could not reach the broker. What happens to missed
///   runs is the entry's `CatchUp`, or `catchUp` here for an entry that sets none:
///   - once (the default, Celery's behaviour): the entry runs once, at once, and counts on
///     from then; missed runs are not replayed one by one;
///   - skip: missed runs are dropped, and the entry waits for its next due time;
///   - replay N: the latest N missed runs are sent, oldest first, each at its own moment.
public struct DueEntries {
    public var timeZone: TimeZone
    /// The longest the beat sleeps, so changes to the schedule are seen (Celery's
    /// beat_max_loop_interval).
    public var maxInterval: Double
    /// For entries that set no `catchUp` of their own.
    public var catchUp: CatchUp

    public init(timeZone: TimeZone = TimeZone(identifier: "UTC")!, maxInterval: Double = 300, catchUp: CatchUp = .default) {
        self.timeZone = timeZone
        self.maxInterval = maxInterval
        self.catchUp = catchUp
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
    /// `previousLook` is when this beat last looked while it was the one sending (nil when it
    /// was not: just started, or a standby until now): runs due at or before it were missed.
    public func due(_ entries: [PeriodicTask], states: inout [String: PeriodicTaskState], now: Date,
                    previousLook: Date? = nil) -> (runs: [Run], wakeAt: Date) {
        var runs: [Run] = []
        var wakeAt = now.addingTimeInterval(maxInterval)
        for entry in entries where entry.enabled {
            var state = states[entry.name] ?? PeriodicTaskState()
            let since = state.lastRunAt ?? now
            if state.lastRunAt == nil { state.lastRunAt = now }  // first seen: counts from here
            states[entry.name] = state
            let plan = plan(entry, since: since, previousLook: previousLook, now: now)
            runs += plan.runs.map { Run(name: entry.name, scheduledAt: $0) }
            if let next = plan.next { wakeAt = min(wakeAt, next) }
        }
        return (runs, wakeAt)
    }

    /// When the entry runs next as the beat sees it now: a moment already past means due now.
    /// For heartbeats and listings; nil for a schedule with no run ahead.
    public func nextRun(of entry: PeriodicTask, state: PeriodicTaskState, now: Date, previousLook: Date?) -> Date? {
        let since = state.lastRunAt ?? now
        let plan = plan(entry, since: since, previousLook: previousLook, now: now)
        return plan.runs.first ?? plan.next
    }

    /// The moments to send now (oldest first) and the next one after them.
    private func plan(_ entry: PeriodicTask, since: Date, previousLook: Date?, now: Date) -> (runs: [Date], next: Date?) {
        let schedule = entry.schedule
        guard let next = schedule.nextRun(after: since, in: timeZone) else { return ([], nil) }
        guard next <= now else { return ([], next) }
        switch entry.catchUp ?? catchUp {
        case .once:
            // Late by more than one period: a missed run, caught up once, counted from now.
            return once(schedule, first: next, now: now)
        case .skip:
            // Due at or before the last look (or before this beat looked at all): missed.
            let missedUntil = previousLook ?? now
            guard next <= missedUntil else { return once(schedule, first: next, now: now) }
            guard let following = firstRun(of: schedule, since: since, after: missedUntil) else { return ([], nil) }
            guard following <= now else { return ([], following) }
            return once(schedule, first: following, now: now)
        case .replay(let limit):
            let moments = latestRuns(of: schedule, since: since, through: now, limit: limit)
            return (moments, moments.last.flatMap { schedule.nextRun(after: $0, in: timeZone) })
        }
    }

    /// One run for `first` and any due after it by `now`: at its own moment when it is the
    /// only one (a late tick keeps the grid), at `now` when more are due.
    private func once(_ schedule: BeatSchedule, first: Date, now: Date) -> (runs: [Date], next: Date?) {
        let following = schedule.nextRun(after: first, in: timeZone)
        let scheduledAt = (following.map { $0 <= now } ?? false) ? now : first
        return ([scheduledAt], schedule.nextRun(after: scheduledAt, in: timeZone))
    }

    /// The first run after `moment` on the schedule as it counts from `since`: an interval
    /// keeps its grid from the last run; crontab and solar moments are the clock's own.
    private func firstRun(of schedule: BeatSchedule, since: Date, after moment: Date) -> Date? {
        if case .interval(let interval) = schedule, !interval.relative, moment > since {
            let steps = ((moment.timeIntervalSince(since)) / interval.seconds).rounded(.down) + 1
            return since.addingTimeInterval(steps * interval.seconds)
        }
        return schedule.nextRun(after: max(moment, since), in: timeZone)
    }

    /// The latest `limit` runs due after `since` and by `now`, oldest first, found without
    /// walking every run of a long stop: an interval's by arithmetic, the others by looking
    /// back over a window that grows until it holds enough (their moments are the clock's).
    private func latestRuns(of schedule: BeatSchedule, since: Date, through now: Date, limit: Int) -> [Date] {
        if case .interval(let interval) = schedule, !interval.relative {
            let count = Int((now.timeIntervalSince(since) / interval.seconds).rounded(.down))
            guard count >= 1 else { return [] }
            return (max(1, count - limit + 1)...count).map { since.addingTimeInterval(Double($0) * interval.seconds) }
        }
        var window = 3_600.0
        while true {
            let start = max(since, now.addingTimeInterval(-window))
            var moments: [Date] = []
            var cursor = start
            while let moment = schedule.nextRun(after: cursor, in: timeZone), moment <= now {
                moments.append(moment)
                if moments.count > limit { moments.removeFirst() }
                cursor = moment
            }
            if moments.count >= limit || start == since { return moments }
            window *= 8
        }
    }
}
