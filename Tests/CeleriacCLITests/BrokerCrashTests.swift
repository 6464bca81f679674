import AMQPClient
import Foundation
import NIOCore
import Testing

/// `celeriac broker` killed with SIGKILL and started again on the same data dir loses
/// nothing it confirmed, and hands out nothing twice.
@Suite(.timeLimit(.minutes(2)))
struct BrokerCrashTests {
    let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-crash-\(UUID().uuidString)").path

    @Test func confirmedPersistentMessagesSurviveKillAndRestartIntact() async throws {
        let count = 2000
        let first = try await BrokerProcess.start(dataDirectory: dataDirectory)
        do {
            let connection = try await AMQPConnection.connect(url: first.url)
            let channel = try await connection.openChannel()
            try await channel.exchangeDeclare("orders", type: "direct", durable: true)
            try await channel.queueDeclare("crash", durable: true)
            try await channel.queueBind("crash", exchange: "orders", routingKey: "new")
            try await channel.confirmSelect()
            for index in 0..<count {
                try await channel.publish(ByteBuffer(string: "message \(index)"), exchange: "orders", routingKey: "new",
                                          properties: AMQPBasicProperties(headers: ["index": .int64(Int64(index))], deliveryMode: 2))
            }
            try await channel.waitForConfirms()
            // Half of them consumed and acked before the crash: those must not come back.
            var consumed = try await channel.consume(queue: "crash").makeAsyncIterator()
            for _ in 0..<(count / 2) { try #require(try await consumed.next()).ack() }
            // Acks are not confirmed; a passive declare after them is answered only after the
            // broker has read them.
            #expect(try await channel.queueDeclare("crash", passive: true).messageCount <= count / 2)
        }
        first.kill9()

        let second = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { second.stop() }
        let connection = try await AMQPConnection.connect(url: second.url)
        let channel = try await connection.openChannel()
        var seen: [Int] = []
        while let delivery = try await channel.get(queue: "crash", noAck: true) {
            let body = String(buffer: delivery.body)
            #expect(delivery.properties.headers?["index"] == .int64(Int64(body.dropFirst(8))!))
            seen.append(Int(body.dropFirst(8))!)
        }
        #expect(seen.count == count / 2, "\(second.log)")
        #expect(seen == Array((count / 2)..<count))  // the rest, in order, each once
        // The exchange and the binding came back too.
        try await channel.confirmSelect()
        try await channel.publishConfirmed(ByteBuffer(string: "after"), exchange: "orders", routingKey: "new", mandatory: true)
        #expect(try await channel.queueDeclare("crash", passive: true).messageCount == 1)
        try await connection.close()
    }
}
