import AMQPClient
@testable import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `task_publish_retry`, on the real RabbitMQ node through a relay that can hold the broker's
/// replies and then drop the connection: the broker has the task, its confirm never came.
@Suite(.enabled(if: Peers.hasRabbitMQ), .serialized, .timeLimit(.minutes(1)))
struct PublishRetryTests {
    /// As Celery's producer: sent again on a new connection, so the task is there — twice,
    /// since the broker had taken the first copy (at least once, never lost).
    @Test func aPublishWhoseConnectionDiesBeforeItsConfirmIsSentAgain() async throws {
        let (sent, queued) = try await publishLosingTheConnection(retry: true)
        #expect(try sent.get() == ())
        #expect(queued == 3, "the first task, and the second twice")
    }

    /// With task_publish_retry off the send fails, naming the lost connection.
    @Test func withoutRetriesTheSendFailsNamingTheLostConnection() async throws {
        let (sent, queued) = try await publishLosingTheConnection(retry: false)
        #expect(throws: BrokerError.self) { try sent.get() }
        if case .failure(let error) = sent { #expect("\(error)".contains("connection was lost"), "\(error)") }
        #expect(queued == 2, "the broker took it once; nothing sent it again")
    }

    /// Sends a first task through the relay, then a second while the broker's replies are
    /// held, cuts the connection once the second is on its way, and counts the queue.
    private func publishLosingTheConnection(retry: Bool) async throws -> (sent: Result<Void, any Error>, queued: UInt32) {
        let live = try #require(Peers.amqpURL)
        let target = try #require(URLComponents(string: live))
        let proxy = try await KillableProxy(targetHost: target.host ?? "127.0.0.1", targetPort: target.port ?? 5672)
        var relayed = target
        relayed.host = "127.0.0.1"
        relayed.port = proxy.port
        let queue = "publish-retry-\(UUID().uuidString.prefix(8).lowercased())"
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = try #require(relayed.string)
        configuration.defaultQueue = queue
        configuration.taskPublishRetry = retry
        let app = App(configuration)
        _ = try await app.send("demo.add", args: [1, 1], expectResult: false)

        proxy.holdReplies()
        let id = UUID().uuidString.lowercased()
        var options = TaskSendOptions()
        options.taskID = id
        let sending = Task { try await app.send("demo.add", args: [2, 2], options: options, expectResult: false) }
        // The second task has reached the relay (and, through it, the broker) once its id shows.
        while !String(buffer: proxy.bytesFromClients).contains(id) {
            try await Task.sleep(for: .milliseconds(10))  // polling the relay's tap: it has no event for this
        }
        proxy.cut()
        let sent = await sending.result.map { _ in () }
        await proxy.shutdown()
        await app.close()

        let connection = try await AMQPConnection.connect(url: live)
        let channel = try await connection.openChannel()
        let counted = try await channel.queueDeclare(queue, passive: true).messageCount
        _ = try await channel.queueDelete(queue)
        try await connection.close()
        return (sent, counted)
    }
}
