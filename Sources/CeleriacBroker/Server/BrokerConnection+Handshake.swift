import AMQPProtocol
import NIOCore

/// The server's half of the connection handshake (start → start-ok → tune → tune-ok → open),
/// connection.close both ways, and heartbeats.
extension BrokerConnection {
    /// RabbitMQ's handshake_timeout: a client that has not opened a vhost by then is dropped.
    static let handshakeTimeout = TimeAmount.seconds(10)

    func sendStart() {
        enterPhase(.awaitingStartOk)
        send(.connectionStart(.init(versionMajor: 0, versionMinor: 9, serverProperties: BrokerState.serverProperties,
                                    mechanisms: SASLResponse.mechanisms, locales: "en_US")), on: 0)
    }

    func startHandshakeTimeout() {
        schedule(in: Self.handshakeTimeout) { connection in
            guard connection.phase != .open, connection.phase != .closed else { return }
            connection.logger.info("closing connection: no handshake within \(Self.handshakeTimeout.nanoseconds / 1_000_000_000) s")
            connection.closeSocket()
        }
    }

    func receiveConnectionMethod(_ method: AMQPMethod) throws {
        switch (phase, method) {
        case (.closing, .connectionCloseOk):
            closeSocket()
        case (.closing, _):
            return  // everything but close-ok is ignored once we have closed
        case (_, .connectionClose(let close)):
            // py-amqp closes with code 0, pika and ours with 200: both are a normal goodbye.
            if close.replyCode != 0, close.replyCode != AMQPReplyCode.replySuccess.rawValue {
                logger.info("client closed the connection: \(close.replyCode) \(close.replyText)")
            }
            send(.connectionCloseOk(.init()), on: 0)
            closeSocket()
        case (.awaitingStartOk, .connectionStartOk(let startOk)):
            try authenticate(startOk)
        case (.awaitingTuneOk, .connectionTuneOk(let tuneOk)):
            try tune(tuneOk)
        case (.awaitingOpen, .connectionOpen(let open)):
            let vhost = try state.openVirtualHost(open.virtualHost, for: user!)
            opened(vhost)
            enterPhase(.open)
            send(.connectionOpenOk(.init(knownHosts: "")), on: 0)
            logger.debug("opened vhost '\(open.virtualHost)' as '\(user!.name)'")
        case (.open, .connectionUpdateSecret):
            send(.connectionUpdateSecretOk(.init()), on: 0)
        default:
            throw AMQPException.commandInvalid("unexpected \(method.name) on channel 0 during \(phase)").caused(by: method)
        }
    }

    private func authenticate(_ startOk: AMQP.Connection.StartOk) throws(AMQPException) {
        guard SASLResponse.mechanisms.split(separator: " ").contains(Substring(startOk.mechanism)) else {
            throw .commandInvalid("unknown authentication mechanism '\(startOk.mechanism)'; this broker offers \(SASLResponse.mechanisms)")
        }
        guard let credentials = SASLResponse.credentials(mechanism: startOk.mechanism, response: startOk.response) else {
            throw .accessRefused("malformed \(startOk.mechanism) response")
        }
        do {
            let user = try state.authenticate(user: credentials.user, password: credentials.password,
                                             mechanism: startOk.mechanism, fromLoopback: isLoopback)
            authenticated(user, clientProperties: startOk.clientProperties)
        } catch {
            logger.warning("login refused for user '\(credentials.user)': \(error.text)")
            throw error
        }
        enterPhase(.awaitingTuneOk)
        let configuration = state.configuration
        send(.connectionTune(.init(channelMax: configuration.channelMax, frameMax: configuration.frameMax,
                                   heartbeat: configuration.heartbeatSeconds)), on: 0)
    }

    private func tune(_ tuneOk: AMQP.Connection.TuneOk) throws(AMQPException) {
        let offered = state.configuration
        let frameMax = tuneOk.frameMax == 0 ? offered.frameMax : tuneOk.frameMax
        guard frameMax >= AMQP.minimumFrameSize, frameMax <= offered.frameMax else {
            throw .notAllowed("frame_max=\(tuneOk.frameMax) is outside \(AMQP.minimumFrameSize)…\(offered.frameMax)")
        }
        let channelMax = tuneOk.channelMax == 0 ? offered.channelMax : min(tuneOk.channelMax, offered.channelMax)
        tuned(channelMax: channelMax, frameMax: frameMax, heartbeat: tuneOk.heartbeat)
        enterPhase(.awaitingOpen)
        startHeartbeats()
    }

    /// Sends a heartbeat when nothing else went out for half the interval, and drops a
    /// client silent for two intervals, as RabbitMQ does.
    private func startHeartbeats() {
        guard heartbeat > 0, let context else { return }
        let interval = TimeAmount.seconds(Int64(heartbeat))
        let tick = TimeAmount.milliseconds(Int64(heartbeat) * 500)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        heartbeatTask = context.eventLoop.scheduleRepeatedTask(initialDelay: tick, delay: tick) { _ in
            let connection = loopBound.value
            let now = NIODeadline.now()
            if now - connection.lastRead > interval * 2 {
                connection.logger.warning("missed heartbeats from client, timeout: \(connection.heartbeat) s")
                connection.closeSocket()
                return
            }
            if now - connection.lastWrite >= tick {
                connection.writeHeartbeat()
            }
        }
    }

    private func writeHeartbeat() {
        guard let context, phase != .closed else { return }
        var buffer = context.channel.allocator.buffer(capacity: 8)
        try? buffer.writeAMQPFrame(.heartbeat)
        lastWrite = .now()
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }
}
