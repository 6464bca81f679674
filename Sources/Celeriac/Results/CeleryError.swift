/// A task's failure as Celery serializes it in JSON: `{exc_type, exc_message, exc_module}`.
/// A Python task's exception comes back to Swift as this error, and a Swift task's error is
/// stored in the same shape so Python callers see a familiar exception.
public struct CeleryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The exception class name, e.g. "ValueError".
    public var type: String
    /// The exception's args; Celery stores a list.
    public var message: [JSONValue]
    /// The module the class lives in, e.g. "builtins".
    public var module: String
    public var traceback: String?

    public init(type: String, message: [JSONValue], module: String = "builtins", traceback: String? = nil) {
        self.type = type
        self.message = message
        self.module = module
        self.traceback = traceback
    }

    /// Describes a Swift error in Celery's shape: its type name, its description, module "swift".
    public init(swiftError error: any Error, traceback: String? = nil) {
        if let celery = error as? CeleryError {
            self = celery
            return
        }
        self.init(type: String(describing: Swift.type(of: error)), message: [.string("\(error)")], module: "swift",
                  traceback: traceback)
    }

    /// Reads Celery's JSON form; nil when `json` is not an exception object.
    public init?(json: JSONValue, traceback: String? = nil) {
        guard let type = json["exc_type"]?.stringValue else { return nil }
        let message: [JSONValue]
        switch json["exc_message"] {
        case .array(let values)?: message = values
        case nil, .null?: message = []
        case let value?: message = [value]  // older Celery stored a bare string
        }
        self.init(type: type, message: message, module: json["exc_module"]?.stringValue ?? "builtins",
                  traceback: traceback)
    }

    public var json: JSONValue {
        ["exc_type": .string(type), "exc_message": .array(message), "exc_module": .string(module)]
    }

    /// "ValueError('boom')" — how Python shows it, and how events describe a failure.
    public var pythonRepr: String {
        "\(type)(\(message.map(\.pythonRepr).joined(separator: ", ")))"
    }

    public var description: String {
        let text = message.map { $0.stringValue ?? $0.pythonRepr }.joined(separator: ", ")
        return module == "builtins" || module == "swift" ? "\(type): \(text)" : "\(module).\(type): \(text)"
    }
}
