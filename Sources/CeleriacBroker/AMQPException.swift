import AMQPProtocol

/// A refusal the broker answers with channel.close (soft codes) or connection.close (hard
/// codes), as RabbitMQ does: the code says which, the text says what to fix.
struct AMQPException: Error, Sendable, Hashable, CustomStringConvertible {
    var code: AMQPReplyCode
    var text: String
    /// The method that caused it (0, 0 when none did), echoed in the close.
    var classID: UInt16 = 0
    var methodID: UInt16 = 0

    init(_ code: AMQPReplyCode, _ text: String) {
        self.code = code
        self.text = text
    }

    /// The same refusal, blamed on `method`.
    func caused(by method: AMQPMethod) -> AMQPException {
        var copy = self
        copy.classID = method.classID
        copy.methodID = method.methodID
        return copy
    }

    /// RabbitMQ prefixes the reply text with the code's name; clients show it as is.
    var replyText: String { String("\(code.name) - \(text)".utf8.prefix(255)) ?? code.name }

    var description: String { replyText }

    static func notFound(_ text: String) -> AMQPException { .init(.notFound, text) }
    static func preconditionFailed(_ text: String) -> AMQPException { .init(.preconditionFailed, text) }
    static func accessRefused(_ text: String) -> AMQPException { .init(.accessRefused, text) }
    static func resourceLocked(_ text: String) -> AMQPException { .init(.resourceLocked, text) }
    static func commandInvalid(_ text: String) -> AMQPException { .init(.commandInvalid, text) }
    static func channelError(_ text: String) -> AMQPException { .init(.channelError, text) }
    static func unexpectedFrame(_ text: String) -> AMQPException { .init(.unexpectedFrame, text) }
    static func notImplemented(_ text: String) -> AMQPException { .init(.notImplemented, text) }
    static func notAllowed(_ text: String) -> AMQPException { .init(.notAllowed, text) }
}
