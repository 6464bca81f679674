import AMQPProtocol
import Logging

/// Everything the broker holds — users, virtual hosts, open connections — owned by its one
/// event loop, so connections reach it directly, without locks or hops.
final class BrokerState {
    let configuration: BrokerConfiguration
    let logger: Logger
    private(set) var users: [String: BrokerUser]
    private(set) var virtualHosts: [String: VirtualHost]
    private(set) var connections: [ObjectIdentifier: BrokerConnection] = [:]

    init(configuration: BrokerConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        users = Dictionary(configuration.users.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
        virtualHosts = Dictionary(uniqueKeysWithValues: Set(configuration.virtualHosts).map { ($0, VirtualHost(name: $0)) })
    }

    /// The user these credentials name, or why not. `guest` works only over loopback, as in
    /// RabbitMQ (loopback_users).
    func authenticate(user name: String, password: String, fromLoopback: Bool) throws(AMQPException) -> BrokerUser {
        guard let user = users[name], user.password == password else {
            throw .accessRefused("Login was refused using authentication mechanism PLAIN. For details see the broker logfile.")
        }
        if user.name == BrokerUser.guest.name, !fromLoopback {
            throw .accessRefused("user 'guest' can only connect via localhost; add a user of your own for remote clients")
        }
        return user
    }

    func openVirtualHost(_ name: String, for user: BrokerUser) throws(AMQPException) -> VirtualHost {
        guard let vhost = virtualHosts[name] else {
            throw AMQPException(.invalidPath, "vhost '\(name)' not found")
        }
        guard user.vhosts.contains(name) else {
            throw .notAllowed("access to vhost '\(name)' refused for user '\(user.name)'")
        }
        return vhost
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
