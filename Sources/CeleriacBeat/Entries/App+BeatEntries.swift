import Celeriac

extension App {
    /// The entries `celeriac beat -A APP` runs: those of `beat_schedule` (celeriac.toml) and
    /// those the app adds in code (`addPeriodicTask`), sorted by name. A name in both is
    /// refused rather than one silently replacing the other.
    public func beatEntries(configured beatSchedule: [String: JSONValue]) throws(PeriodicTaskError) -> [PeriodicTask] {
        let configured = try PeriodicTask.entries(from: beatSchedule)
        let names = Set(configured.map(\.name))
        let inCode = periodicTasks.all
        if let twice = inCode.first(where: { names.contains($0.name) }) {
            throw .invalidEntry(name: twice.name, reason: "the app's code adds a periodic task of the same name (app.addPeriodicTask); rename one of the two")
        }
        return (configured + inCode).sorted { $0.name < $1.name }
    }
}
