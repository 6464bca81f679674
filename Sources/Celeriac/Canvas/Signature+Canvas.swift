/// Celery's canvas primitives as signatures, in the JSON shape Celery sends them:
/// `celery.chain` and `celery.group` keep their members under `kwargs.tasks`,
/// `celery.chord` its header group and body under `kwargs.header` and `kwargs.body`.
extension Signature {
    /// What a signature stands for once its `subtask_type` is read.
    public enum Kind: Sendable, Hashable {
        case task
        case chain([Signature])
        case group([Signature])
        case chord(header: [Signature], body: Signature?)
        /// `chunks(task, items, n)`: applied as a group of starmaps over parts of n items.
        case chunks(group: Signature)
    }

    /// The signature's kind; a malformed member list is an error, not a plain task.
    public func kind() throws(SignatureError) -> Kind {
        switch subtaskType {
        case "chain": return .chain(try Self.members(kwargs["tasks"], key: "tasks"))
        case "group": return .group(try Self.members(kwargs["tasks"], key: "tasks"))
        case "chord":
            let header: [Signature]
            switch kwargs["header"] {
            case .object?: header = try Signature(json: kwargs["header"]!).groupMembers()
            case let other: header = try Self.members(other, key: "header")
            }
            var body: Signature?
            if let json = kwargs["body"], !json.isNull { body = try Signature(json: json) }
            return .chord(header: header, body: body)
        case "chunks":
            guard let task = kwargs["task"], let items = kwargs["it"]?.arrayValue, let size = kwargs["n"]?.intValue, size > 0
            else { throw .invalidField("chunks needs 'task', a list 'it' and a positive 'n'") }
            let parts = stride(from: 0, to: items.count, by: size).map { Array(items[$0..<min($0 + size, items.count)]) }
            let starmaps = try parts.map { part throws(SignatureError) in
                Signature.starmap(try Signature(json: task), part.map { $0.arrayValue ?? [$0] })
            }
            return .chunks(group: .group(starmaps, options: options))
        default: return .task
        }
    }

    /// A group's members; a lone signature counts as a group of one, as Celery's
    /// `_maybe_group` treats it.
    func groupMembers() throws(SignatureError) -> [Signature] {
        if case .group(let members) = try kind() { return members }
        return [self]
    }

    private static func members(_ value: JSONValue?, key: String) throws(SignatureError) -> [Signature] {
        guard let value, !value.isNull else { return [] }
        guard let list = value.arrayValue else { throw .notAList(key: key) }
        var members: [Signature] = []
        for item in list { members.append(try Signature(json: item)) }
        return members
    }

    // MARK: Building

    /// `chain(a, b, c)`: each runs after the one before, given its result.
    public static func chain(_ tasks: [Signature], options: [String: JSONValue] = [:]) -> Signature {
        Signature(task: "celery.chain", kwargs: ["tasks": .array(tasks.map(\.json))], options: options,
                  subtaskType: "chain")
    }

    /// `group(a, b, c)`: all run at once; their results come back as one list, in order.
    public static func group(_ tasks: [Signature], options: [String: JSONValue] = [:]) -> Signature {
        Signature(task: "celery.group", kwargs: ["tasks": .array(tasks.map(\.json))], options: options,
                  subtaskType: "group")
    }

    /// `chord(header, body)`: the header runs as a group; the body runs once with the list of
    /// the header's results.
    public static func chord(_ header: [Signature], body: Signature, options: [String: JSONValue] = [:]) -> Signature {
        chord(header: group(header), body: body, options: options)
    }

    /// A chord whose header is a group signature, keeping the group's own options.
    static func chord(header: Signature, body: Signature, options: [String: JSONValue] = [:]) -> Signature {
        Signature(task: "celery.chord", kwargs: ["header": header.json, "body": body.json, "kwargs": .object([:])],
                  options: options, subtaskType: "chord")
    }

    /// `a | b`: a chain, flattened as Celery's `|` flattens it. A group piped into a task is
    /// a chain here; applying it makes the chord Celery makes of it.
    public static func | (left: Signature, right: Signature) -> Signature {
        let leftSteps = (try? left.kind()).flatMap { if case .chain(let steps) = $0, left.options.isEmpty { steps } else { nil } } ?? [left]
        let rightSteps = (try? right.kind()).flatMap { if case .chain(let steps) = $0, right.options.isEmpty { steps } else { nil } } ?? [right]
        return chain(leftSteps + rightSteps)
    }
}
