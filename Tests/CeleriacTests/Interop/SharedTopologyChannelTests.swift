@testable import Celeriac
import Foundation
import Testing

/// Declares share one channel per connection. A declare the broker refuses by closing its
/// channel (an exclusive queue another connection holds: 405) must not take the declares made
/// beside it down with it.
@Suite("The shared topology channel", .enabled(if: Peers.hasRabbitMQ), .timeLimit(.minutes(1)))
struct SharedTopologyChannelTests {
    @Test func aRefusedDeclareDoesNotFailTheOnesBesideIt() async throws {
        let holder = App(Peers.configuration())
        let held = "held-\(UUID().uuidString.prefix(8))"
        try await holder.transport().declare(QueueDeclaration(name: held, durable: false, exclusive: true, autoDelete: true))
        let app = App(Peers.configuration())
        let transport = try await app.transport()
        let refused = try await withThrowingTaskGroup(of: Bool.self) { group in
            for round in 0..<20 {
                group.addTask {
                    do {
                        try await transport.declare(QueueDeclaration(name: held, durable: false, exclusive: true, autoDelete: true))
                        return false
                    } catch let error as BrokerError where error.isExclusiveQueueHeldElsewhere {
                        return true
                    }
                }
                group.addTask {
                    // Each of these must succeed, whatever the refusals beside it did.
                    try await transport.declare(QueueDeclaration(name: "free-\(round)-\(UUID().uuidString.prefix(6))",
                                                                 durable: false, exclusive: true, autoDelete: true))
                    return false
                }
                group.addTask {
                    try await transport.declare(QueueDeclaration(name: "shared-\(round)-\(UUID().uuidString.prefix(6))",
                                                                 durable: false, autoDelete: true,
                                                                 arguments: ["x-expires": 10_000]))
                    return false
                }
            }
            return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(refused == 20)
        await app.close()
        await holder.close()
    }
}
