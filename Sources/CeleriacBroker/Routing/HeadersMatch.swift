import AMQPProtocol

/// A headers-exchange binding: its arguments against a message's headers, with `x-match`
/// `all` (the default) or `any`; `all-with-x` and `any-with-x` also compare `x-` keys, which
/// the plain forms skip, as in RabbitMQ 3.10+.
struct HeadersMatch: Sendable, Hashable {
    private let requireAll: Bool
    private let includeXKeys: Bool
    private let expected: [(key: String, value: AMQPFieldValue)]

    init(bindingArguments arguments: AMQPTable) throws(AMQPException) {
        switch arguments["x-match"] {
        case nil, .string("all")?: (requireAll, includeXKeys) = (true, false)
        case .string("any")?: (requireAll, includeXKeys) = (false, false)
        case .string("all-with-x")?: (requireAll, includeXKeys) = (true, true)
        case .string("any-with-x")?: (requireAll, includeXKeys) = (false, true)
        case let other?:
            throw .preconditionFailed("invalid x-match field value \(other); expected all, any, all-with-x or any-with-x")
        }
        let include = includeXKeys
        expected = arguments.filter { include ? $0.key != "x-match" : !$0.key.hasPrefix("x-") }
            .sorted { $0.key < $1.key }.map { (key: $0.key, value: $0.value) }
    }

    func matches(_ headers: AMQPTable?) -> Bool {
        let headers = headers ?? [:]
        if requireAll {
            return expected.allSatisfy { Self.satisfies(headers[$0.key], $0.value) }
        }
        return expected.contains { Self.satisfies(headers[$0.key], $0.value) }
    }

    /// A void binding value asks only that the header be present.
    private static func satisfies(_ actual: AMQPFieldValue?, _ expected: AMQPFieldValue) -> Bool {
        guard let actual else { return false }
        if case .void = expected { return true }
        return actual == expected
    }

    static func == (lhs: HeadersMatch, rhs: HeadersMatch) -> Bool {
        lhs.requireAll == rhs.requireAll && lhs.includeXKeys == rhs.includeXKeys
            && lhs.expected.map(\.key) == rhs.expected.map(\.key) && lhs.expected.map(\.value) == rhs.expected.map(\.value)
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(requireAll)
        for pair in expected { hasher.combine(pair.key) }
    }
}
