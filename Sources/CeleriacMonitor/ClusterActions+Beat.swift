import Celeriac

extension ClusterActions {
    /// Asks one `celeriac beat` (by its node name, e.g. `beat.schedule@host`) to enable,
    /// disable or run an entry now; a beat answers only requests addressed to it.
    public func beat(_ command: BeatCommand, entry: String, node: String) async -> ActionReport {
        await broadcast("\(command.words) \(entry) on \(node)",
                        PidboxRequest(method: command.rawValue, arguments: ["entry": .string(entry)], destination: [node]))
    }

    /// Asks one beat to change an entry's schedule (a spec such as "every 30 s"), args and
    /// kwargs; only a beat on the database store can.
    public func editBeatEntry(_ entry: String, node: String, schedule: String, args: [JSONValue],
                              kwargs: [String: JSONValue]) async -> ActionReport {
        let arguments: [String: JSONValue] = ["entry": .string(entry), "schedule": .string(schedule), "args": .array(args),
                                              "kwargs": .object(kwargs)]
        return await broadcast("edit \(entry) on \(node)", PidboxRequest(method: "beat_edit", arguments: arguments, destination: [node]))
    }

    public enum BeatCommand: String, Sendable, Hashable {
        case enable = "beat_enable", disable = "beat_disable", runNow = "beat_run_now"

        var words: String {
            switch self {
            case .enable: return "enable"
            case .disable: return "disable"
            case .runNow: return "run now"
            }
        }
    }
}
