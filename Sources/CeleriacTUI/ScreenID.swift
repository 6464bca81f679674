/// The dashboard's screens, on the number keys.
public enum ScreenID: Int, Sendable, Hashable, CaseIterable {
    case overview = 1, workers, tasks, queues, beat, events

    public var title: String {
        switch self {
        case .overview: return "Overview"
        case .workers: return "Workers"
        case .tasks: return "Tasks"
        case .queues: return "Queues"
        case .beat: return "Beat"
        case .events: return "Events"
        }
    }
}
