@testable import Celeriac
import Foundation
import Testing

/// The rpc:// backend's bookkeeping over an in-memory transport; the real round trip through
/// RabbitMQ and a Python worker is in Interop/PythonCeleryInteropTests.
@Suite struct RPCResultBackendTests {
    /// Delivers whatever the test pushes to the one queue that is consumed.
    actor ReplyQueueTransport: BrokerTransport {
        private var sink: AsyncThrowingStream<ReceivedMessage, any Error>.Continuation?
        private(set) var declared: [QueueDeclaration] = []

        func declare(_ exchange: ExchangeDeclaration) async throws {}
        func declare(_ queue: QueueDeclaration) async throws -> QueueCounts {
            declared.append(queue)
            return QueueCounts(messages: 0, consumers: 0)
        }
        func bind(queue: String, exchange: String, routingKey: String) async throws {}
        func bind(exchange destination: String, to source: String, routingKey: String) async throws {}
        func publish(_ message: BrokerMessage) async throws {}
        func purge(queue: String) async throws -> Int { 0 }
        func close() async { sink?.finish() }
        func consume(queue: String, prefetch: Int, noAck: Bool) async throws
            -> AsyncThrowingStream<ReceivedMessage, any Error>
        {
            let (stream, continuation) = AsyncThrowingStream<ReceivedMessage, any Error>.makeStream()
            sink = continuation
            return stream
        }

        func deliver(_ meta: ResultMeta) {
            sink?.yield(ReceivedMessage(message: BrokerMessage(routingKey: "reply", body: meta.json.serializedBytes),
                                        redelivered: false, settle: { _ in }))
        }
    }

    @Test func aWaiterGetsTheReadyStateAndSkipsProgress() async throws {
        let transport = ReplyQueueTransport()
        let backend = RPCResultBackend(transport: transport, replyQueue: "reply")
        try await backend.start()
        #expect(await transport.declared == [.rpcReplies("reply")])
        async let waited = backend.waitUntilReady("t1", timeout: 10)
        await transport.deliver(ResultMeta(taskID: "t1", status: "PROGRESS", result: ["done": 1]))
        await transport.deliver(ResultMeta(taskID: "t1", status: .success, result: 42))
        #expect(try await waited.result == 42)
        #expect(try await backend.meta(for: "t1")?.status == .success)
    }

    @Test func waitingTimesOut() async throws {
        let backend = RPCResultBackend(transport: ReplyQueueTransport(), replyQueue: "reply")
        try await backend.start()
        await #expect(throws: ResultError.timeout(taskID: "never", seconds: 0.05)) {
            try await backend.waitUntilReady("never", timeout: 0.05)
        }
    }

    @Test func aLongLivedClientKeepsABoundedNumberOfResults() async throws {
        let transport = ReplyQueueTransport()
        let backend = RPCResultBackend(transport: transport, replyQueue: "reply")
        try await backend.start()
        let total = 2 * RPCResultBackend.retainedResults + 1
        for index in 0..<total {
            await transport.deliver(ResultMeta(taskID: "t\(index)", status: .success, result: .int(index)))
        }
        // The last result arrived once the newest one is readable.
        _ = try await backend.waitUntilReady("t\(total - 1)", timeout: 10)
        #expect(try await backend.meta(for: "t0") == nil)
        #expect(try await backend.meta(for: "t\(total - 1)")?.result == .int(total - 1))
    }
}
