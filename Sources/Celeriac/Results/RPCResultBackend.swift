import Foundation

/// `rpc://`: results come back as messages to this client's own reply queue, exactly as
/// Celery's rpc backend sends them (body = meta JSON, correlation_id = task id). Only the
/// process that sent a task can read its result; states arrive in order, the last wins.
public actor RPCResultBackend: ResultBackend {
    public nonisolated let url = "rpc://"
    public nonisolated let isPersistent = false
    /// The queue named in every task's reply_to.
    public nonisolated let replyQueue: String
    private let transport: any BrokerTransport
    private var latest: [String: ResultMeta] = [:]
    /// Arrival order of `latest`, so a long-lived client keeps a bounded number of results.
    private var arrivals: [String] = []
    static let retainedResults = 10_000
    private var waiters: [String: [CheckedContinuation<ResultMeta, any Error>]] = [:]
    private var consuming: Task<Void, Never>?
    private var failure: (any Error)?

    public init(transport: any BrokerTransport, replyQueue: String = UUID().uuidString.lowercased()) {
        self.transport = transport
        self.replyQueue = replyQueue
    }

    /// Declares the reply queue and starts reading it; idempotent.
    public func start() async throws {
        guard consuming == nil else { return }
        try await transport.declare(.rpcReplies(replyQueue))
        let messages = try await transport.consume(queue: replyQueue, prefetch: 0, noAck: true)
        consuming = Task { [weak self] in
            do {
                for try await received in messages {
                    await self?.receive(received.message)
                }
                await self?.end(with: BrokerError.connectionLost(reason: "the reply queue consumer ended"))
            } catch {
                await self?.end(with: error)
            }
        }
    }

    private func receive(_ message: BrokerMessage) {
        guard let json = try? JSONValue(parsing: message.body), let meta = try? ResultMeta(json: json) else { return }
        if latest.updateValue(meta, forKey: meta.taskID) == nil { arrivals.append(meta.taskID) }
        // Evicting in halves keeps the cost per message constant.
        if arrivals.count > 2 * Self.retainedResults {
            let evicted = arrivals.prefix(arrivals.count - Self.retainedResults)
            for id in evicted where waiters[id] == nil { latest[id] = nil }
            arrivals.removeFirst(evicted.count)
        }
        guard meta.status.isReady, let waiting = waiters.removeValue(forKey: meta.taskID) else { return }
        for waiter in waiting { waiter.resume(returning: meta) }
    }

    private func end(with error: any Error) {
        failure = error
        for (_, waiting) in waiters { for waiter in waiting { waiter.resume(throwing: error) } }
        waiters.removeAll()
    }

    public func meta(for taskID: String) async throws -> ResultMeta? {
        latest[taskID]
    }

    public func waitUntilReady(_ taskID: String, timeout: Double?) async throws -> ResultMeta {
        if let meta = latest[taskID], meta.status.isReady { return meta }
        if let failure { throw failure }
        let timer = timeout.map { seconds in
            Task { [weak self] in
                try? await Task.sleep(for: .seconds(seconds))  // the deadline itself, not a stand-in
                await self?.expire(taskID, after: seconds)
            }
        }
        defer { timer?.cancel() }
        return try await withCheckedThrowingContinuation { continuation in
            waiters[taskID, default: []].append(continuation)
        }
    }

    private func expire(_ taskID: String, after seconds: Double) {
        guard let waiting = waiters.removeValue(forKey: taskID) else { return }
        for waiter in waiting { waiter.resume(throwing: ResultError.timeout(taskID: taskID, seconds: seconds)) }
    }

    /// Workers send rpc results to the caller's queue; a client has nothing to store.
    public func store(_ meta: ResultMeta) async throws {
        throw ResultError.notReadableHere(taskID: meta.taskID, backend: url)
    }

    public func forget(_ taskID: String) async throws {
        latest[taskID] = nil
    }

    public func close() async {
        consuming?.cancel()
        end(with: ResultError.storeFailed("the result backend was closed"))
    }
}
