import Foundation
import RedisClient

/// `redis://[:password@]host:port/db`: results as Celery's Redis backend keeps them — Celery's
/// result JSON under `celery-task-meta-<task id>`, expiring after `result_expires`, and
/// published on a channel named after the key, so a waiter learns of a result without
/// polling. A Python caller reads what a Swift worker stored, and the reverse.
public actor RedisResultBackend: ResultBackend {
    public nonisolated let url: String
    public nonisolated let isPersistent = true
    /// Seconds a result is kept; nil (or ≤ 0) keeps it for ever, as result_expires = None does.
    public nonisolated let expires: Double?
    public nonisolated let address: RedisURL
    private var commands: RedisConnection?

    /// Celery's `task_keyprefix`.
    public static let keyPrefix = "celery-task-meta-"

    public init(url: String, expires: Double? = 86_400) throws {
        address = try RedisURL(url)
        self.url = url
        self.expires = expires
    }

    public static func key(for taskID: String) -> String { keyPrefix + taskID }

    // MARK: Reading

    public func meta(for taskID: String) async throws -> ResultMeta? {
        let reply = try await connection().send("GET", RESPArgument(Self.key(for: taskID)))
        guard let bytes = reply.bytes else { return nil }
        return try Self.decode(bytes, taskID: taskID)
    }

    /// Subscribes to the task's channel first and reads the key second, so a result stored
    /// in between is seen either way; then waits for the published one.
    public func waitUntilReady(_ taskID: String, timeout: Double?) async throws -> ResultMeta {
        let subscriber = try await RedisConnection.connect(to: address)
        defer { Task { await subscriber.close() } }
        let messages = try await subscriber.subscribe(Self.key(for: taskID))
        if let meta = try await meta(for: taskID), meta.status.isReady { return meta }
        return try await withThrowingTaskGroup(of: ResultMeta.self) { group in
            group.addTask {
                for try await message in messages {
                    let meta = try Self.decode(message.payload, taskID: taskID)
                    if meta.status.isReady { return meta }
                }
                throw ResultError.storeFailed("the Redis subscription for \(taskID) ended")
            }
            // Duration traps on infinite or huge seconds; beyond a century is "for ever" anyway.
            if let timeout, timeout < 3e9 {
                group.addTask {
                    try await Task.sleep(for: .seconds(max(timeout, 0)))  // the caller's own limit
                    throw ResultError.timeout(taskID: taskID, seconds: timeout)
                }
            }
            defer { group.cancelAll() }
            guard let meta = try await group.next() else { throw ResultError.timeout(taskID: taskID, seconds: timeout ?? 0) }
            return meta
        }
    }

    // MARK: Writing

    /// Stores and publishes one state. As Celery's key-value backends do, a stored SUCCESS is
    /// never replaced: a redelivered copy of a task that already succeeded must not hide
    /// its result. (Like Celery's, the check and the write are two commands, not one.)
    public func store(_ meta: ResultMeta) async throws {
        let redis = try await connection()
        let key = RESPArgument(Self.key(for: meta.taskID))
        if let current = try await redis.send("GET", key).bytes,
           (try? Self.decode(current, taskID: meta.taskID))?.status == .success {
            return
        }
        try await setAndPublish(Self.key(for: meta.taskID), value: meta.json.serializedBytes)
    }

    /// Celery's `_set`: SETEX (or SET when results never expire) and PUBLISH on the key's
    /// channel, in one pipeline.
    func setAndPublish(_ key: String, value: [UInt8]) async throws {
        let key = RESPArgument(key)
        let value = RESPArgument(bytes: value)
        let set: (name: String, arguments: [RESPArgument]) = expirySeconds.map { ("SETEX", [key, RESPArgument($0), value]) }
            ?? ("SET", [key, value])
        for reply in try await connection().pipeline([set, ("PUBLISH", [key, value])]) {
            if case .error(let message) = reply { throw RESPError.server(message) }
        }
    }

    /// `result_expires` in whole seconds, or nil when results are kept for ever.
    var expirySeconds: Int? {
        guard let expires, expires > 0 else { return nil }
        return Int(expires.rounded(.up))
    }

    public func forget(_ taskID: String) async throws {
        try await connection().send("DEL", RESPArgument(Self.key(for: taskID)))
    }

    public func close() async {
        await commands?.close()
        commands = nil
    }

    // MARK: Internals

    /// The connection for commands, made on first use and again after it broke.
    func connection() async throws -> RedisConnection {
        if let commands, commands.isOpen { return commands }
        let made = try await RedisConnection.connect(to: address)
        commands = made
        return made
    }

    private static func decode(_ bytes: [UInt8], taskID: String) throws -> ResultMeta {
        do {
            return try ResultMeta(json: JSONValue(parsing: bytes))
        } catch {
            throw ResultError.storeFailed("the result of \(taskID) in Redis is not Celery's result JSON: \(error)")
        }
    }
}
