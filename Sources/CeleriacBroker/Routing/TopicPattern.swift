/// A topic binding key such as `celery.#` or `*.error`, matched word by word as RabbitMQ
/// does: `*` is exactly one word, `#` zero or more, and empty words (`a..b`, a leading or
/// trailing dot) are words like any other.
struct TopicPattern: Sendable, Hashable {
    private enum Word: Sendable, Hashable {
        case literal(Substring)
        case one
        case any
    }

    private let words: [Word]
    /// Keys without wildcards match by equality alone.
    private let literal: String?

    init(_ bindingKey: String) {
        let parts = bindingKey.isEmpty ? [] : bindingKey.split(separator: ".", omittingEmptySubsequences: false)
        words = parts.map { word in
            switch word {
            case "*": return .one
            case "#": return .any
            default: return .literal(word)
            }
        }
        literal = words.allSatisfy({ if case .literal = $0 { return true } else { return false } }) ? bindingKey : nil
    }

    func matches(_ routingKey: String) -> Bool {
        if let literal { return literal == routingKey }
        // As in RabbitMQ, the empty key has no words (so `*` does not match it, `#` does).
        let keyWords = routingKey.isEmpty ? [] : routingKey.split(separator: ".", omittingEmptySubsequences: false)
        return Self.match(words[...], keyWords[...])
    }

    /// Backtracks only at `#`; consecutive `#`s collapse, so the cost stays linear in
    /// practice for the patterns clients use.
    private static func match(_ pattern: ArraySlice<Word>, _ key: ArraySlice<Substring>) -> Bool {
        var pattern = pattern
        var key = key
        while let word = pattern.first {
            switch word {
            case .any:
                pattern = pattern.dropFirst()
                while pattern.first == .any { pattern = pattern.dropFirst() }
                if pattern.isEmpty { return true }
                var rest = key
                while true {
                    if match(pattern, rest) { return true }
                    guard !rest.isEmpty else { return false }
                    rest = rest.dropFirst()
                }
            case .one:
                guard !key.isEmpty else { return false }
                pattern = pattern.dropFirst()
                key = key.dropFirst()
            case .literal(let literal):
                guard key.first == literal else { return false }
                pattern = pattern.dropFirst()
                key = key.dropFirst()
            }
        }
        return key.isEmpty
    }
}
