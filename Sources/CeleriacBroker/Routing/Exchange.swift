import AMQPProtocol

/// An exchange and its bindings, with the lookup structure its type needs, so routing a
/// message costs a dictionary lookup for direct exchanges and a scan only for topic and
/// headers ones.
final class Exchange {
    let name: String
    let type: ExchangeType
    let durable: Bool
    let autoDelete: Bool
    let isInternal: Bool
    let arguments: AMQPTable

    private(set) var bindings: [Binding] = []
    /// Whether a binding ever existed: an auto-delete exchange goes only after it had one.
    private(set) var hadBindings = false
    private var byRoutingKey: [String: [BindingDestination]] = [:]
    private var topics: [(pattern: TopicPattern, destination: BindingDestination)] = []
    private var headerMatches: [(match: HeadersMatch, destination: BindingDestination)] = []

    init(name: String, type: ExchangeType, durable: Bool, autoDelete: Bool, isInternal: Bool, arguments: AMQPTable) {
        self.name = name
        self.type = type
        self.durable = durable
        self.autoDelete = autoDelete
        self.isInternal = isInternal
        self.arguments = arguments
    }

    /// Whether a redeclare asks for this exchange as it is; RabbitMQ compares type,
    /// durable, auto-delete, internal and arguments.
    func isEquivalent(type: ExchangeType, durable: Bool, autoDelete: Bool, isInternal: Bool, arguments: AMQPTable) -> Bool {
        self.type == type && self.durable == durable && self.autoDelete == autoDelete
            && self.isInternal == isInternal && self.arguments == arguments
    }

    /// Adds the binding; a binding that exists already is not added twice. Returns whether
    /// it is new.
    @discardableResult
    func bind(_ binding: Binding) throws(AMQPException) -> Bool {
        guard !bindings.contains(binding) else { return false }
        let match = type == .headers ? try HeadersMatch(bindingArguments: binding.arguments) : nil
        bindings.append(binding)
        hadBindings = true
        switch type {
        case .direct: byRoutingKey[binding.routingKey, default: []].append(binding.destination)
        case .fanout: break
        case .topic: topics.append((TopicPattern(binding.routingKey), binding.destination))
        case .headers: headerMatches.append((match!, binding.destination))
        }
        return true
    }

    /// Removes the binding; returns whether it existed.
    @discardableResult
    func unbind(_ binding: Binding) -> Bool {
        guard let index = bindings.firstIndex(of: binding) else { return false }
        bindings.remove(at: index)
        rebuildLookups()
        return true
    }

    /// Removes every binding to `destination` (it was deleted); returns them.
    @discardableResult
    func unbindAll(to destination: BindingDestination) -> [Binding] {
        let removed = bindings.filter { $0.destination == destination }
        guard !removed.isEmpty else { return [] }
        bindings.removeAll { $0.destination == destination }
        rebuildLookups()
        return removed
    }

    /// Adds the destinations this message goes to (possibly with duplicates) to `result`.
    func route(routingKey: String, headers: @autoclosure () -> AMQPTable?, into result: inout [BindingDestination]) {
        switch type {
        case .direct:
            if let destinations = byRoutingKey[routingKey] { result.append(contentsOf: destinations) }
        case .fanout:
            for binding in bindings { result.append(binding.destination) }
        case .topic:
            for (pattern, destination) in topics where pattern.matches(routingKey) { result.append(destination) }
        case .headers:
            let headers = headers()
            for (match, destination) in headerMatches where match.matches(headers) { result.append(destination) }
        }
    }

    private func rebuildLookups() {
        byRoutingKey = [:]
        topics = []
        headerMatches = []
        let all = bindings
        bindings = []
        for binding in all { _ = try? bind(binding) }  // each was accepted once, so none throws
    }
}
