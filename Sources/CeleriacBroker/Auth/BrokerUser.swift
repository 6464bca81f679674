/// A user of the broker: a password (kept only as RabbitMQ's salted hash), tags, and the
/// virtual hosts it may open.
public struct BrokerUser: Sendable, Hashable {
    public var name: String
    var passwordHash: PasswordHash
    public var tags: [String]
    /// The vhosts this user has permissions on.
    public var vhosts: Set<String>

    public init(name: String, password: String, tags: [String] = ["administrator"], vhosts: Set<String> = ["/"]) {
        self.init(name: name, passwordHash: PasswordHash(password: password), tags: tags, vhosts: vhosts)
    }

    init(name: String, passwordHash: PasswordHash, tags: [String], vhosts: Set<String>) {
        self.name = name
        self.passwordHash = passwordHash
        self.tags = tags
        self.vhosts = vhosts
    }

    /// RabbitMQ's built-in user; like RabbitMQ, it may only connect over loopback.
    public static let guest = BrokerUser(name: "guest", password: "guest")
}
