import ArgumentParser
import Foundation

/// What each `celeriac broker ctl` verb asks of the management API, and how its answer is
/// printed: rabbitmqctl's tab-separated columns.
struct BrokerCtl {
    let client: BrokerAdminClient
    let vhost: String
    let quiet: Bool

    private var vhostPath: String { BrokerAdminClient.segment(vhost) }

    func run(_ verb: String, _ arguments: [String]) async throws {
        switch verb {
        case "list_queues":
            try await list("queues/\(vhostPath)", "queues for vhost \(vhost)", arguments, defaults: ["name", "messages"])
        case "list_exchanges":
            try await list("exchanges/\(vhostPath)", "exchanges for vhost \(vhost)", arguments, defaults: ["name", "type"])
        case "list_bindings":
            try await list("bindings/\(vhostPath)", "bindings for vhost \(vhost)", arguments,
                           defaults: ["source", "destination", "destination_type", "routing_key"])
        case "list_connections":
            try await list("connections", "connections", arguments, defaults: ["user", "peer_host", "peer_port", "state"])
        case "list_consumers":
            try await list("consumers/\(vhostPath)", "consumers in vhost \(vhost)", arguments,
                           defaults: ["queue_name", "channel_pid", "consumer_tag", "ack_required", "prefetch_count"])
        case "list_users": try await list("users", "users", arguments, defaults: ["user", "tags"])
        case "list_vhosts": try await list("vhosts", "vhosts", arguments, defaults: ["name"])
        case "list_permissions":
            try await list("permissions", "permissions for vhost \(vhost)", arguments,
                           defaults: ["user", "configure", "write", "read"]) { $0["vhost"] as? String == vhost }
        case "add_user":
            let (name, password) = try two(arguments, "add_user NAME PASSWORD")
            try await client.send("PUT", "/users/\(BrokerAdminClient.segment(name))", body: ["password": password, "tags": ""])
            note("Adding user \"\(name)\" ...")
        case "change_password":
            let (name, password) = try two(arguments, "change_password NAME PASSWORD")
            let tags = try await user(name)["tags"] ?? []
            try await client.send("PUT", "/users/\(BrokerAdminClient.segment(name))", body: ["password": password, "tags": tags])
            note("Changing password for user \"\(name)\" ...")
        case "set_user_tags":
            guard let name = arguments.first else { throw ValidationError("set_user_tags NAME TAG...") }
            guard let hash = try await user(name)["password_hash"]?.first else { throw CommandFailure("no user '\(name)'") }
            try await client.send("PUT", "/users/\(BrokerAdminClient.segment(name))",
                                  body: ["password_hash": hash, "tags": Array(arguments.dropFirst())])
            note("Setting tags for user \"\(name)\" to \(Array(arguments.dropFirst())) ...")
        case "delete_user":
            try await client.send("DELETE", "/users/\(BrokerAdminClient.segment(try one(arguments, "delete_user NAME")))")
        case "add_vhost":
            try await client.send("PUT", "/vhosts/\(BrokerAdminClient.segment(try one(arguments, "add_vhost NAME")))", body: [:] as [String: Any])
        case "delete_vhost":
            try await client.send("DELETE", "/vhosts/\(BrokerAdminClient.segment(try one(arguments, "delete_vhost NAME")))")
        case "set_permissions":
            guard arguments.count == 4 else { throw ValidationError("set_permissions [-p VHOST] USER CONF WRITE READ") }
            try await client.send("PUT", "/permissions/\(vhostPath)/\(BrokerAdminClient.segment(arguments[0]))",
                                  body: ["configure": arguments[1], "write": arguments[2], "read": arguments[3]])
            note("Setting permissions for user \"\(arguments[0])\" in vhost \"\(vhost)\" ...")
        case "clear_permissions":
            let name = try one(arguments, "clear_permissions [-p VHOST] USER")
            try await client.send("DELETE", "/permissions/\(vhostPath)/\(BrokerAdminClient.segment(name))")
        case "close_connection":
            guard arguments.count == 2 else { throw ValidationError("close_connection NAME REASON") }
            try await client.send("DELETE", "/connections/\(BrokerAdminClient.segment(arguments[0]))",
                                  headers: ["X-Reason": arguments[1]])
            note("Closing connection \(arguments[0]), reason: \(arguments[1])...")
        case "purge_queue":
            let name = try one(arguments, "purge_queue [-p VHOST] NAME")
            try await client.send("DELETE", "/queues/\(vhostPath)/\(BrokerAdminClient.segment(name))/contents")
        case "delete_queue":
            let name = try one(arguments, "delete_queue [-p VHOST] NAME")
            try await client.send("DELETE", "/queues/\(vhostPath)/\(BrokerAdminClient.segment(name))")
        case "export_definitions":
            let target = try one(arguments, "export_definitions FILE|-")
            let definitions = try await client.send("GET", "/definitions") ?? [:] as [String: Any]
            let data = try JSONSerialization.data(withJSONObject: definitions, options: [.prettyPrinted, .sortedKeys])
            if target == "-" {
                FileHandle.standardOutput.write(data + Data("\n".utf8))
            } else {
                try data.write(to: URL(fileURLWithPath: target))
                note("Exported definitions to \(target)")
            }
        case "import_definitions":
            let source = try one(arguments, "import_definitions FILE|-")
            let data = source == "-" ? FileHandle.standardInput.readDataToEndOfFile()
                : try Data(contentsOf: URL(fileURLWithPath: source))
            guard let definitions = try? JSONSerialization.jsonObject(with: data) else {
                throw CommandFailure("\(source) is not JSON; give a definitions file (rabbitmqctl export_definitions makes one)")
            }
            try await client.send("POST", "/definitions", body: definitions)
            note("Imported definitions from \(source)")
        case "set_vm_memory_high_watermark":
            try await client.send("PUT", "/celeriac/vm-memory-high-watermark",
                                  body: ["value": try one(arguments, "set_vm_memory_high_watermark 0.4|512MB")])
        case "set_disk_free_limit":
            try await client.send("PUT", "/celeriac/disk-free-limit",
                                  body: ["value": try one(arguments, "set_disk_free_limit 50MB")])
        default:
            throw ValidationError("unknown verb '\(verb)'; see 'celeriac broker ctl --help' for the verbs")
        }
    }

    /// rabbitmqctl's listing: an informational line (unless -q), the column names, then
    /// one tab-separated row per object.
    private func list(_ path: String, _ what: String, _ columns: [String], defaults: [String],
                      where keep: ([String: Any]) -> Bool = { _ in true }) async throws {
        let rows = (try await client.send("GET", "/\(path)") as? [[String: Any]] ?? []).filter(keep)
        let columns = columns.isEmpty ? defaults : columns
        note("Listing \(what) ...")
        print(columns.joined(separator: "\t"))
        for row in rows { print(columns.map { Self.cell(row, $0) }.joined(separator: "\t")) }
    }

    /// A column's value; rabbitmqctl's names where they differ from the API's.
    static func cell(_ row: [String: Any], _ column: String) -> String {
        let aliases = ["pid": "name", "channel_pid": "channel_details.name", "queue_name": "queue.name", "user": "name",
                       "source_name": "source", "destination_name": "destination", "destination_kind": "destination_type"]
        var value: Any? = row[column]
        if value == nil, let alias = aliases[column] {
            value = alias.split(separator: ".").reduce(row as Any?) { ($0 as? [String: Any])?[String($1)] }
        }
        if column == "user", row["user"] != nil { value = row["user"] }
        switch value {
        case nil: return ""
        case let text as String: return text
        // JSON's true and false arrive as NSNumbers of ObjC type "c".
        case let number as NSNumber where String(cString: number.objCType) == "c": return number.boolValue ? "true" : "false"
        case let list as [String]: return "[" + list.joined(separator: ", ") + "]"
        case let object as [String: Any]:
            let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            return data.map { String(decoding: $0, as: UTF8.self) } ?? ""
        case let other?: return "\(other)"
        }
    }

    private func note(_ line: String) {
        guard !quiet else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    private func one(_ arguments: [String], _ usage: String) throws -> String {
        guard arguments.count == 1 else { throw ValidationError("usage: \(usage)") }
        return arguments[0]
    }

    private func two(_ arguments: [String], _ usage: String) throws -> (String, String) {
        guard arguments.count == 2 else { throw ValidationError("usage: \(usage)") }
        return (arguments[0], arguments[1])
    }

    /// A user's fields as strings (tags as a list), for verbs that change one field.
    private func user(_ name: String) async throws -> [String: [String]] {
        let users = try await client.send("GET", "/users") as? [[String: Any]] ?? []
        guard let user = users.first(where: { $0["name"] as? String == name }) else { throw CommandFailure("no user '\(name)'") }
        return ["tags": user["tags"] as? [String] ?? [], "password_hash": [user["password_hash"] as? String ?? ""]]
    }
}
