/// A task's state as Celery names it; custom states (e.g. "PROGRESS" from `updateState`)
/// are values too. Celery's own states carry their precedence as a number, so a monitor
/// merging hundreds of thousands of events a second compares and hashes them as integers.
public struct TaskState: RawRepresentable, Sendable, Hashable, CustomStringConvertible,
    ExpressibleByStringLiteral, Codable
{
    public let rawValue: String
    /// Celery's `states.precedence` (see `precedence`), worked out once from the name.
    private let rank: UInt8

    public init(rawValue: String) {
        self.rawValue = rawValue
        rank = Self.rank(of: rawValue)
    }
    public init(_ rawValue: String) { self.init(rawValue: rawValue) }
    public init(stringLiteral value: String) { self.init(rawValue: value) }

    // Built in place, not `static let`: a monitor reads these for every event, and a global
    // from another module costs a lazy-initialisation check per read.
    /// No backend knows the id: not sent yet, unknown, or its result expired.
    @inlinable public static var pending: TaskState { TaskState(known: "PENDING", rank: 8) }
    @inlinable public static var received: TaskState { TaskState(known: "RECEIVED", rank: 5) }
    @inlinable public static var started: TaskState { TaskState(known: "STARTED", rank: 4) }
    @inlinable public static var success: TaskState { TaskState(known: "SUCCESS", rank: 0) }
    @inlinable public static var failure: TaskState { TaskState(known: "FAILURE", rank: 1) }
    @inlinable public static var retry: TaskState { TaskState(known: "RETRY", rank: 7) }
    @inlinable public static var revoked: TaskState { TaskState(known: "REVOKED", rank: 3) }
    @inlinable public static var rejected: TaskState { TaskState(known: "REJECTED", rank: 6) }

    /// One of Celery's own states, its rank as `rank(of:)` gives it (a test holds them equal).
    @usableFromInline init(known name: String, rank: UInt8) {
        rawValue = name
        self.rank = rank
    }

    /// The states Celery itself defines; any other is a custom state (e.g. PROGRESS).
    public static let celeryStates: Set<TaskState> = [.pending, .received, .started, .success, .failure, .retry,
                                                      .revoked, .rejected]

    /// The task has finished for good; its result will not change.
    public var isReady: Bool { rank == 0 || rank == 1 || rank == 3 }
    /// Ready because it failed or was stopped.
    public var isException: Bool { rank == 1 || rank == 3 }

    /// Celery's `states.precedence`, the index in its PRECEDENCE list: lower means logically
    /// later. Unknown (custom) states rank between FAILURE and REVOKED, as in Celery.
    public var precedence: Int { Int(rank) }

    private static let customRank: UInt8 = 2

    /// Whether a precedence belongs to a custom state (they all share one).
    public static func isCustom(rank: Int) -> Bool { rank == Int(customRank) }

    private static func rank(of name: String) -> UInt8 {
        switch name {
        case "SUCCESS": return 0
        case "FAILURE": return 1
        case "REVOKED": return 3
        case "STARTED": return 4
        case "RECEIVED": return 5
        case "REJECTED": return 6
        case "RETRY": return 7
        case "PENDING": return 8
        default: return customRank
        }
    }

    public static func == (lhs: TaskState, rhs: TaskState) -> Bool {
        lhs.rank == rhs.rank && (lhs.rank != customRank || lhs.rawValue == rhs.rawValue)
    }

    public func hash(into hasher: inout Hasher) {
        if rank == Self.customRank { hasher.combine(rawValue) } else { hasher.combine(rank) }
    }

    public var description: String { rawValue }

    /// Written as its name alone, as Celery's result meta has it.
    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
