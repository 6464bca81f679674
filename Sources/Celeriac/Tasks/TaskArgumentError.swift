/// Why a call's args and kwargs do not fit a task's arguments (or its arguments could not be
/// sent). A task that throws it fails with a message a user can act on; it is never retried,
/// since the same message would fail the same way.
public enum TaskArgumentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A name given both positionally and by keyword (Python's "got multiple values").
    case multipleValues(task: String, argument: String)
    /// More positional arguments than the task names.
    case tooManyPositional(task: String, accepted: Int, given: Int)
    /// Arguments given to a task that takes none.
    case unexpected(task: String, received: String)
    /// Both positional and keyword arguments, for a task that names no positional arguments.
    case mixedWithoutNames(task: String, received: String)
    /// The arguments did not decode into the task's type: `expected` is that type with the
    /// names it binds, `problem` names the argument at fault and what it should be.
    case undecodable(task: String, expected: String, problem: String, received: String)
    /// The arguments could not be encoded as JSON for sending.
    case unencodable(task: String, problem: String)

    public var description: String {
        switch self {
        case .multipleValues(let task, let argument):
            return "task '\(task)' got multiple values for argument '\(argument)'"
        case .tooManyPositional(let task, let accepted, let given):
            return "task '\(task)' takes \(accepted) positional argument\(accepted == 1 ? "" : "s") "
                + "but \(given) \(given == 1 ? "was" : "were") given"
        case .unexpected(let task, let received):
            return "task '\(task)' takes no arguments but was called with \(received)"
        case .mixedWithoutNames(let task, let received):
            return "task '\(task)' names no positional arguments, so it takes args or kwargs but not both; "
                + "called with \(received)"
        case .undecodable(let task, let expected, let problem, let received):
            return "task '\(task)' could not read its arguments as \(expected): \(problem); called with \(received)"
        case .unencodable(let task, let problem):
            return "the arguments of task '\(task)' cannot be sent as JSON: \(problem)"
        }
    }
}

/// A task's return value could not be encoded as JSON (Celery's EncodeError): the task fails.
public enum TaskOutputError: Error, Sendable, Hashable, CustomStringConvertible {
    case unencodable(task: String, type: String, problem: String)

    public var description: String {
        switch self {
        case .unencodable(let task, let type, let problem):
            return "task '\(task)' returned a \(type) that cannot be stored as JSON: \(problem)"
        }
    }
}
