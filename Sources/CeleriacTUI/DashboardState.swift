import Celeriac
import CeleriacMonitor

/// Everything about the dashboard that is not the cluster: which screen, which row, what is
/// being typed, what is marked. Pure data; `DashboardController` changes it on keys.
public struct DashboardState: Sendable {
    public var screen = ScreenID.overview
    /// The task whose detail is open, over the current screen.
    public var detailTaskID: String?
    /// Details opened from a workflow tree, so Esc goes back along them.
    public var detailHistory: [String] = []
    /// The selected node of the open detail's workflow tree (Tab moves it, Enter opens it).
    public var workflowSelection = 0
    public var showingHelp = false
    /// The selected row per screen, as an index into that screen's full list.
    public var selection: [ScreenID: Int] = [:]
    /// Scroll offset for the detail and help pages.
    public var pageScroll = 0
    public var query = TaskQuery()
    public var marks: Set<String> = []
    /// Keep the newest task selected as tasks arrive.
    public var follow = true
    /// A task to keep selected on the Tasks screen once its list holds it (a jump from Beat).
    public var taskToSelect: String?
    /// The event count at which the Events screen was paused; nil when live.
    public var eventsPausedAt: Int?
    public var input = InputMode.browsing
    public let readOnly: Bool

    public init(readOnly: Bool = false) {
        self.readOnly = readOnly
    }

    public func selected(_ screen: ScreenID) -> Int { selection[screen] ?? 0 }
}

/// What the keyboard is doing: browsing, or typing into one of the prompts.
public enum InputMode: Sendable, Hashable {
    case browsing
    /// Typing a filter after `/`.
    case filter(String)
    /// Typing a command after `:`.
    case command(String)
    /// Asking for an action's parameter; Enter goes on to the confirmation.
    case prompt(Prompt)
    /// Filling in the Beat screen's edit form; Enter goes on to the confirmation.
    case form(BeatEntryForm)
    /// y confirms, any other key cancels.
    case confirm(DashboardAction)
}

/// A question with an editable answer, e.g. the signal for terminate.
public struct Prompt: Sendable, Hashable {
    public enum Purpose: Sendable, Hashable {
        case terminate([String])
        case retry([RetryPlan])
        case autoscale(node: String)
        case addConsumer(node: String)
        case cancelConsumer(node: String)
        case rateLimit(node: String)
    }

    public var question: String
    public var text: String
    public var purpose: Purpose
}

/// What the controller asks its runner to do after a key.
public enum DashboardEffect: Sendable, Hashable {
    case quit
    /// A task's detail opened: read its workflow's stored results (groups, children).
    case lookUpWorkflow(String)
    case perform(DashboardAction)
    case setQuery(TaskQuery)
    case status(StatusMessage.Kind, String)
}
