import NIOCore
import NIOPosix

/// One connection to a Redis server: commands pipelined in order, and — on a connection of
/// its own — a subscription to channels.
///
///     let redis = try await RedisConnection.connect(to: RedisURL("redis://localhost:6379/0"))
///     try await redis.send("SET", "greeting", "hello")
///     let value = try await redis.send("GET", "greeting").string
public final class RedisConnection: Sendable {
    public let url: RedisURL
    private let channel: any Channel
    private let handler: NIOLoopBound<RESPConnectionHandler>

    private init(url: RedisURL, channel: any Channel, handler: NIOLoopBound<RESPConnectionHandler>) {
        self.url = url
        self.channel = channel
        self.handler = handler
    }

    /// Connects, then logs in (AUTH) and selects the URL's database.
    public static func connect(to url: RedisURL, timeout: Duration = .seconds(5),
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws(RESPError) -> RedisConnection
    {
        let eventLoop = eventLoopGroup.next()
        let handlerBox = eventLoop.makePromise(of: NIOLoopBound<RESPConnectionHandler>.self)
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(TimeAmount(timeout))
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let handler = RESPConnectionHandler()
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlerBox.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: url.host, port: url.port).get()
        } catch {
            handlerBox.fail(error)
            throw .unreachable(address: "\(url.host):\(url.port)", reason: "\(error)")
        }
        let connection: RedisConnection
        do {
            connection = RedisConnection(url: url, channel: channel, handler: try await handlerBox.futureResult.get())
        } catch {
            throw .connectionClosed("\(error)")
        }
        do {
            if let password = url.password {
                let credentials: [RESPArgument] = url.username.map { [RESPArgument($0), RESPArgument(password)] } ?? [RESPArgument(password)]
                try await connection.send("AUTH", credentials)
            }
            if url.database != 0 { try await connection.send("SELECT", [RESPArgument(url.database)]) }
        } catch {
            await connection.close()
            throw error
        }
        return connection
    }

    /// Sends a command and returns its reply; an error reply throws `RESPError.server`.
    @discardableResult
    public func send(_ name: String, _ arguments: RESPArgument...) async throws(RESPError) -> RESPValue {
        try await send(name, arguments)
    }

    @discardableResult
    public func send(_ name: String, _ arguments: [RESPArgument]) async throws(RESPError) -> RESPValue {
        let reply = channel.eventLoop.makePromise(of: RESPValue.self)
        let (handler, command) = (handler, RESPValue.command(name, arguments))
        channel.eventLoop.execute { handler.value.send(command, reply: reply) }
        let value: RESPValue
        do {
            value = try await reply.futureResult.get()
        } catch let error as RESPError {
            throw error
        } catch {
            throw .connectionClosed("\(error)")
        }
        if case .error(let message) = value { throw .server(message) }
        return value
    }

    /// Sends several commands in one write, none interleaved with another caller's, and
    /// returns every reply in order; error replies are returned, not thrown, so a MULTI …
    /// EXEC transaction can be sent whole and its EXEC reply read.
    public func pipeline(_ commands: [(name: String, arguments: [RESPArgument])]) async throws(RESPError) -> [RESPValue] {
        let promises = commands.map { _ in channel.eventLoop.makePromise(of: RESPValue.self) }
        let encoded = commands.map { RESPValue.command($0.name, $0.arguments) }
        let handler = handler
        channel.eventLoop.execute {
            for (command, promise) in zip(encoded, promises) { handler.value.send(command, reply: promise) }
        }
        var replies: [RESPValue] = []
        for promise in promises {
            do {
                replies.append(try await promise.futureResult.get())
            } catch let error as RESPError {
                throw error
            } catch {
                throw .connectionClosed("\(error)")
            }
        }
        return replies
    }

    /// Subscribes to `channel` and returns the messages published on it. After this the
    /// connection is in Redis's subscribe mode: use another one for other commands.
    public func subscribe(_ channelName: String) async throws(RESPError) -> AsyncThrowingStream<RedisMessage, any Error> {
        let (messages, continuation) = AsyncThrowingStream<RedisMessage, any Error>.makeStream()
        let handler = handler
        try? await channel.eventLoop.submit { handler.value.deliverMessages(to: continuation) }.get()
        let confirmation = try await send("SUBSCRIBE", [RESPArgument(channelName)])
        guard confirmation.array?.first?.string == "subscribe" else {
            throw .protocolViolation("SUBSCRIBE was answered with \(confirmation)")
        }
        return messages
    }

    /// Whether the socket is still up; a closed connection fails every command.
    public var isOpen: Bool { channel.isActive }

    public func close() async {
        try? await channel.close()
    }
}
