import Foundation

/// A user's rights in one vhost, as RabbitMQ has them: three regular expressions over
/// resource names — configure (declare, delete), write (publish to an exchange, bind to a
/// queue) and read (consume, get, purge, bind from an exchange). A pattern matches
/// anywhere in the name unless anchored, as RabbitMQ's re:run does; "" allows nothing.
public struct Permission: Sendable, Hashable {
    public var configure: String
    public var write: String
    public var read: String

    public enum Access: String, Sendable {
        case configure, write, read
    }

    public static let all = Permission(configure: ".*", write: ".*", read: ".*")

    public init(configure: String, write: String, read: String) {
        self.configure = configure
        self.write = write
        self.read = read
    }

    /// Whether each pattern is a regular expression this broker can use.
    public var isValid: Bool {
        [configure, write, read].allSatisfy { $0.isEmpty || (try? NSRegularExpression(pattern: $0)) != nil }
    }

    func allows(_ access: Access, on name: String) -> Bool {
        let pattern: String
        switch access {
        case .configure: pattern = configure
        case .write: pattern = write
        case .read: pattern = read
        }
        if pattern == ".*" { return true }
        guard !pattern.isEmpty, let expression = try? NSRegularExpression(pattern: pattern) else { return false }
        return expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
    }
}
