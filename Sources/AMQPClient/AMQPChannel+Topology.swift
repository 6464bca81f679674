/// Declaring, binding and deleting exchanges and queues.
extension AMQPChannel {
    public func exchangeDeclare(_ name: String, type: String = "direct", passive: Bool = false, durable: Bool = false,
                                autoDelete: Bool = false, internal: Bool = false, arguments: AMQPTable = [:])
        async throws
    {
        _ = try await rpc(.exchangeDeclare(.init(exchange: name, type: type, passive: passive, durable: durable,
                                                 autoDelete: autoDelete, internal: `internal`, arguments: arguments)),
                          expecting: [AMQP.Exchange.DeclareOk.self])
    }

    public func exchangeDelete(_ name: String, ifUnused: Bool = false) async throws {
        _ = try await rpc(.exchangeDelete(.init(exchange: name, ifUnused: ifUnused)),
                          expecting: [AMQP.Exchange.DeleteOk.self])
    }

    /// exchange.bind (a RabbitMQ extension): messages flow from `source` to `destination`.
    public func exchangeBind(destination: String, source: String, routingKey: String = "",
                             arguments: AMQPTable = [:]) async throws {
        _ = try await rpc(.exchangeBind(.init(destination: destination, source: source, routingKey: routingKey,
                                              arguments: arguments)),
                          expecting: [AMQP.Exchange.BindOk.self])
    }

    public func exchangeUnbind(destination: String, source: String, routingKey: String = "",
                               arguments: AMQPTable = [:]) async throws {
        _ = try await rpc(.exchangeUnbind(.init(destination: destination, source: source, routingKey: routingKey,
                                                arguments: arguments)),
                          expecting: [AMQP.Exchange.UnbindOk.self])
    }

    /// queue.declare. An empty name asks the broker for one; `passive` only checks that the
    /// queue exists. The result carries the name and the message and consumer counts.
    @discardableResult
    public func queueDeclare(_ name: String = "", passive: Bool = false, durable: Bool = false,
                             exclusive: Bool = false, autoDelete: Bool = false, arguments: AMQPTable = [:])
        async throws -> AMQP.Queue.DeclareOk
    {
        let reply = try await rpc(.queueDeclare(.init(queue: name, passive: passive, durable: durable,
                                                      exclusive: exclusive, autoDelete: autoDelete,
                                                      arguments: arguments)),
                                  expecting: [AMQP.Queue.DeclareOk.self])
        guard case .method(.queueDeclareOk(let ok)) = reply else { throw unexpected(reply, AMQP.Queue.DeclareOk.name) }
        return ok
    }

    public func queueBind(_ queue: String, exchange: String, routingKey: String = "", arguments: AMQPTable = [:])
        async throws
    {
        _ = try await rpc(.queueBind(.init(queue: queue, exchange: exchange, routingKey: routingKey,
                                           arguments: arguments)),
                          expecting: [AMQP.Queue.BindOk.self])
    }

    public func queueUnbind(_ queue: String, exchange: String, routingKey: String = "", arguments: AMQPTable = [:])
        async throws
    {
        _ = try await rpc(.queueUnbind(.init(queue: queue, exchange: exchange, routingKey: routingKey,
                                             arguments: arguments)),
                          expecting: [AMQP.Queue.UnbindOk.self])
    }

    /// Removes every ready message; returns how many there were.
    @discardableResult
    public func queuePurge(_ queue: String) async throws -> UInt32 {
        let reply = try await rpc(.queuePurge(.init(queue: queue)), expecting: [AMQP.Queue.PurgeOk.self])
        guard case .method(.queuePurgeOk(let ok)) = reply else { throw unexpected(reply, AMQP.Queue.PurgeOk.name) }
        return ok.messageCount
    }

    /// Deletes a queue; returns how many messages it held.
    @discardableResult
    public func queueDelete(_ queue: String, ifUnused: Bool = false, ifEmpty: Bool = false) async throws -> UInt32 {
        let reply = try await rpc(.queueDelete(.init(queue: queue, ifUnused: ifUnused, ifEmpty: ifEmpty)),
                                  expecting: [AMQP.Queue.DeleteOk.self])
        guard case .method(.queueDeleteOk(let ok)) = reply else { throw unexpected(reply, AMQP.Queue.DeleteOk.name) }
        return ok.messageCount
    }

    func unexpected(_ reply: RPCReply, _ expected: String) -> AMQPClientError {
        switch reply {
        case .method(let method): return .unexpectedReply(expected: expected, received: method.name)
        case .message(let message): return .unexpectedReply(expected: expected, received: message.method.name)
        }
    }
}
