import Celeriac

/// Failures of one task name with one exception type — the Overview lists these groups so a
/// flood of one error reads as one line, and each opens as a filtered task list.
public struct FailureGroup: Sendable, Hashable {
    public struct Key: Sendable, Hashable, Comparable {
        public var exceptionType: String
        public var taskName: String

        public init(exceptionType: String, taskName: String) {
            self.exceptionType = exceptionType
            self.taskName = taskName
        }

        init(_ record: TaskRecord) {
            self.init(exceptionType: record.exceptionType ?? "unknown error", taskName: record.name ?? "unknown task")
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.exceptionType, lhs.taskName) < (rhs.exceptionType, rhs.taskName)
        }
    }

    public private(set) var count = 0
    public private(set) var lastSeen: Double?
    public private(set) var lastTaskID: String?
    /// The most recent exception text, e.g. "ValueError('boom')".
    public private(set) var lastException: String?

    mutating func add(_ record: TaskRecord) {
        count += 1
        if let timestamp = record.timestamp, timestamp >= (lastSeen ?? -.infinity) { lastSeen = timestamp }
        lastTaskID = record.id
        lastException = record.exception
    }
}
