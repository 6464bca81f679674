import Foundation

/// What applying a signature returns: one task's result (a task, a chain's last task, a
/// chord's body) or a group's.
public enum CanvasResult: Sendable, CustomStringConvertible {
    case task(AsyncResult)
    case group(GroupResult)

    public var id: String {
        switch self {
        case .task(let result): return result.id
        case .group(let result): return result.id
        }
    }

    /// The value: the task's, or the group's list of values in order.
    public func get(timeout: Double? = nil, propagate: Bool = true) async throws -> JSONValue {
        switch self {
        case .task(let result): return try await result.get(timeout: timeout, propagate: propagate)
        case .group(let result): return .array(try await result.get(timeout: timeout, propagate: propagate))
        }
    }

    public var description: String {
        switch self {
        case .task(let result): return result.description
        case .group(let result): return result.description
        }
    }
}

extension App {
    /// Sends a canvas — a task, chain, group or chord, nested as you like — as Celery's
    /// `signature.apply_async(args, kwargs, **options)` sends it:
    ///
    ///     let workflow = Signature.chord([.s("demo.add", 1, 1), .s("demo.add", 2, 2)], body: .s("demo.xsum"))
    ///     let total = try await app.apply(workflow).get(timeout: 10)   // 6
    ///
    /// A chord needs a result backend that counts (redis://, db+sqlite://); rpc:// is refused
    /// before anything is sent. With rpc://, `expectResult: false` declares no reply queue.
    @discardableResult
    public func apply(_ signature: Signature, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                      options: [String: JSONValue] = [:], expectResult: Bool = true) async throws -> CanvasResult {
        let backend = try await connections.resultBackend()
        var replyTo = canvasReplyTo
        if expectResult, let rpc = backend as? RPCResultBackend {
            try await rpc.start()
            replyTo = rpc.replyQueue
        }
        let plan = try CanvasPlanner.plan(signature, args: args, kwargs: kwargs, options: options, replyTo: replyTo)
        try await publish(plan)
        switch plan.result {
        case .task(let id):
            return .task(AsyncResult(id: id, backend: backend, app: self))
        case .group(let id, let members):
            return .group(GroupResult(id: id, results: members.map { AsyncResult(id: $0.id, backend: backend, app: self) }))
        }
    }

    /// Publishes a plan's messages in order, after telling the backend each chord's size.
    public func publish(_ plan: CanvasPlan) async throws {
        if plan.startsChords {
            let backend = try await connections.resultBackend()
            guard let chords = backend as? any ChordStore else {
                throw CanvasError.chordsNeedAStoredBackend(backend: backend.map { String($0.url.prefix { $0 != ":" }) })
            }
            for chord in plan.chordSizes { try await chords.setChordSize(groupID: chord.groupID, size: chord.size) }
        }
        for message in plan.messages {
            _ = try await publish(message.name, routeName: message.routeName, args: message.args, kwargs: message.kwargs,
                                  options: message.options, replyTo: message.replyTo)
        }
    }

    /// A group's result by id, from a backend that saved it (`GroupResult.save`).
    public func groupResult(_ id: String) async throws -> GroupResult? {
        let backend = try await connections.resultBackend()
        guard let store = backend as? any GroupResultStore else {
            throw ResultError.unsupportedBackend(backend?.url ?? "none: groups are saved in redis:// or db+sqlite://")
        }
        guard let ids = try await store.restoreGroup(id) else { return nil }
        return GroupResult(id: id, results: ids.map { AsyncResult(id: $0, backend: backend, app: self) })
    }

    /// Saves a group's member ids so any process can read it by id (Celery's `GroupResult.save`).
    public func save(_ group: GroupResult) async throws {
        let backend = try await connections.resultBackend()
        guard let store = backend as? any GroupResultStore else {
            throw ResultError.unsupportedBackend(backend?.url ?? "none: groups are saved in redis:// or db+sqlite://")
        }
        try await store.saveGroup(group)
    }
}
