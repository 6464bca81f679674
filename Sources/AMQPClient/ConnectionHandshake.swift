/// The opening of an AMQP connection as a state machine over values: the server speaks
/// first (start), we answer (start-ok), it proposes limits (tune), we settle them (tune-ok)
/// and open the virtual host. Each step returns what to send or how it ended, so the whole
/// exchange is tested without a socket.
struct ConnectionHandshake {
    struct Negotiated: Sendable, Hashable {
        var channelMax: UInt16
        var frameMax: UInt32
        var heartbeat: UInt16
        var serverProperties: AMQPTable
    }

    enum Action: Hashable {
        case send(AMQPMethod)
        case sendThenOpen(tuneOk: AMQPMethod, open: AMQPMethod)
        case opened(Negotiated)
        case failed(AMQPClientError)
    }

    private enum State {
        case awaitingStart
        case awaitingTune(serverProperties: AMQPTable)
        case awaitingOpenOk(Negotiated)
        case open
        case failed
    }

    private var state: State = .awaitingStart
    let configuration: AMQPConnectionConfiguration
    let clientProperties: AMQPTable

    init(configuration: AMQPConnectionConfiguration, clientProperties: AMQPTable) {
        self.configuration = configuration
        self.clientProperties = clientProperties
    }

    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    mutating func receive(_ method: AMQPMethod) -> Action {
        switch (state, method) {
        case (.awaitingStart, .connectionStart(let start)):
            let mechanisms = start.mechanisms.split(separator: " ").map(String.init)
            guard mechanisms.contains("PLAIN") else {
                state = .failed
                return .failed(.unsupportedAuthentication(serverMechanisms: start.mechanisms))
            }
            state = .awaitingTune(serverProperties: start.serverProperties)
            let response = "\u{0}\(configuration.username)\u{0}\(configuration.password)"
            return .send(.connectionStartOk(.init(clientProperties: clientProperties, mechanism: "PLAIN",
                                                  response: response, locale: "en_US")))

        case (.awaitingTune(let serverProperties), .connectionTune(let tune)):
            let negotiated = Negotiated(
                channelMax: Self.lowerNonZero(configuration.channelMax, tune.channelMax, unlimited: UInt16.max),
                frameMax: Self.lowerNonZero(configuration.frameMax, tune.frameMax, unlimited: 0)
                    .clamped(minimum: AMQP.minimumFrameSize),
                // A client that asks for 0 turns heartbeats off; otherwise the lower value wins.
                heartbeat: configuration.heartbeat == 0 ? 0
                    : Self.lowerNonZero(configuration.heartbeat, tune.heartbeat, unlimited: 0),
                serverProperties: serverProperties)
            state = .awaitingOpenOk(negotiated)
            return .sendThenOpen(
                tuneOk: .connectionTuneOk(.init(channelMax: negotiated.channelMax, frameMax: negotiated.frameMax,
                                               heartbeat: negotiated.heartbeat)),
                open: .connectionOpen(.init(virtualHost: configuration.virtualHost)))

        case (.awaitingOpenOk(let negotiated), .connectionOpenOk):
            state = .open
            return .opened(negotiated)

        case (_, .connectionClose(let close)):
            let failure: AMQPClientError
            // RabbitMQ answers a bad login with close 403 right after start-ok
            // (the authentication_failure_close capability).
            if case .awaitingTune = state, close.replyCode == AMQPReplyCode.accessRefused.rawValue {
                failure = .authenticationFailed(username: configuration.username, serverText: close.replyText)
            } else {
                failure = .connectionClosedByServer(replyCode: AMQPReplyCode(close.replyCode), replyText: close.replyText)
            }
            state = .failed
            return .failed(failure)

        default:
            let expected = expectedName
            state = .failed
            return .failed(.unexpectedReply(expected: expected, received: method.name))
        }
    }

    private var expectedName: String {
        switch state {
        case .awaitingStart: return AMQP.Connection.Start.name
        case .awaitingTune: return AMQP.Connection.Tune.name
        case .awaitingOpenOk: return AMQP.Connection.OpenOk.name
        case .open, .failed: return "nothing"
        }
    }

    /// The lower of two limits where 0 means "no limit".
    static func lowerNonZero<T: FixedWidthInteger>(_ ours: T, _ theirs: T, unlimited: T) -> T {
        switch (ours, theirs) {
        case (0, 0): return unlimited
        case (0, _): return theirs
        case (_, 0): return ours
        default: return Swift.min(ours, theirs)
        }
    }
}

extension UInt32 {
    /// Raises a nonzero frame-max below the spec's 4096-byte minimum; 0 (no limit) stays.
    func clamped(minimum: UInt32) -> UInt32 {
        self == 0 ? 0 : Swift.max(self, minimum)
    }
}
