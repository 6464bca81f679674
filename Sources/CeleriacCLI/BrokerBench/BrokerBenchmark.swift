import AMQPClient
import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Drives one workload against one broker with our client over several connections, so the
/// load generator is not what is measured. Queues are made fresh for each run and deleted
/// after it.
struct BrokerBenchmark: Sendable {
    let url: String
    let messages: Int
    let connections: Int
    /// The broker's process, for its resident memory; nil when unknown.
    let brokerPID: Int32?

    func run(_ workload: BrokerWorkload) async throws -> BrokerWorkloadResult {
        let memory = brokerPID.map { PeakMemory(pid: $0) }
        defer { memory?.stop() }
        var result: BrokerWorkloadResult
        switch workload {
        case .persistent: result = try await producersAndConsumers(queues: 1, persistent: true, bodySize: 100, producers: connections)
        case .transient: result = try await producersAndConsumers(queues: 1, persistent: false, bodySize: 100, producers: connections)
        case .fanout: result = try await fanout()
        case .manyQueues: result = try await manyQueues()
        case .small: result = try await producersAndConsumers(queues: 1, persistent: false, bodySize: 16, producers: 1, consumers: 1)
        }
        result.residentMiB = Double(memory?.kib ?? 0) / 1024
        return result
    }

    // MARK: Workloads

    private func producersAndConsumers(queues: Int, persistent: Bool, bodySize: Int, producers: Int,
                                       consumers: Int? = nil) async throws -> BrokerWorkloadResult {
        let queue = "bench.\(UUID().uuidString.prefix(8))"
        let setup = try await AMQPConnection.connect(url: url)
        let setupChannel = try await setup.openChannel()
        try await setupChannel.queueDeclare(queue, durable: persistent)
        let counter = DeliveryCounter(target: messages)
        let consumerConnections = try await startConsumers(count: consumers ?? connections, queues: [queue],
                                                           manualAck: persistent, counter: counter)
        let latencies = NIOLockedValueBox<[Double]>([])
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<producers {
                let share = messages / producers + (index < messages % producers ? 1 : 0)
                group.addTask {
                    let measured = try await self.publish(share, to: queue, exchange: "", persistent: persistent,
                                                          bodySize: bodySize)
                    latencies.withLockedValue { $0 += measured }
                }
            }
            try await group.waitForAll()
        }
        await counter.reached()
        let seconds = Self.seconds(since: start)
        for connection in consumerConnections { try? await connection.close() }
        try await setupChannel.queueDelete(queue)
        try await setup.close()
        let sorted = latencies.withLockedValue { $0.sorted() }
        return BrokerWorkloadResult(messagesPerSecond: Double(messages) / seconds,
                                    confirmP50: sorted.isEmpty ? nil : Self.percentile(sorted, 0.5),
                                    confirmP99: sorted.isEmpty ? nil : Self.percentile(sorted, 0.99), residentMiB: 0)
    }

    private func fanout() async throws -> BrokerWorkloadResult {
        let exchange = "bench.fanout.\(UUID().uuidString.prefix(8))"
        let queues = (0..<10).map { "\(exchange).\($0)" }
        let setup = try await AMQPConnection.connect(url: url)
        let channel = try await setup.openChannel()
        try await channel.exchangeDeclare(exchange, type: "fanout", autoDelete: true)
        for queue in queues {
            try await channel.queueDeclare(queue)
            try await channel.queueBind(queue, exchange: exchange)
        }
        let published = messages / 10
        let counter = DeliveryCounter(target: published * queues.count)
        let consumerConnections = try await startConsumers(count: connections, queues: queues, manualAck: false, counter: counter)
        let start = ContinuousClock.now
        _ = try await publish(published, to: "", exchange: exchange, persistent: false, bodySize: 100)
        await counter.reached()
        let seconds = Self.seconds(since: start)
        for connection in consumerConnections { try? await connection.close() }
        for queue in queues { try await channel.queueDelete(queue) }
        try await setup.close()
        return BrokerWorkloadResult(messagesPerSecond: Double(published * queues.count) / seconds, residentMiB: 0)
    }

    private func manyQueues() async throws -> BrokerWorkloadResult {
        let prefix = "bench.many.\(UUID().uuidString.prefix(8))"
        let queues = (0..<1000).map { "\(prefix).\($0)" }
        let perQueue = 5
        let setup = try await AMQPConnection.connect(url: url)
        let channel = try await setup.openChannel()
        let start = ContinuousClock.now
        for queue in queues { try await channel.queueDeclare(queue) }
        let counter = DeliveryCounter(target: queues.count * perQueue)
        let consumerConnections = try await startConsumers(count: connections, queues: queues, manualAck: false, counter: counter)
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: 100)
        for _ in 0..<perQueue {
            for queue in queues { try await channel.publish(body, routingKey: queue) }
        }
        await counter.reached()
        let seconds = Self.seconds(since: start)
        for connection in consumerConnections { try? await connection.close() }
        for queue in queues { try await channel.queueDelete(queue) }
        try await setup.close()
        return BrokerWorkloadResult(messagesPerSecond: Double(queues.count * perQueue) / seconds, residentMiB: 0)
    }

    // MARK: Parts

    /// Publishes `count` messages on a connection of its own; with `persistent`, in confirm
    /// mode with up to 1,000 unconfirmed, returning each publish → confirm time.
    private func publish(_ count: Int, to queue: String, exchange: String, persistent: Bool, bodySize: Int)
        async throws -> [Double]
    {
        let connection = try await AMQPConnection.connect(url: url)
        let channel = try await connection.openChannel()
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bodySize)
        var latencies: [Double] = []
        if persistent {
            try await channel.confirmSelect()
            let properties = AMQPBasicProperties(deliveryMode: 2)
            let window = ConfirmWindow(limit: 1000, expected: count)
            for _ in 0..<count {
                await window.enter()
                let sent = ContinuousClock.now
                let confirmed = try await channel.publishAwaitingConfirm(body, exchange: exchange, routingKey: queue,
                                                                         properties: properties)
                confirmed.whenComplete { window.leave(latency: Self.seconds(since: sent), result: $0) }
            }
            latencies = try await window.drained()
        } else {
            for _ in 0..<count { try await channel.publish(body, exchange: exchange, routingKey: queue) }
        }
        try await connection.close()
        return latencies
    }

    /// Consumers spread over `count` connections, each queue consumed once, counting what
    /// arrives; with `manualAck`, prefetch 100 and an ack per message.
    private func startConsumers(count: Int, queues: [String], manualAck: Bool, counter: DeliveryCounter)
        async throws -> [AMQPConnection]
    {
        var opened: [AMQPConnection] = []
        for index in 0..<max(1, count) {
            let connection = try await AMQPConnection.connect(url: url)
            opened.append(connection)
            let channel = try await connection.openChannel()
            if manualAck { try await channel.basicQos(prefetchCount: 100) }
            // With one queue, every connection consumes it; with many, they share them out.
            let mine = queues.count == 1 ? queues : queues.enumerated().filter { $0.offset % count == index }.map(\.element)
            for queue in mine {
                try await channel.consume(queue: queue, noAck: !manualAck, onDelivery: { delivery in
                    if manualAck { try? delivery.ack() }
                    counter.add()
                }, onEnd: { _ in })
            }
        }
        return opened
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        (ContinuousClock.now - start).inSeconds
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]
    }
}

