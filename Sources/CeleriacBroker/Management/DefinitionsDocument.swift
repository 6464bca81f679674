import AMQPProtocol
import Foundation

/// RabbitMQ's definitions file (`rabbitmqctl export_definitions`, GET /api/definitions):
/// users with their password hashes, vhosts, permissions, and the durable queues, exchanges
/// and bindings, so a broker's setup moves to RabbitMQ, or from it, in one file.
enum DefinitionsDocument {
    static func export(_ state: BrokerState) -> [String: Any] {
        let vhosts = state.virtualHosts.values.sorted { $0.name < $1.name }
        let users = state.users.values.sorted { $0.name < $1.name }
        var queues: [[String: Any]] = []
        var exchanges: [[String: Any]] = []
        var bindings: [[String: Any]] = []
        for vhost in vhosts {
            for queue in vhost.queues.values.sorted(by: { $0.name < $1.name }) where queue.durable && queue.exclusiveOwner == nil {
                queues.append(["name": queue.name, "vhost": vhost.name, "durable": true, "auto_delete": queue.autoDelete,
                               "arguments": ManagementJSON.table(queue.arguments)])
            }
            for exchange in vhost.exchanges.values.sorted(by: { $0.name < $1.name })
            where exchange.durable && !exchange.name.isEmpty && !exchange.name.hasPrefix("amq.") {
                exchanges.append(["name": exchange.name, "vhost": vhost.name, "type": exchange.type.rawValue, "durable": true,
                                  "auto_delete": exchange.autoDelete, "internal": exchange.isInternal,
                                  "arguments": ManagementJSON.table(exchange.arguments)])
            }
            for exchange in vhost.exchanges.values.sorted(by: { $0.name < $1.name }) {
                for binding in exchange.bindings where vhost.isDurable(binding) {
                    let type: String
                    if case .exchange = binding.destination { type = "exchange" } else { type = "queue" }
                    bindings.append(["source": binding.source, "vhost": vhost.name, "destination": binding.destination.name,
                                     "destination_type": type, "routing_key": binding.routingKey,
                                     "arguments": ManagementJSON.table(binding.arguments)])
                }
            }
        }
        return [
            "rabbit_version": "3.13.7", "rabbitmq_version": "3.13.7", "product_name": "Celeriac broker",
            "product_version": "3.13.7",
            "users": users.map { ["name": $0.name, "password_hash": $0.passwordHash.encoded,
                                  "hashing_algorithm": PasswordHash.algorithm, "tags": $0.tags, "limits": [:] as [String: Any]] },
            "vhosts": vhosts.map { ["name": $0.name, "description": "", "tags": [String](), "metadata": [:] as [String: Any]] },
            "permissions": users.flatMap { user in
                user.permissions.sorted { $0.key < $1.key }.map {
                    ["user": user.name, "vhost": $0.key, "configure": $0.value.configure, "write": $0.value.write, "read": $0.value.read]
                }
            },
            "parameters": [Any](), "global_parameters": [Any](), "policies": [Any](), "topic_permissions": [Any](),
            "queues": queues, "exchanges": exchanges, "bindings": bindings,
        ]
    }

    /// Applies a definitions file: what it names is created (or updated, for users); what
    /// it does not name is left as it is, as RabbitMQ's import does.
    static func `import`(_ document: [String: Any], into state: BrokerState) throws(AdministrationError) {
        let owner = ObjectIdentifier(state)
        for vhost in document["vhosts"] as? [[String: Any]] ?? [] {
            guard let name = vhost["name"] as? String else { throw .invalidBody("a vhost without a name") }
            state.addVirtualHost(name)
        }
        for user in document["users"] as? [[String: Any]] ?? [] {
            guard let name = user["name"] as? String else { throw .invalidBody("a user without a name") }
            let hash: PasswordHash
            if let encoded = user["password_hash"] as? String {
                guard (user["hashing_algorithm"] as? String ?? PasswordHash.algorithm) == PasswordHash.algorithm else {
                    throw .invalidBody("user '\(name)' has a password hash of another algorithm; only \(PasswordHash.algorithm) is understood")
                }
                hash = PasswordHash(encoded: encoded)
            } else if let password = user["password"] as? String {
                hash = PasswordHash(password: password)
            } else {
                throw .invalidBody("user '\(name)' has neither password_hash nor password")
            }
            let tags = (user["tags"] as? [String])
                ?? (user["tags"] as? String)?.split(separator: ",").map(String.init) ?? []
            state.putUser(name: name, passwordHash: hash, tags: tags)
        }
        for permission in document["permissions"] as? [[String: Any]] ?? [] {
            guard let user = permission["user"] as? String, let vhost = permission["vhost"] as? String else {
                throw .invalidBody("a permission without user or vhost")
            }
            try state.grant(user: user, vhost: vhost, Permission(configure: permission["configure"] as? String ?? ".*",
                                                                 write: permission["write"] as? String ?? ".*",
                                                                 read: permission["read"] as? String ?? ".*"))
        }
        for exchange in document["exchanges"] as? [[String: Any]] ?? [] {
            guard let name = exchange["name"] as? String, let vhostName = exchange["vhost"] as? String,
                  let vhost = state.virtualHosts[vhostName] else { throw .invalidBody("an exchange without a known vhost: \(exchange)") }
            do {
                try vhost.declareExchange(.init(exchange: name, type: exchange["type"] as? String ?? "direct",
                                                durable: exchange["durable"] as? Bool ?? true,
                                                autoDelete: exchange["auto_delete"] as? Bool ?? false,
                                                internal: exchange["internal"] as? Bool ?? false,
                                                arguments: table(exchange["arguments"])))
            } catch {
                throw .invalidBody("exchange '\(name)': \(error.replyText)")
            }
        }
        for queue in document["queues"] as? [[String: Any]] ?? [] {
            guard let name = queue["name"] as? String, let vhostName = queue["vhost"] as? String,
                  let vhost = state.virtualHosts[vhostName] else { throw .invalidBody("a queue without a known vhost: \(queue)") }
            do {
                _ = try vhost.declareQueue(.init(queue: name, durable: queue["durable"] as? Bool ?? true,
                                                 autoDelete: queue["auto_delete"] as? Bool ?? false,
                                                 arguments: table(queue["arguments"])), owner: owner)
            } catch {
                throw .invalidBody("queue '\(name)': \(error.replyText)")
            }
        }
        for binding in document["bindings"] as? [[String: Any]] ?? [] {
            guard let source = binding["source"] as? String, let vhostName = binding["vhost"] as? String,
                  let destination = binding["destination"] as? String, let vhost = state.virtualHosts[vhostName] else {
                throw .invalidBody("a binding without source, destination or a known vhost: \(binding)")
            }
            let target: BindingDestination = binding["destination_type"] as? String == "exchange"
                ? .exchange(destination) : .queue(destination)
            do {
                try vhost.bind(Binding(source: source, destination: target, routingKey: binding["routing_key"] as? String ?? "",
                                       arguments: table(binding["arguments"])), from: owner)
            } catch {
                throw .invalidBody("binding \(source) → \(destination): \(error.replyText)")
            }
        }
    }

    /// JSON arguments back to a field table: integers as long, as RabbitMQ reads them.
    static func table(_ value: Any?) -> AMQPTable {
        guard let object = value as? [String: Any] else { return [:] }
        return object.compactMapValues(fieldValue)
    }

    private static func fieldValue(_ value: Any) -> AMQPFieldValue? {
        switch value {
        // JSON's true and false come back as NSNumbers of ObjC type "c"; integers as "i"/"q".
        case let number as NSNumber where String(cString: number.objCType) == "c": return .bool(number.boolValue)
        case let number as NSNumber where ["d", "f"].contains(String(cString: number.objCType)): return .double(number.doubleValue)
        case let number as NSNumber: return .int64(number.int64Value)
        case let text as String: return .string(text)
        case let list as [Any]: return .array(list.compactMap(fieldValue))
        case let object as [String: Any]: return .table(table(object))
        default: return nil
        }
    }
}
