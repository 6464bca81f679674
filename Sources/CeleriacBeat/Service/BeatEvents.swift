import Celeriac
import Foundation

/// The beat's events on `celeryev` — Celeriac's extension, which Celery's own monitors skip
/// as unknown types: `beat-online` and `beat-heartbeat` with the whole schedule, `beat-sent`
/// for each task sent, `beat-offline`; each names its `schedule_store`, so two beats on one
/// host are told apart, and says whether its entries can be edited (`editable`: the
/// database store). Each entry in a schedule is `{name, task, schedule, spec, args, kwargs,
/// enabled, last_run_at, next_run_at, total_run_count}` — `schedule` in words, `spec` as
/// `beat_edit` takes it; times in epoch seconds, null when unknown.
public enum BeatEvents {
    public static let online = "beat-online"
    public static let heartbeat = "beat-heartbeat"
    public static let sent = "beat-sent"
    public static let offline = "beat-offline"

    /// The schedule as the heartbeat carries it.
    static func schedule(_ entries: [PeriodicTask], states: [String: PeriodicTaskState],
                         nextRun: (PeriodicTask, PeriodicTaskState) -> Date?,
                         store: String, editable: Bool, interval: Double) -> [String: JSONValue] {
        let items: [JSONValue] = entries.map { entry in
            let state = states[entry.name] ?? PeriodicTaskState()
            let next = state.lastRunAt == nil ? nil : nextRun(entry, state)
            return [
                "name": .string(entry.name),
                "task": .string(entry.task),
                "schedule": .string(entry.schedule.words),
                "spec": .string(entry.schedule.spec),
                "args": .array(entry.args),
                "kwargs": .object(entry.kwargs),
                "enabled": .bool(entry.enabled),
                "last_run_at": state.lastRunAt.map { .double($0.timeIntervalSince1970) } ?? .null,
                "next_run_at": entry.enabled ? next.map { .double($0.timeIntervalSince1970) } ?? .null : .null,
                "total_run_count": .int(state.totalRunCount),
            ]
        }
        return ["schedule_store": .string(store), "editable": .bool(editable), "entries": .array(items),
                "freq": .double(interval)]
    }
}
