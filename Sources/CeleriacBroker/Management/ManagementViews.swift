import AMQPProtocol
import Foundation

/// The broker's objects as RabbitMQ's management API renders them: the same field names,
/// so one monitor (ours, Flower, a script) reads both brokers.
struct ManagementViews {
    let state: BrokerState
    let sampler: StatisticsSampler

    func queue(_ queue: MessageQueue, in vhost: VirtualHost) -> [String: Any] {
        let stats = queue.statistics
        let rates = sampler.rates(of: queue)
        var json: [String: Any] = [
            "name": queue.name, "vhost": vhost.name, "durable": queue.durable, "auto_delete": queue.autoDelete,
            "exclusive": queue.exclusiveOwner != nil, "arguments": ManagementJSON.table(queue.arguments),
            "node": state.nodeName, "state": "running", "type": "classic",
            "messages": queue.messageCount + queue.unackedCount, "messages_ready": queue.messageCount,
            "messages_unacknowledged": queue.unackedCount, "message_bytes": queue.ready.bodyBytes,
            "message_bytes_ready": queue.ready.bodyBytes, "consumers": queue.consumers.count,
            "messages_details": ManagementJSON.details(0), "messages_ready_details": ManagementJSON.details(0),
            "messages_unacknowledged_details": ManagementJSON.details(0),
            "message_stats": [
                "publish": stats.published, "publish_details": ManagementJSON.details(rates.publish),
                "deliver_get": stats.delivered, "deliver_get_details": ManagementJSON.details(rates.deliver),
                "deliver": stats.delivered, "deliver_details": ManagementJSON.details(rates.deliver),
                "ack": stats.acked, "ack_details": ManagementJSON.details(rates.ack),
                "redeliver": stats.redelivered, "redeliver_details": ManagementJSON.details(rates.redeliver),
            ] as [String: Any],
        ]
        // RabbitMQ reports it only for a ready head message that carries a timestamp.
        if let timestamp = queue.ready.first?.content.headerless.timestamp {
            json["head_message_timestamp"] = Int(timestamp)
        }
        return json
    }

    func exchange(_ exchange: Exchange, in vhost: VirtualHost) -> [String: Any] {
        ["name": exchange.name, "vhost": vhost.name, "type": exchange.type.rawValue, "durable": exchange.durable,
         "auto_delete": exchange.autoDelete, "internal": exchange.isInternal,
         "arguments": ManagementJSON.table(exchange.arguments), "user_who_performed_action": "rmq-internal"]
    }

    func binding(_ binding: Binding, in vhost: VirtualHost) -> [String: Any] {
        let destinationType: String
        if case .queue = binding.destination { destinationType = "queue" } else { destinationType = "exchange" }
        return ["source": binding.source, "vhost": vhost.name, "destination": binding.destination.name,
                "destination_type": destinationType, "routing_key": binding.routingKey,
                "arguments": ManagementJSON.table(binding.arguments),
                "properties_key": binding.routingKey.isEmpty ? "~" : binding.routingKey]
    }

    func connection(_ connection: BrokerConnection) -> [String: Any] {
        ["name": connection.name, "node": state.nodeName, "state": "running", "type": "network",
         "user": connection.user?.name ?? "", "vhost": connection.virtualHost?.name ?? "",
         "channels": connection.channels.count, "peer_host": connection.peerHost, "peer_port": connection.peerPort,
         "protocol": "AMQP 0-9-1", "auth_mechanism": "PLAIN", "ssl": connection.isTLS,
         "frame_max": Int(connection.frameMax), "channel_max": Int(connection.channelMax),
         "timeout": Int(connection.heartbeat), "client_properties": ManagementJSON.table(connection.clientProperties),
         "connected_at": Int(connection.connectedAt.timeIntervalSince1970 * 1000)]
    }

    func channel(_ channel: BrokerChannel) -> [String: Any] {
        let connection = channel.connection
        return ["name": "\(connection.name) (\(channel.number))", "number": Int(channel.number), "node": state.nodeName,
                "user": connection.user?.name ?? "", "vhost": channel.virtualHost.name, "state": "running",
                "consumer_count": channel.consumers.count, "messages_unacknowledged": channel.unacked.count,
                "prefetch_count": channel.consumerPrefetch, "global_prefetch_count": channel.channelPrefetch,
                "confirm": channel.confirmMode, "transactional": false,
                "connection_details": ["name": connection.name, "peer_host": connection.peerHost,
                                       "peer_port": connection.peerPort] as [String: Any]]
    }

    func consumer(_ consumer: QueueConsumer, on channel: BrokerChannel) -> [String: Any] {
        let connection = channel.connection
        return ["consumer_tag": consumer.tag, "ack_required": !consumer.noAck, "exclusive": consumer.isExclusive,
                "prefetch_count": consumer.prefetchLimit, "active": true, "activity_status": "up", "arguments": [:] as [String: Any],
                "queue": ["name": consumer.queue.name, "vhost": channel.virtualHost.name],
                "channel_details": ["name": "\(connection.name) (\(channel.number))", "number": Int(channel.number),
                                    "connection_name": connection.name, "peer_host": connection.peerHost,
                                    "peer_port": connection.peerPort, "user": connection.user?.name ?? ""] as [String: Any]]
    }

    func virtualHost(_ vhost: VirtualHost) -> [String: Any] {
        let ready = vhost.queues.values.reduce(0) { $0 + $1.messageCount }
        let unacked = vhost.queues.values.reduce(0) { $0 + $1.unackedCount }
        return ["name": vhost.name, "description": "", "tags": [String](), "tracing": false,
                "messages": ready + unacked, "messages_ready": ready, "messages_unacknowledged": unacked]
    }

    func user(_ user: BrokerUser) -> [String: Any] {
        ["name": user.name, "tags": user.tags, "password_hash": user.passwordHash.encoded, "hashing_algorithm": PasswordHash.algorithm]
    }

    func permission(user: String, vhost: String, _ permission: Permission) -> [String: Any] {
        ["user": user, "vhost": vhost, "configure": permission.configure, "write": permission.write, "read": permission.read]
    }

    func node() -> [String: Any] {
        let uptime = Int(Date().timeIntervalSince(state.startedAt) * 1000)
        return ["name": state.nodeName, "type": "disc", "running": true, "uptime": uptime,
                "mem_used": Self.residentBytes(), "mem_alarm": false, "disk_free_alarm": false,
                "fd_used": state.connections.count, "sockets_used": state.connections.count,
                "processors": ProcessInfo.processInfo.activeProcessorCount, "os_pid": "\(getpid())"]
    }

    func overview() -> [String: Any] {
        let vhosts = state.virtualHosts.values
        let queues = vhosts.flatMap { $0.queues.values }
        let ready = queues.reduce(0) { $0 + $1.messageCount }
        let unacked = queues.reduce(0) { $0 + $1.unackedCount }
        var totals = QueueStatistics()
        var rates = StatisticsSampler.Rates()
        for queue in queues {
            totals.published += queue.statistics.published
            totals.delivered += queue.statistics.delivered
            totals.acked += queue.statistics.acked
            let queueRates = sampler.rates(of: queue)
            rates.publish += queueRates.publish
            rates.deliver += queueRates.deliver
            rates.ack += queueRates.ack
        }
        let channels = state.connections.values.reduce(0) { $0 + $1.channels.count }
        let consumers = queues.reduce(0) { $0 + $1.consumers.count }
        return [
            "management_version": "3.13.7", "rabbitmq_version": "3.13.7", "product_name": "Celeriac broker",
            "product_version": "3.13.7", "cluster_name": "celeriac", "node": state.nodeName,
            "erlang_version": "none (Swift)", "statistics_level": "fine", "rates_mode": "basic",
            "object_totals": ["connections": state.connections.count, "channels": channels, "queues": queues.count,
                              "exchanges": vhosts.reduce(0) { $0 + $1.exchanges.count }, "consumers": consumers],
            "queue_totals": ["messages": ready + unacked, "messages_ready": ready, "messages_unacknowledged": unacked],
            "message_stats": ["publish": totals.published, "publish_details": ManagementJSON.details(rates.publish),
                              "deliver_get": totals.delivered, "deliver_get_details": ManagementJSON.details(rates.deliver),
                              "ack": totals.acked, "ack_details": ManagementJSON.details(rates.ack)] as [String: Any],
            "listeners": [["node": state.nodeName, "protocol": "amqp", "ip_address": state.configuration.host,
                           "port": state.configuration.port]],
        ]
    }

    /// The process's resident set, from /proc (0 where there is none).
    static func residentBytes() -> Int {
        guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = statm.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}
