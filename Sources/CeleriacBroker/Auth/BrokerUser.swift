/// A user of the broker: a password, and the virtual hosts it may open.
public struct BrokerUser: Sendable, Hashable {
    public var name: String
    public var password: String
    public var tags: [String]
    /// The vhosts this user has permissions on.
    public var vhosts: Set<String>

    public init(name: String, password: String, tags: [String] = ["administrator"], vhosts: Set<String> = ["/"]) {
        self.name = name
        self.password = password
        self.tags = tags
        self.vhosts = vhosts
    }

    /// RabbitMQ's built-in user; like RabbitMQ, it may only connect over loopback.
    public static let guest = BrokerUser(name: "guest", password: "guest")
}
