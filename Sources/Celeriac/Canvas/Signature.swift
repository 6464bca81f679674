/// A task call that can travel: Celery's signature, `{task, args, kwargs, options,
/// subtask_type, immutable, chord_size}`. It rides in a message's embed (link, link_error,
/// chain, chord) and is carried through unchanged; keys Celery adds later are kept.
public struct Signature: Sendable, Hashable {
    public var task: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    /// apply_async options: queue, task_id, reply_to, countdown, priority, …
    public var options: [String: JSONValue]
    /// nil for a plain task; "chain", "group", "chord" for canvas primitives.
    public var subtaskType: String?
    /// An immutable signature does not receive its parent's result as a first argument.
    public var immutable: Bool
    public var chordSize: Int?
    public var other: [String: JSONValue]

    public init(task: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                options: [String: JSONValue] = [:], subtaskType: String? = nil, immutable: Bool = false,
                chordSize: Int? = nil, other: [String: JSONValue] = [:]) {
        self.task = task
        self.args = args
        self.kwargs = kwargs
        self.options = options
        self.subtaskType = subtaskType
        self.immutable = immutable
        self.chordSize = chordSize
        self.other = other
    }

    /// `.s(...)`: a mutable signature, which a parent's result is prepended to.
    public static func s(_ task: String, _ args: JSONValue..., kwargs: [String: JSONValue] = [:]) -> Signature {
        Signature(task: task, args: args, kwargs: kwargs)
    }

    /// `.si(...)`: an immutable signature, which ignores its parent's result.
    public static func si(_ task: String, _ args: JSONValue..., kwargs: [String: JSONValue] = [:]) -> Signature {
        Signature(task: task, args: args, kwargs: kwargs, immutable: true)
    }

    /// `.set(...)`: the same call with more options.
    public func set(_ options: [String: JSONValue]) -> Signature {
        var copy = self
        copy.options.merge(options) { _, new in new }
        return copy
    }

    /// Partial application: `args` go before the signature's own (unless immutable), and
    /// `kwargs` merge under its own, as Celery's `Signature.clone` does.
    public func prepending(_ args: [JSONValue], kwargs: [String: JSONValue] = [:]) -> Signature {
        guard !immutable else { return self }
        var copy = self
        copy.args = args + self.args
        copy.kwargs = kwargs.merging(self.kwargs) { _, own in own }
        return copy
    }
}

/// Why a JSON value is not a signature.
public enum SignatureError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnObject(String)
    case notAList(key: String)
    case missingTask
    case invalidField(String)

    public var description: String {
        switch self {
        case .notAnObject(let text): return "a signature must be a JSON object, got \(text.prefix(80))"
        case .notAList(let key): return "embed '\(key)' must be a list of signatures or null"
        case .missingTask: return "a signature needs a 'task' name"
        case .invalidField(let field): return "signature field '\(field)' has the wrong type"
        }
    }
}

extension Signature {
    public init(json: JSONValue) throws(SignatureError) {
        guard case .object(var object) = json else { throw .notAnObject(json.serialized) }
        guard let task = object.removeValue(forKey: "task")?.stringValue else { throw .missingTask }
        let args = object.removeValue(forKey: "args") ?? .array([])
        let kwargs = object.removeValue(forKey: "kwargs") ?? .object([:])
        let options = object.removeValue(forKey: "options") ?? .object([:])
        guard let argList = args.isNull ? [] : args.arrayValue else { throw .invalidField("args") }
        guard let kwargMap = kwargs.isNull ? [:] : kwargs.objectValue else { throw .invalidField("kwargs") }
        guard let optionMap = options.isNull ? [:] : options.objectValue else { throw .invalidField("options") }
        let subtaskType = object.removeValue(forKey: "subtask_type")?.stringValue
        let immutable = object.removeValue(forKey: "immutable")?.boolValue ?? false
        let chordSize = object.removeValue(forKey: "chord_size")
        self.init(task: task, args: argList, kwargs: kwargMap, options: optionMap, subtaskType: subtaskType,
                  immutable: immutable, chordSize: chordSize?.intValue, other: object)
        if let chordSize, !chordSize.isNull, chordSize.intValue == nil { throw .invalidField("chord_size") }
        if chordSize == .null { self.other["chord_size"] = .null }
    }

    /// The JSON form Celery writes; `chord_size` only when set (or when it came as null).
    public var json: JSONValue {
        var object = other
        object["task"] = .string(task)
        object["args"] = .array(args)
        object["kwargs"] = .object(kwargs)
        object["options"] = .object(options)
        object["subtask_type"] = subtaskType.map(JSONValue.string) ?? .null
        object["immutable"] = .bool(immutable)
        if let chordSize { object["chord_size"] = .int(chordSize) }
        return .object(object)
    }
}
