import Celeriac

extension ClusterActions {
    /// Asks one `celeriac beat` (by its node name, e.g. `beat.schedule@host`) to enable,
    /// disable or run an entry now; a beat answers only requests addressed to it.
    public func beat(_ command: BeatCommand, entry: String, node: String) async -> ActionReport {
        await broadcast("\(command.words) \(entry) on \(node)",
                        PidboxRequest(method: command.rawValue, arguments: ["entry": .string(entry)], destination: [node]))
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
