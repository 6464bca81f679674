import AMQPProtocol
import Foundation
import NIOCore

/// One change to what the broker keeps across restarts — durable exchanges, queues and
/// bindings, vhosts, users and permissions — as a line of JSON in the definitions log.
enum DefinitionChange: Equatable {
    case virtualHostAdded(String)
    case virtualHostDeleted(String)
    case userPut(BrokerUser)
    case userDeleted(String)
    case exchangeDeclared(vhost: String, name: String, type: ExchangeType, autoDelete: Bool, isInternal: Bool, arguments: AMQPTable)
    case exchangeDeleted(vhost: String, name: String)
    case queueDeclared(vhost: String, name: String, autoDelete: Bool, arguments: AMQPTable)
    case queueDeleted(vhost: String, name: String)
    case bound(vhost: String, Binding)
    case unbound(vhost: String, Binding)

    var json: [String: Any] {
        switch self {
        case .virtualHostAdded(let name): return ["op": "vhost.add", "name": name]
        case .virtualHostDeleted(let name): return ["op": "vhost.delete", "name": name]
        case .userPut(let user):
            return ["op": "user.put", "name": user.name, "password_hash": user.passwordHash.encoded, "tags": user.tags,
                    "permissions": user.permissions.mapValues { ["configure": $0.configure, "write": $0.write, "read": $0.read] }]
        case .userDeleted(let name): return ["op": "user.delete", "name": name]
        case .exchangeDeclared(let vhost, let name, let type, let autoDelete, let isInternal, let arguments):
            return ["op": "exchange.declare", "vhost": vhost, "name": name, "type": type.rawValue, "auto_delete": autoDelete,
                    "internal": isInternal, "arguments": Self.encode(arguments)]
        case .exchangeDeleted(let vhost, let name): return ["op": "exchange.delete", "vhost": vhost, "name": name]
        case .queueDeclared(let vhost, let name, let autoDelete, let arguments):
            return ["op": "queue.declare", "vhost": vhost, "name": name, "auto_delete": autoDelete,
                    "arguments": Self.encode(arguments)]
        case .queueDeleted(let vhost, let name): return ["op": "queue.delete", "vhost": vhost, "name": name]
        case .bound(let vhost, let binding): return Self.binding("binding.add", vhost, binding)
        case .unbound(let vhost, let binding): return Self.binding("binding.delete", vhost, binding)
        }
    }

    init(json: [String: Any]) throws(StorageError) {
        func string(_ key: String) throws(StorageError) -> String {
            guard let value = json[key] as? String else { throw .corrupt("definitions", "no '\(key)' in \(json)") }
            return value
        }
        func table(_ key: String) throws(StorageError) -> AMQPTable {
            guard let text = json[key] as? String, let data = Data(base64Encoded: text) else { return [:] }
            var buffer = ByteBuffer(bytes: data)
            guard let table = try? buffer.readAMQPTable() else { throw .corrupt("definitions", "unreadable \(key)") }
            return table
        }
        switch try string("op") {
        case "vhost.add": self = .virtualHostAdded(try string("name"))
        case "vhost.delete": self = .virtualHostDeleted(try string("name"))
        case "user.put":
            let permissions = (json["permissions"] as? [String: [String: String]] ?? [:]).mapValues {
                Permission(configure: $0["configure"] ?? "", write: $0["write"] ?? "", read: $0["read"] ?? "")
            }
            self = .userPut(BrokerUser(name: try string("name"), passwordHash: PasswordHash(encoded: try string("password_hash")),
                                       tags: json["tags"] as? [String] ?? [], permissions: permissions))
        case "user.delete": self = .userDeleted(try string("name"))
        case "exchange.declare":
            guard let type = ExchangeType(rawValue: try string("type")) else { throw .corrupt("definitions", "bad type in \(json)") }
            self = .exchangeDeclared(vhost: try string("vhost"), name: try string("name"), type: type,
                                     autoDelete: json["auto_delete"] as? Bool ?? false, isInternal: json["internal"] as? Bool ?? false,
                                     arguments: try table("arguments"))
        case "exchange.delete": self = .exchangeDeleted(vhost: try string("vhost"), name: try string("name"))
        case "queue.declare":
            self = .queueDeclared(vhost: try string("vhost"), name: try string("name"),
                                  autoDelete: json["auto_delete"] as? Bool ?? false, arguments: try table("arguments"))
        case "queue.delete": self = .queueDeleted(vhost: try string("vhost"), name: try string("name"))
        case "binding.add", "binding.delete":
            let destination: BindingDestination = try string("destination_type") == "exchange"
                ? .exchange(try string("destination")) : .queue(try string("destination"))
            let binding = Binding(source: try string("source"), destination: destination,
                                  routingKey: try string("routing_key"), arguments: try table("arguments"))
            self = try string("op") == "binding.add" ? .bound(vhost: try string("vhost"), binding)
                : .unbound(vhost: try string("vhost"), binding)
        case let other:
            throw .corrupt("definitions", "unknown change '\(other)'")
        }
    }

    private static func binding(_ op: String, _ vhost: String, _ binding: Binding) -> [String: Any] {
        let type: String
        if case .exchange = binding.destination { type = "exchange" } else { type = "queue" }
        return ["op": op, "vhost": vhost, "source": binding.source, "destination": binding.destination.name,
                "destination_type": type, "routing_key": binding.routingKey, "arguments": encode(binding.arguments)]
    }

    /// Field tables as their AMQP bytes, base64: exact, whatever the value types.
    private static func encode(_ table: AMQPTable) -> String {
        var buffer = ByteBuffer()
        try? buffer.writeAMQPTable(table)
        return Data(buffer.readableBytesView).base64EncodedString()
    }
}
