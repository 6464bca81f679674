import Foundation

/// Sends remote-control requests to workers, as `celery inspect`/`control` do: the request
/// goes to every node through the `celery.pidbox` fanout exchange, each addressed node
/// replies to this client's own reply queue, and replies are collected per ticket until the
/// timeout passes or `limit` replies came.
public actor ControlClient {
    private let transport: any BrokerTransport
    private let topology: PidboxTopology
    private let replyKey = PidboxTopology.newReplyKey()
    private var replies: Task<Void, Never>?
    private var collectors: [String: Collector] = [:]

    private struct Collector {
        var replies: [PidboxReply] = []
        var limit: Int?
        var done: CheckedContinuation<[PidboxReply], Never>?
    }

    public init(transport: any BrokerTransport, topology: PidboxTopology = .celery) {
        self.transport = transport
        self.topology = topology
    }

    /// Sends `request` and returns the replies that came within `timeout` seconds (at most
    /// `limit`). No worker listening is not an error: the answer is then no replies.
    public func broadcast(_ request: PidboxRequest, timeout: Double = 1.0, limit: Int? = nil) async throws
        -> [PidboxReply]
    {
        try await startReceivingReplies()
        let addressed = request.replying(to: topology.replyAddress(for: replyKey), timeout: timeout)
        let ticket = addressed.ticket!
        collectors[ticket] = Collector(limit: limit)
        do {
            try await send(addressed)
        } catch {
            collectors[ticket] = nil
            throw error
        }
        let timer = Task { [weak self] in
            try? await Task.sleep(for: .seconds(timeout))  // the collection window itself
            await self?.finish(ticket)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { continuation in
            if let collector = collectors[ticket], let limit = collector.limit, collector.replies.count >= limit {
                collectors[ticket] = nil
                continuation.resume(returning: collector.replies)
            } else {
                collectors[ticket]?.done = continuation
            }
        }
    }

    /// Sends a request that wants no reply (Celery's `cast`), e.g. shutdown.
    public func cast(_ request: PidboxRequest) async throws {
        try await send(request)
    }

    private func send(_ request: PidboxRequest) async throws {
        try await transport.declare(ExchangeDeclaration(name: topology.exchange.name, type: topology.exchange.type,
                                                        durable: false))
        do {
            try await transport.publish(request.brokerMessage(topology: topology))
        } catch BrokerError.unroutable {
            // No node has a mailbox bound: nobody to answer.
        }
    }

    private func startReceivingReplies() async throws {
        guard replies == nil else { return }
        let queue = topology.replyQueue(for: replyKey)
        try await transport.declare(ExchangeDeclaration(name: topology.replyExchange.name,
                                                        type: topology.replyExchange.type, durable: false))
        try await transport.declare(QueueDeclaration(name: queue.name, durable: queue.durable,
                                                     exclusive: queue.exclusive, autoDelete: queue.autoDelete,
                                                     arguments: queue.arguments))
        try await transport.bind(queue: queue.name, exchange: queue.exchange, routingKey: queue.routingKey)
        let messages = try await transport.consume(queue: queue.name, prefetch: 0, noAck: true)
        replies = Task { [weak self] in
            do {
                for try await received in messages {
                    guard let reply = try? PidboxReply(received.message) else { continue }
                    await self?.collect(reply)
                }
            } catch {}
            await self?.finishAll()
        }
    }

    private func collect(_ reply: PidboxReply) {
        guard let ticket = reply.ticket, var collector = collectors[ticket] else { return }
        collector.replies.append(reply)
        collectors[ticket] = collector
        if let limit = collector.limit, collector.replies.count >= limit, collector.done != nil {
            finish(ticket)
        }
    }

    private func finish(_ ticket: String) {
        guard let collector = collectors.removeValue(forKey: ticket) else { return }
        collector.done?.resume(returning: collector.replies)
    }

    private func finishAll() {
        for ticket in collectors.keys { finish(ticket) }
    }
}
