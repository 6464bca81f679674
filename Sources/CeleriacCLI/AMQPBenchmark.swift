import AMQPClient
import Foundation
import NIOCore

/// The AMQP benchmark workload, shared by every client it compares.
struct AMQPBenchmark {
    enum PublishMode: CaseIterable {
        /// Many messages in flight, one wait for all confirms: how a fast producer publishes.
        case pipelinedConfirms
        /// Each publish waits for its confirm: what pika's BlockingConnection does.
        case confirmEach
    }

    struct Result {
        var client: String
        var publishPerSecond: Double
        var consumePerSecond: Double

        var line: String {
            let name = client.padding(toLength: 52, withPad: " ", startingAt: 0)
            return String(format: "%@ publish %9.0f msg/s   consume %9.0f msg/s", name, publishPerSecond,
                          consumePerSecond)
        }
    }

    let configuration: AMQPConnectionConfiguration
    let messages: Int
    let bodySize: Int

    func run(mode: PublishMode) async throws -> Result {
        let connection = try await AMQPConnection.connect(to: configuration)
        let channel = try await connection.openChannel()
        let queue = "celeriac.bench.swift"
        try await channel.queueDelete(queue)
        try await channel.queueDeclare(queue, durable: true)
        try await channel.confirmSelect()
        let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: bodySize)
        let properties = AMQPBasicProperties(deliveryMode: 2)

        let publishStart = ContinuousClock.now
        switch mode {
        case .pipelinedConfirms:
            for _ in 0..<messages {
                try await channel.publish(body, routingKey: queue, properties: properties)
            }
            try await channel.waitForConfirms()
        case .confirmEach:
            for _ in 0..<messages {
                try await channel.publishConfirmed(body, routingKey: queue, properties: properties)
            }
        }
        let publishSeconds = (ContinuousClock.now - publishStart).inSeconds

        try await channel.basicQos(prefetchCount: 100)
        let consumeStart = ContinuousClock.now
        let consumer = try await channel.consume(queue: queue)
        var received = 0
        for try await delivery in consumer {
            try delivery.ack()
            received += 1
            if received == messages { break }
        }
        let consumeSeconds = (ContinuousClock.now - consumeStart).inSeconds
        try await consumer.cancel()
        try await channel.queueDelete(queue)
        try await connection.close()

        let label = mode == .pipelinedConfirms ? "pipelined confirms" : "confirm each"
        return Result(client: "Celeriac AMQPClient \(celeriacVersion) (\(label))",
                      publishPerSecond: Double(messages) / publishSeconds,
                      consumePerSecond: Double(messages) / consumeSeconds)
    }
}
