import NIOConcurrencyHelpers

/// The tasks an app knows by name: a worker looks each message's task up here, synchronously,
/// on its delivery path (hence a lock, not an actor). Names are unique; registering one twice
/// is an error rather than a silent replacement, so two modules cannot shadow each other's task.
public final class TaskRegistry: Sendable {
    private let tasks = NIOLockedValueBox<[String: RegisteredTask]>([:])

    public init() {}

    /// Adds a task; throws when the name is empty or taken, or its options are invalid.
    public func register(_ task: RegisteredTask) throws(TaskRegistryError) {
        guard !task.name.isEmpty else { throw .emptyName }
        do throws(TaskOptionsError) {
            try task.options.validate()
        } catch {
            throw .invalidOptions(task: task.name, reason: error)
        }
        let added = tasks.withLockedValue { tasks in
            guard tasks[task.name] == nil else { return false }
            tasks[task.name] = task
            return true
        }
        guard added else { throw .duplicate(task.name) }
    }

    /// Adds a typed task.
    public func register<Arguments, Output>(_ definition: TaskDefinition<Arguments, Output>) throws(TaskRegistryError) {
        try register(RegisteredTask(definition))
    }

    /// The task registered under `name`, or nil (a worker then rejects the message).
    public func task(named name: String) -> RegisteredTask? {
        tasks.withLockedValue { $0[name] }
    }

    public subscript(name: String) -> RegisteredTask? { task(named: name) }

    /// Every registered name, sorted — what the `registered` control command replies.
    public var names: [String] {
        tasks.withLockedValue { $0.keys.sorted() }
    }

    public var count: Int {
        tasks.withLockedValue { $0.count }
    }
}

/// Why a task could not be registered.
public enum TaskRegistryError: Error, Sendable, Hashable, CustomStringConvertible {
    case duplicate(String)
    case emptyName
    case invalidOptions(task: String, reason: TaskOptionsError)

    public var description: String {
        switch self {
        case .duplicate(let name): return "a task named '\(name)' is already registered"
        case .emptyName: return "a task needs a name"
        case .invalidOptions(let task, let reason): return "task '\(task)' has invalid options: \(reason)"
        }
    }
}
