/// A task's state as Celery names it; custom states (e.g. "PROGRESS" from `updateState`)
/// are values too.
public struct TaskState: RawRepresentable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral, Codable
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    /// No backend knows the id: not sent yet, unknown, or its result expired.
    public static let pending: TaskState = "PENDING"
    public static let received: TaskState = "RECEIVED"
    public static let started: TaskState = "STARTED"
    public static let success: TaskState = "SUCCESS"
    public static let failure: TaskState = "FAILURE"
    public static let retry: TaskState = "RETRY"
    public static let revoked: TaskState = "REVOKED"
    public static let rejected: TaskState = "REJECTED"

    /// The states Celery itself defines; any other is a custom state (e.g. PROGRESS).
    public static let celeryStates: Set<TaskState> = [.pending, .received, .started, .success, .failure, .retry,
                                                      .revoked, .rejected]

    /// The task has finished for good; its result will not change.
    public var isReady: Bool { [.success, .failure, .revoked].contains(self) }
    /// Ready because it failed or was stopped.
    public var isException: Bool { [.failure, .revoked].contains(self) }

    /// Celery's `states.precedence`, the index in its PRECEDENCE list: lower means logically
    /// later. Unknown (custom) states rank between FAILURE and REVOKED, as in Celery.
    public var precedence: Int {
        switch self {
        case .success: return 0
        case .failure: return 1
        case .revoked: return 3
        case .started: return 4
        case .received: return 5
        case .rejected: return 6
        case .retry: return 7
        case .pending: return 8
        default: return 2
        }
    }

    public var description: String { rawValue }
}
