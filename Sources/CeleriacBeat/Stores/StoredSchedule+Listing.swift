import Celeriac
import Foundation

extension StoredSchedule {
    /// The columns of `celeriac beat list`.
    public static let listingHeader = ["NAME", "TASK", "SCHEDULE", "ARGS", "ENABLED", "CATCH-UP", "LAST RUN", "RUNS"]

    /// One row per entry for `celeriac beat list`, under `listingHeader`. CATCH-UP is the
    /// entry's own rule, or "default" when it follows the running beat's (`--catch-up`,
    /// `beat_catch_up`, else once), which the store does not know.
    public func listingRows(clock: (Date) -> String) -> [[String]] {
        entries.map { entry in
            let state = states[entry.name] ?? PeriodicTaskState()
            let lastRun = state.totalRunCount == 0 ? "-" : state.lastRunAt.map(clock) ?? "-"
            return [entry.name, entry.task, entry.schedule.spec, JSONValue.array(entry.args).serialized,
                    entry.enabled ? "yes" : "no", entry.catchUp?.spec ?? "default", lastRun, "\(state.totalRunCount)"]
        }
    }
}
