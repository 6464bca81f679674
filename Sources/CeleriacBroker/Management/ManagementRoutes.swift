import Foundation
import NIOHTTP1

/// What each management API path does: RabbitMQ's paths and verbs, the subset monitors
/// and administration scripts use. `*` in a pattern captures one (percent-decoded) segment.
struct ManagementRoutes {
    struct Response {
        var status: HTTPResponseStatus
        var body: Any?

        static func json(_ body: Any) -> Response { Response(status: .ok, body: body) }
        static var noContent: Response { Response(status: .noContent, body: nil) }
        static var created: Response { Response(status: .created, body: nil) }
        static func error(_ status: HTTPResponseStatus, _ reason: String) -> Response {
            Response(status: status, body: ["error": status.reasonPhrase, "reason": reason])
        }
        static func notFound(_ what: String) -> Response { .error(.notFound, "\(what) not found") }
    }

    struct Request {
        /// The `*` segments of the matched pattern, in order.
        var captured: [String]
        var body: [UInt8]
        var user: BrokerUser
        /// The `X-Reason` header, which RabbitMQ's API takes when closing a connection.
        var reason: String?
    }

    private struct Route {
        var method: HTTPMethod
        var pattern: [String]
        var handle: (Request) throws -> Response

        init(_ method: HTTPMethod, _ pattern: String..., handle: @escaping (Request) throws -> Response) {
            self.method = method
            self.pattern = pattern
            self.handle = handle
        }

        func captures(_ path: [String]) -> [String]? {
            guard path.count == pattern.count else { return nil }
            var captured: [String] = []
            for (segment, expected) in zip(path, pattern) {
                if expected == "*" { captured.append(segment) } else if segment != expected { return nil }
            }
            return captured
        }
    }

    let state: BrokerState
    let views: ManagementViews

    func respond(method: HTTPMethod, path: [String], body: [UInt8], user: BrokerUser, reason: String? = nil) -> Response {
        for route in routes where route.method == method {
            guard let captured = route.captures(path) else { continue }
            do {
                return try route.handle(Request(captured: captured, body: body, user: user, reason: reason))
            } catch {
                return .error(.badRequest, "\(error)")
            }
        }
        return .error(.notFound, "no \(method.rawValue) /api/\(path.joined(separator: "/")) here")
    }

    private var routes: [Route] {
        [
            Route(.GET, "overview") { _ in .json(views.overview()) },
            Route(.GET, "whoami") { request in .json(["name": request.user.name, "tags": request.user.tags]) },
            Route(.GET, "nodes") { _ in .json([views.node()]) },
            Route(.GET, "nodes", "*") { _ in .json(views.node()) },

            Route(.GET, "vhosts") { _ in .json(sortedVirtualHosts.map(views.virtualHost)) },
            Route(.GET, "vhosts", "*") { request in
                guard let vhost = state.virtualHosts[request.captured[0]] else { return .notFound("vhost '\(request.captured[0])'") }
                return .json(views.virtualHost(vhost))
            },
            Route(.PUT, "vhosts", "*") { request in
                let name = request.captured[0]
                guard !name.isEmpty, name.utf8.count <= 255 else { return .error(.badRequest, "a vhost name is 1 to 255 bytes") }
                return state.addVirtualHost(name) ? .created : .noContent
            },
            Route(.DELETE, "vhosts", "*") { request in
                state.deleteVirtualHost(request.captured[0]) ? .noContent : .notFound("vhost '\(request.captured[0])'")
            },

            Route(.GET, "users") { _ in .json(state.users.values.sorted { $0.name < $1.name }.map(views.user)) },
            Route(.PUT, "users", "*") { request in try putUser(request) },
            Route(.DELETE, "users", "*") { request in
                state.deleteUser(request.captured[0]) ? .noContent : .notFound("user '\(request.captured[0])'")
            },

            Route(.GET, "permissions") { _ in
                .json(state.users.values.sorted { $0.name < $1.name }.flatMap { user in
                    user.permissions.sorted { $0.key < $1.key }.map { views.permission(user: user.name, vhost: $0.key, $0.value) }
                })
            },
            Route(.PUT, "permissions", "*", "*") { request in
                let body = try ManagementJSON.decodeObject(request.body)
                let permission = Permission(configure: body["configure"] as? String ?? ".*", write: body["write"] as? String ?? ".*",
                                            read: body["read"] as? String ?? ".*")
                try state.grant(user: request.captured[1], vhost: request.captured[0], permission)
                return .created
            },
            Route(.DELETE, "permissions", "*", "*") { request in
                state.revoke(user: request.captured[1], vhost: request.captured[0])
                return .noContent
            },

            Route(.GET, "queues") { _ in .json(queues(in: sortedVirtualHosts)) },
            Route(.GET, "queues", "*") { request in
                guard let vhost = state.virtualHosts[request.captured[0]] else { return .notFound("vhost '\(request.captured[0])'") }
                return .json(queues(in: [vhost]))
            },
            Route(.GET, "queues", "*", "*") { request in
                guard let (vhost, queue) = find(request) else { return .notFound("queue '\(request.captured[1])'") }
                return .json(views.queue(queue, in: vhost))
            },
            Route(.DELETE, "queues", "*", "*") { request in
                guard let (vhost, queue) = find(request) else { return .notFound("queue '\(request.captured[1])'") }
                vhost.removeQueue(queue)
                return .noContent
            },
            Route(.DELETE, "queues", "*", "*", "contents") { request in
                guard let (_, queue) = find(request) else { return .notFound("queue '\(request.captured[1])'") }
                _ = queue.purge()
                return .noContent
            },

            Route(.GET, "exchanges") { _ in .json(exchanges(in: sortedVirtualHosts)) },
            Route(.GET, "exchanges", "*") { request in
                guard let vhost = state.virtualHosts[request.captured[0]] else { return .notFound("vhost '\(request.captured[0])'") }
                return .json(exchanges(in: [vhost]))
            },
            Route(.GET, "exchanges", "*", "*") { request in
                guard let vhost = state.virtualHosts[request.captured[0]], let exchange = vhost.exchanges[request.captured[1]] else {
                    return .notFound("exchange '\(request.captured[1])'")
                }
                return .json(views.exchange(exchange, in: vhost))
            },

            Route(.GET, "bindings") { _ in .json(bindings(in: sortedVirtualHosts)) },
            Route(.GET, "bindings", "*") { request in
                guard let vhost = state.virtualHosts[request.captured[0]] else { return .notFound("vhost '\(request.captured[0])'") }
                return .json(bindings(in: [vhost]))
            },

            Route(.GET, "connections") { _ in .json(connections.map(views.connection)) },
            Route(.GET, "connections", "*") { request in
                guard let connection = connection(named: request.captured[0]) else { return .notFound("connection '\(request.captured[0])'") }
                return .json(views.connection(connection))
            },
            Route(.DELETE, "connections", "*") { request in
                guard let connection = connection(named: request.captured[0]) else { return .notFound("connection '\(request.captured[0])'") }
                connection.close(with: AMQPException(.connectionForced, request.reason ?? "Closed via management plugin"))
                return .noContent
            },
            Route(.GET, "channels") { _ in
                .json(connections.flatMap { connection in
                    connection.channels.keys.sorted().compactMap { connection.channels[$0] }.map(views.channel)
                })
            },
            Route(.GET, "definitions") { _ in .json(DefinitionsDocument.export(state)) },
            Route(.POST, "definitions") { request in
                try DefinitionsDocument.import(try ManagementJSON.decodeObject(request.body), into: state)
                return .noContent
            },
            // Celeriac's own: what `rabbitmqctl set_vm_memory_high_watermark` and
            // `set_disk_free_limit` change on a running RabbitMQ node.
            Route(.PUT, "celeriac", "vm-memory-high-watermark") { request in
                guard let text = try ManagementJSON.decodeObject(request.body)["value"] as? String,
                      let limit = ResourceAlarms.parseMemoryLimit(text) else {
                    throw AdministrationError.invalidBody(#"takes {"value": "0.4"} (a share of memory) or {"value": "512MB"}"#)
                }
                state.alarms.memoryLimit = limit
                state.alarms.check()
                return .noContent
            },
            Route(.PUT, "celeriac", "disk-free-limit") { request in
                guard let text = try ManagementJSON.decodeObject(request.body)["value"] as? String,
                      let bytes = ResourceAlarms.parseBytes(text) else {
                    throw AdministrationError.invalidBody(#"takes {"value": "50MB"}"#)
                }
                state.alarms.diskFreeLimit = bytes
                state.alarms.check()
                return .noContent
            },
            Route(.GET, "consumers") { _ in .json(consumers(in: nil)) },
            Route(.GET, "consumers", "*") { request in .json(consumers(in: request.captured[0])) },
        ]
    }

    private func putUser(_ request: Request) throws -> Response {
        let name = request.captured[0]
        let object = try ManagementJSON.decodeObject(request.body)
        let hash: PasswordHash
        if let password = object["password"] as? String {
            hash = PasswordHash(password: password)
        } else if let encoded = object["password_hash"] as? String {
            hash = PasswordHash(encoded: encoded)
        } else {
            throw AdministrationError.invalidBody(#"PUT /api/users/NAME takes {"password": "…", "tags": "administrator"}"#)
        }
        let tags = (object["tags"] as? String)?.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            ?? (object["tags"] as? [String]) ?? []
        let existed = state.users[name] != nil
        state.putUser(name: name, passwordHash: hash, tags: tags)
        return existed ? .noContent : .created
    }

    private var sortedVirtualHosts: [VirtualHost] { state.virtualHosts.values.sorted { $0.name < $1.name } }
    private var connections: [BrokerConnection] { state.connections.values.sorted { $0.name < $1.name } }

    private func connection(named name: String) -> BrokerConnection? { connections.first { $0.name == name } }

    private func queues(in vhosts: [VirtualHost]) -> [[String: Any]] {
        vhosts.flatMap { vhost in vhost.queues.values.sorted { $0.name < $1.name }.map { views.queue($0, in: vhost) } }
    }

    private func exchanges(in vhosts: [VirtualHost]) -> [[String: Any]] {
        vhosts.flatMap { vhost in vhost.exchanges.values.sorted { $0.name < $1.name }.map { views.exchange($0, in: vhost) } }
    }

    private func bindings(in vhosts: [VirtualHost]) -> [[String: Any]] {
        vhosts.flatMap { vhost in
            vhost.exchanges.values.sorted { $0.name < $1.name }.flatMap { exchange in
                exchange.bindings.map { views.binding($0, in: vhost) }
            }
        }
    }

    private func consumers(in vhostName: String?) -> [[String: Any]] {
        connections.flatMap { connection in
            connection.channels.values.filter { vhostName == nil || $0.virtualHost.name == vhostName }.flatMap { channel in
                channel.consumers.values.sorted { $0.tag < $1.tag }.map { views.consumer($0, on: channel) }
            }
        }
    }

    /// The vhost and queue a `queues/{vhost}/{name}` path names.
    private func find(_ request: Request) -> (VirtualHost, MessageQueue)? {
        guard let vhost = state.virtualHosts[request.captured[0]], let queue = vhost.queues[request.captured[1]] else { return nil }
        return (vhost, queue)
    }
}
