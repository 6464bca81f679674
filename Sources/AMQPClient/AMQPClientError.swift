/// Why a client operation failed. Server-side closes carry the reply code and text RabbitMQ
/// sent, so a caller can tell a 404 from a 406.
public enum AMQPClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server closed this channel (a soft error: the connection and other channels live on).
    case channelClosedByServer(replyCode: AMQPReplyCode, replyText: String, classID: UInt16, methodID: UInt16)
    /// The server closed the whole connection.
    case connectionClosedByServer(replyCode: AMQPReplyCode, replyText: String)
    /// The socket went away without an AMQP close (a killed broker, a cut network).
    case connectionLost(reason: String)
    /// No frame arrived for two heartbeat intervals.
    case heartbeatTimeout(seconds: Int)
    /// This side closed the connection or channel.
    case connectionClosed
    case channelClosed(channel: UInt16)
    /// The broker refused the user name or password.
    case authenticationFailed(username: String, serverText: String)
    /// TCP connect failed: nothing listens there, or it is unreachable.
    case connectFailed(host: String, port: Int, reason: String)
    /// The TLS handshake failed (an untrusted certificate, a wrong host name, …).
    case tlsFailed(reason: String)
    /// Connecting did not finish within the configured timeout.
    case connectTimeout(seconds: Double)
    /// The peer sent bytes that are not AMQP 0-9-1.
    case protocolError(AMQPProtocolError)
    /// The server's mechanisms do not include PLAIN.
    case unsupportedAuthentication(serverMechanisms: String)
    /// The broker refused a published message (basic.nack under publisher confirms).
    case publishNacked(deliveryTag: UInt64)
    /// A mandatory message matched no queue and came back as basic.return.
    case unroutable(replyCode: AMQPReplyCode, replyText: String, exchange: String, routingKey: String)
    /// The broker cancelled this consumer (its queue was deleted, or a node failed).
    case consumerCancelledByServer(consumerTag: String)
    /// Every channel number up to channel-max is in use.
    case tooManyChannels(limit: UInt16)
    /// A confirm-only call on a channel that never called `confirmSelect()`.
    case notInConfirmMode
    /// The server answered with a method this call did not expect.
    case unexpectedReply(expected: String, received: String)
    /// A message's arguments could not be encoded (e.g. a name over 255 bytes).
    case invalidArgument(AMQPProtocolError)

    /// The AMQP reply code behind the error, when the server sent one.
    public var replyCode: AMQPReplyCode? {
        switch self {
        case .channelClosedByServer(let code, _, _, _), .connectionClosedByServer(let code, _), .unroutable(let code, _, _, _):
            return code
        case .authenticationFailed: return .accessRefused
        case .protocolError(let error), .invalidArgument(let error): return error.replyCode
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .channelClosedByServer(let code, let text, let classID, let methodID):
            let cause = classID == 0 ? "" : " (in reply to \(AMQPClientError.methodName(classID, methodID)))"
            return "the broker closed the channel: \(code) — \(text)\(cause)"
        case .connectionClosedByServer(let code, let text):
            return "the broker closed the connection: \(code) — \(text)"
        case .connectionLost(let reason):
            return "the connection to the broker was lost: \(reason)"
        case .heartbeatTimeout(let seconds):
            return "the broker sent nothing for \(seconds) s (two heartbeat intervals); the connection is considered dead"
        case .connectionClosed:
            return "the connection is closed"
        case .channelClosed(let channel):
            return "channel \(channel) is closed; open a new one"
        case .authenticationFailed(let username, let text):
            return "the broker refused the login of user '\(username)' (\(text)); check the user name and password in the broker URL"
        case .connectFailed(let host, let port, let reason):
            return "cannot connect to \(host):\(port): \(reason); is the broker running and the URL right?"
        case .tlsFailed(let reason):
            return "TLS handshake failed: \(reason); check ssl_ca_certs (the CA that signed the broker's certificate) and the host name"
        case .connectTimeout(let seconds):
            return "connecting to the broker took longer than \(seconds) s; raise connect_timeout or check the network"
        case .protocolError(let error):
            return "protocol error: \(error)"
        case .unsupportedAuthentication(let mechanisms):
            return "the broker offers only the \(mechanisms) login mechanisms; Celeriac speaks PLAIN"
        case .publishNacked(let tag):
            return "the broker refused message \(tag) (basic.nack); it was not stored"
        case .unroutable(let code, let text, let exchange, let key):
            return "message to exchange '\(exchange)' with routing key '\(key)' was returned: \(code) — \(text); no queue is bound for it"
        case .consumerCancelledByServer(let tag):
            return "the broker cancelled consumer \(tag); its queue was probably deleted"
        case .tooManyChannels(let limit):
            return "all \(limit) channels of the connection are in use; close some or raise channel_max"
        case .notInConfirmMode:
            return "publisher confirms are off on this channel; call confirmSelect() first"
        case .unexpectedReply(let expected, let received):
            return "expected \(expected) from the broker, got \(received)"
        case .invalidArgument(let error):
            return "invalid argument: \(error)"
        }
    }

    static func methodName(_ classID: UInt16, _ methodID: UInt16) -> String {
        AMQPMethod.name(classID: classID, methodID: methodID) ?? "method \(classID).\(methodID)"
    }
}
