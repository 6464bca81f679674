import AMQPClient
import Foundation

/// The brokers a connection may use, as Celery (kombu) writes them: one URL, or several
/// separated by `;` (`amqp://h1//;amqp://h2//`), tried in turn when one cannot be reached
/// or its connection is lost.
public struct BrokerFailover: Sendable, Hashable {
    /// `broker_failover_strategy`: the order the URLs are tried in.
    public enum Strategy: String, Sendable, Hashable, CaseIterable {
        /// The list's order, starting over after the last (kombu's default).
        case roundRobin = "round-robin"
        /// A random order, shuffled again each time round.
        case shuffle
    }

    public let urls: [String]
    public let strategy: Strategy

    /// Splits `text` on `;`; empty pieces (a trailing `;`) are dropped.
    public init(_ text: String, strategy: Strategy = .roundRobin) throws(BrokerError) {
        let urls = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !urls.isEmpty else {
            throw .invalidURL(url: text, reason: "no broker URL in it; give one such as amqp://guest:guest@localhost:5672//, or several separated by ;")
        }
        self.urls = urls
        self.strategy = strategy
    }

    /// The URLs as logs show them, `;`-separated: without passwords, written as the
    /// transport writes them when it connects (`AMQPConnectionConfiguration.redactedURL`).
    public var redactedURLs: String {
        urls.map { (try? AMQPConnectionConfiguration(url: $0))?.redactedURL ?? "(a broker URL that does not parse)" }
            .joined(separator: ";")
    }

    /// The order to try the URLs in after `current` (an index into `urls`) failed: every
    /// other URL once, then `current` itself last.
    public func attemptOrder(after current: Int, random: inout some RandomNumberGenerator) -> [Int] {
        let others = urls.indices.filter { $0 != current }
        switch strategy {
        case .roundRobin:
            let following = others.filter { $0 > current } + others.filter { $0 < current }
            return following + [current]
        case .shuffle:
            return others.shuffled(using: &random) + [current]
        }
    }
}
