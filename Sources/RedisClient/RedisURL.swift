import Foundation

/// Where a Redis server is, as Celery and redis-py write it:
/// `redis://[[username]:password@]host[:port][/db]`.
public struct RedisURL: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var database: Int
    public var username: String?
    public var password: String?

    public static let defaultPort = 6379

    public init(host: String = "localhost", port: Int = RedisURL.defaultPort, database: Int = 0,
                username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.database = database
        self.username = username
        self.password = password
    }

    public init(_ text: String) throws(RESPError) {
        func invalid(_ reason: String) -> RESPError { .invalidURL(url: Self.redacted(text), reason: reason) }
        if text.lowercased().hasPrefix("rediss://") {
            throw invalid("rediss:// (Redis over TLS) is not supported yet; use redis:// on a trusted network, or a TLS tunnel such as stunnel")
        }
        guard text.lowercased().hasPrefix("redis://") else {
            throw invalid("it must start with redis:// (e.g. redis://localhost:6379/0)")
        }
        guard let components = URLComponents(string: text) else { throw invalid("it is not a URL") }
        host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        if let port = components.port {
            guard (1...65535).contains(port) else { throw invalid("port \(port) is not 1 to 65535") }
            self.port = port
        } else {
            port = Self.defaultPort
        }
        let path = components.path.trimmingCharacters(in: CharacterSet(charactersIn: "/"))
        if path.isEmpty {
            database = 0
        } else {
            guard let database = Int(path), database >= 0 else {
                throw invalid("the path '/\(path)' is not a database number (e.g. /0)")
            }
            self.database = database
        }
        let user = components.percentEncodedUser.flatMap { $0.removingPercentEncoding }
        username = user.flatMap { $0.isEmpty ? nil : $0 }
        password = components.percentEncodedPassword.flatMap { $0.removingPercentEncoding }
    }

    /// The URL with its password hidden, for logs and messages.
    public var description: String {
        let credentials = password == nil ? "" : "\(username ?? ""):***@"
        return "redis://\(credentials)\(host):\(port)/\(database)"
    }

    static func redacted(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@"), let scheme = text.range(of: "://") else { return text }
        return String(text[..<scheme.upperBound]) + "***" + String(text[at...])
    }
}
