import NIOConcurrencyHelpers
import NIOCore

/// One channel of a connection. Declares, bindings and consumers belong to it; a server-side
/// channel error (a 404 or a 406) closes this channel only, and every later call on it throws
/// that error.
public final class AMQPChannel: Sendable {
    public let id: UInt16
    public let connection: AMQPConnection
    /// Mandatory messages that came back unrouted (basic.return); one reader at a time.
    public let returnedMessages: AsyncStream<AMQPReturnedMessage>
    let returnsContinuation: AsyncStream<AMQPReturnedMessage>.Continuation
    let closed = ClosedState()

    init(id: UInt16, connection: AMQPConnection) {
        self.id = id
        self.connection = connection
        (returnedMessages, returnsContinuation) = AsyncStream<AMQPReturnedMessage>.makeStream()
    }

    /// Whether the channel can still be used.
    public var isOpen: Bool { closed.error == nil && connection.isOpen }

    /// Why the channel ended, once it has (e.g. a 406 from a conflicting declare).
    public var closeReason: AMQPClientError? { closed.error }

    /// Closes the channel (channel.close, then waits for close-ok).
    public func close() async throws {
        guard closed.error == nil else { return }
        _ = try await rpc(.channelClose(.init(replyCode: AMQPReplyCode.replySuccess.rawValue, replyText: "Goodbye",
                                              classID: 0, methodID: 0)),
                          expecting: [AMQP.Channel.CloseOk.self], purpose: .closeChannel)
    }

    // MARK: Flow control and confirms

    /// basic.qos: how many unacked messages (and bytes) the broker may push to consumers.
    public func basicQos(prefetchCount: UInt16, prefetchSize: UInt32 = 0, global: Bool = false) async throws {
        _ = try await rpc(.basicQos(.init(prefetchSize: prefetchSize, prefetchCount: prefetchCount, global: global)),
                          expecting: [AMQP.Basic.QosOk.self])
    }

    /// Turns on publisher confirms: from now on the broker acks every published message.
    public func confirmSelect() async throws {
        try checkOpen()
        let _: RPCReply = try await connection.onLoop { [id] handler, promise in
            handler.enableConfirms(on: id, promise: promise)
        }
    }

    /// Waits until the broker has confirmed every message published so far; throws
    /// `publishNacked` if it refused any since the last call.
    public func waitForConfirms() async throws {
        try await connection.onLoop { [id] (handler, promise: EventLoopPromise<Void>) in
            handler.waitForConfirms(on: id, promise: promise)
        }
    }

    // MARK: Internals shared by the calls

    func checkOpen() throws(AMQPClientError) {
        if let error = closed.error ?? connection.closed.error { throw error }
    }

    func rpc(_ method: AMQPMethod, expecting replies: [any AMQPMethodPayload.Type],
             purpose: PendingRPC.Purpose = .plain) async throws -> RPCReply {
        try checkOpen()
        return try await connection.onLoop { [id] handler, promise in
            handler.sendRPC(method, on: id, expecting: replies, purpose: purpose, promise: promise)
        }
    }
}
