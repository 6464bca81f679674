@testable import AMQPClient
import Testing

@Suite struct ConnectionHandshakeTests {
    let configuration = AMQPConnectionConfiguration(username: "celery", password: "secret", heartbeat: 60,
                                                    frameMax: 131_072, channelMax: 2047)

    @Test func walksStartTuneOpen() {
        var handshake = ConnectionHandshake(configuration: configuration, clientProperties: ["product": "Celeriac"])
        let startOk = handshake.receive(.connectionStart(.init(serverProperties: ["product": "RabbitMQ"],
                                                               mechanisms: "AMQPLAIN PLAIN", locales: "en_US")))
        #expect(startOk == .send(.connectionStartOk(.init(clientProperties: ["product": "Celeriac"], mechanism: "PLAIN",
                                                           response: "\u{0}celery\u{0}secret", locale: "en_US"))))
        let tune = handshake.receive(.connectionTune(.init(channelMax: 0, frameMax: 4096, heartbeat: 30)))
        #expect(tune == .sendThenOpen(tuneOk: .connectionTuneOk(.init(channelMax: 2047, frameMax: 4096, heartbeat: 30)),
                                      open: .connectionOpen(.init(virtualHost: "/"))))
        guard case .opened(let negotiated) = handshake.receive(.connectionOpenOk(.init())) else {
            Issue.record("open-ok did not open the connection")
            return
        }
        #expect(negotiated.serverProperties["product"] == "RabbitMQ")
        #expect(negotiated.heartbeat == 30)
        #expect(handshake.isOpen)
    }

    @Test func zeroHeartbeatFromTheClientTurnsThemOff() {
        var configuration = self.configuration
        configuration.heartbeat = 0
        var handshake = ConnectionHandshake(configuration: configuration, clientProperties: [:])
        _ = handshake.receive(.connectionStart(.init(serverProperties: [:])))
        let tune = handshake.receive(.connectionTune(.init(channelMax: 100, frameMax: 0, heartbeat: 60)))
        #expect(tune == .sendThenOpen(tuneOk: .connectionTuneOk(.init(channelMax: 100, frameMax: 131_072, heartbeat: 0)),
                                      open: .connectionOpen(.init(virtualHost: "/"))))
    }

    @Test func refusedLoginIsAnAuthenticationFailure() {
        var handshake = ConnectionHandshake(configuration: configuration, clientProperties: [:])
        _ = handshake.receive(.connectionStart(.init(serverProperties: [:])))
        let action = handshake.receive(.connectionClose(.init(replyCode: 403, replyText: "ACCESS_REFUSED", classID: 0,
                                                              methodID: 0)))
        #expect(action == .failed(.authenticationFailed(username: "celery", serverText: "ACCESS_REFUSED")))
    }

    @Test func aServerWithoutPlainIsRefused() {
        var handshake = ConnectionHandshake(configuration: configuration, clientProperties: [:])
        let action = handshake.receive(.connectionStart(.init(serverProperties: [:], mechanisms: "EXTERNAL")))
        #expect(action == .failed(.unsupportedAuthentication(serverMechanisms: "EXTERNAL")))
    }

    @Test func anOutOfOrderMethodFailsTheHandshake() {
        var handshake = ConnectionHandshake(configuration: configuration, clientProperties: [:])
        let action = handshake.receive(.connectionOpenOk(.init()))
        #expect(action == .failed(.unexpectedReply(expected: "connection.start", received: "connection.open-ok")))
    }
}
