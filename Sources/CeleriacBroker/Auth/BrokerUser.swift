/// A user of the broker: a password (kept only as RabbitMQ's salted hash), tags, and its
/// permissions in each virtual host it may open.
public struct BrokerUser: Sendable, Hashable {
    public var name: String
    var passwordHash: PasswordHash
    public var tags: [String]
    /// Rights by vhost; a vhost not here cannot be opened.
    public var permissions: [String: Permission]

    /// The vhosts this user may open.
    public var vhosts: Set<String> { Set(permissions.keys) }

    public init(name: String, password: String, tags: [String] = ["administrator"], vhosts: Set<String> = ["/"]) {
        self.init(name: name, passwordHash: PasswordHash(password: password), tags: tags,
                  permissions: Dictionary(uniqueKeysWithValues: vhosts.map { ($0, .all) }))
    }

    init(name: String, passwordHash: PasswordHash, tags: [String], permissions: [String: Permission]) {
        self.name = name
        self.passwordHash = passwordHash
        self.tags = tags
        self.permissions = permissions
    }

    /// RabbitMQ's built-in user; like RabbitMQ, it may only connect over loopback.
    public static let guest = BrokerUser(name: "guest", password: "guest")
}
