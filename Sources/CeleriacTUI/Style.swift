import Celeriac

/// What a piece of text means; the terminal turns it into colours and attributes (or none,
/// under NO_COLOR), so views never name a colour.
public enum Style: Sendable, Hashable {
    case normal
    case dim
    case bold
    /// The screen's title bar and table headers.
    case header
    case selected
    case marked
    case tab
    case activeTab
    case success
    case warning
    case failure
    case info
    case accent
    case state(TaskState)

    /// The colour family of a task state: green done, red failed, yellow retrying, blue running.
    public static func forState(_ state: TaskState) -> Style { .state(state) }
}
