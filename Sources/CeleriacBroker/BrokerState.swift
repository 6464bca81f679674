import AMQPProtocol
import Foundation
import Logging

/// Everything the broker holds — users, virtual hosts, open connections — owned by its one
/// event loop, so connections reach it directly, without locks or hops.
final class BrokerState {
    let configuration: BrokerConfiguration
    let logger: Logger
    private(set) var users: [String: BrokerUser]
    private(set) var virtualHosts: [String: VirtualHost]
    private(set) var connections: [ObjectIdentifier: BrokerConnection] = [:]

    let clock: any BrokerClock
    let store: BrokerStore?
    let alarms: ResourceAlarms

    init(configuration: BrokerConfiguration, logger: Logger, clock: any BrokerClock, store: BrokerStore? = nil) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        self.store = store
        alarms = ResourceAlarms(
            memoryLimit: ResourceAlarms.parseMemoryLimit(configuration.memoryHighWatermark) ?? .fraction(0.4),
            diskFreeLimit: ResourceAlarms.parseBytes(configuration.diskFreeLimit) ?? 50_000_000,
            dataDirectory: configuration.dataDirectory)
        users = Dictionary(configuration.users.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        virtualHosts = Dictionary(uniqueKeysWithValues: Set(configuration.virtualHosts).map {
            ($0, VirtualHost(name: $0, clock: clock, store: store))
        })
    }

    /// The user these credentials name, or why not. `guest` works only over loopback, as in
    /// RabbitMQ (loopback_users).
    func authenticate(user name: String, password: String, mechanism: String, fromLoopback: Bool)
        throws(AMQPException) -> BrokerUser
    {
        guard let user = users[name], user.passwordHash.matches(password) else {
            throw .accessRefused("Login was refused using authentication mechanism \(mechanism). For details see the broker logfile.")
        }
        if user.name == BrokerUser.guest.name, !fromLoopback {
            throw .accessRefused("user 'guest' can only connect via localhost; add a user of your own for remote clients")
        }
        return user
    }

    func openVirtualHost(_ name: String, for user: BrokerUser) throws(AMQPException) -> VirtualHost {
        guard let vhost = virtualHosts[name] else {
            throw .notAllowed("vhost '\(name)' not found")
        }
        guard user.vhosts.contains(name) else {
            throw .notAllowed("access to vhost '\(name)' refused for user '\(user.name)'")
        }
        return vhost
    }

    // MARK: Administration (management API, `celeriac broker ctl`)

    /// Adds a vhost; an existing one is left as it is (RabbitMQ's PUT is idempotent).
    /// Returns whether it was created.
    @discardableResult
    func addVirtualHost(_ name: String) -> Bool {
        guard virtualHosts[name] == nil else { return false }
        virtualHosts[name] = VirtualHost(name: name, clock: clock, store: store)
        store?.record(.virtualHostAdded(name))
        return true
    }

    /// Deletes a vhost with everything in it; its connections are closed first.
    func deleteVirtualHost(_ name: String) -> Bool {
        guard let vhost = virtualHosts.removeValue(forKey: name) else { return false }
        store?.record(.virtualHostDeleted(name))
        for connection in connections.values where connection.virtualHost === vhost {
            connection.close(with: AMQPException(.connectionForced, "vhost '\(name)' is deleted"))
        }
        for queue in vhost.queues.values { vhost.removeQueue(queue) }
        for key in users.keys where users[key]?.permissions[name] != nil {
            users[key]?.permissions[name] = nil
            store?.record(.userPut(users[key]!))
        }
        return true
    }

    /// Adds or replaces a user, keeping the permissions of one that exists.
    func putUser(name: String, passwordHash: PasswordHash, tags: [String]) {
        let permissions = users[name]?.permissions ?? [:]
        users[name] = BrokerUser(name: name, passwordHash: passwordHash, tags: tags, permissions: permissions)
        store?.record(.userPut(users[name]!))
    }

    func deleteUser(_ name: String) -> Bool {
        guard users.removeValue(forKey: name) != nil else { return false }
        store?.record(.userDeleted(name))
        for connection in connections.values where connection.user?.name == name {
            connection.close(with: AMQPException(.connectionForced, "user '\(name)' is deleted"))
        }
        return true
    }

    /// Sets `user`'s rights in `vhost` (RabbitMQ's set_permissions).
    func grant(user: String, vhost: String, _ permission: Permission = .all) throws(AdministrationError) {
        guard users[user] != nil else { throw .noSuchUser(user) }
        guard virtualHosts[vhost] != nil else { throw .noSuchVirtualHost(vhost) }
        guard permission.isValid else { throw .invalidBody("a permission pattern is not a regular expression: \(permission)") }
        guard users[user]?.permissions[vhost] != permission else { return }
        users[user]?.permissions[vhost] = permission
        store?.record(.userPut(users[user]!))
    }

    func revoke(user: String, vhost: String) {
        guard users[user]?.permissions.removeValue(forKey: vhost) != nil else { return }
        store?.record(.userPut(users[user]!))
    }

    /// The node name the management API reports, as RabbitMQ's `rabbit@host`.
    let nodeName = "celeriac@" + (ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "localhost")
    let startedAt = Date()

    /// An alarm went on or off: blocked publishers go on when none is left.
    func alarmsChanged(_ active: Set<ResourceAlarms.Alarm>) {
        if active.isEmpty {
            logger.info("resource alarms cleared; publishers may go on")
            for connection in connections.values { connection.alarmsCleared() }
        } else {
            logger.warning("resource alarm: \(active.map(\.reason).sorted().joined(separator: ", ")); publishing connections are blocked")
        }
    }

    func register(_ connection: BrokerConnection) { connections[ObjectIdentifier(connection)] = connection }
    func unregister(_ connection: BrokerConnection) { connections[ObjectIdentifier(connection)] = nil }

    /// What connection.start tells clients about us. The product is "RabbitMQ" on purpose:
    /// kombu decides its QoS semantics by product name (`qos_semantics_matches_spec`), and
    /// with this one a Celery worker sends global QoS, which we apply to the whole channel
    /// at once, as RabbitMQ does — so raising the prefetch for ETA tasks never stalls.
    static let serverProperties: AMQPTable = [
        "product": .string("RabbitMQ"),
        "version": .string("3.13.7"),
        "platform": .string("Celeriac broker (Swift)"),
        "information": .string("Celeriac's bundled broker, compatible with RabbitMQ 3.13"),
        "cluster_name": .string("celeriac"),
        "copyright": .string("Celeriac contributors"),
        "capabilities": .table([
            "publisher_confirms": .bool(true),
            "exchange_exchange_bindings": .bool(true),
            "basic.nack": .bool(true),
            "consumer_cancel_notify": .bool(true),
            "connection.blocked": .bool(true),
            "authentication_failure_close": .bool(true),
            "per_consumer_qos": .bool(true),
            "consumer_priorities": .bool(false),
            "direct_reply_to": .bool(false),
        ]),
    ]
}
