import AMQPProtocol
@testable import CeleriacBroker
import Testing

struct VirtualHostTests {
    let vhost = VirtualHost(name: "/", clock: ManualClock())
    /// Kept alive, so the two identifiers differ.
    let owners = (Owner(), Owner())
    var owner: ObjectIdentifier { ObjectIdentifier(owners.0) }
    var other: ObjectIdentifier { ObjectIdentifier(owners.1) }
    final class Owner {}

    /// The reply code `body` fails with; nil when it succeeds.
    func code(_ body: () throws -> Void) -> AMQPReplyCode? {
        do {
            try body()
            return nil
        } catch {
            return (error as? AMQPException)?.code ?? AMQPReplyCode(0)
        }
    }

    @Test func declaresFollowRabbitMQsRules() throws {
        try vhost.declareExchange(.init(exchange: "celery", type: "direct", durable: true))
        #expect(code { try vhost.declareExchange(.init(exchange: "celery", type: "direct", durable: true)) } == nil)
        #expect(code { try vhost.declareExchange(.init(exchange: "celery", type: "topic", durable: true)) } == .preconditionFailed)
        #expect(code { try vhost.declareExchange(.init(exchange: "amq.mine", type: "direct")) } == .accessRefused)
        #expect(code { try vhost.declareExchange(.init(exchange: "missing", type: "direct", passive: true)) } == .notFound)
        #expect(code { try vhost.declareExchange(.init(exchange: "odd", type: "x-unknown")) } == .commandInvalid)
        #expect(code { try vhost.declareExchange(.init(exchange: "amq.topic", type: "topic", durable: true)) } == nil)
        #expect(code { _ = try vhost.declareQueue(.init(queue: "missing", passive: true), owner: owner) } == .notFound)
        #expect(code { _ = try vhost.declareQueue(.init(queue: "amq.mine"), owner: owner) } == .accessRefused)
        _ = try vhost.declareQueue(.init(queue: "jobs", durable: true), owner: owner)
        #expect(code { _ = try vhost.declareQueue(.init(queue: "jobs", durable: false), owner: owner) } == .preconditionFailed)
        let named = try vhost.declareQueue(.init(queue: ""), owner: owner)
        #expect(named.name.hasPrefix("amq.gen-"))
    }

    @Test func anExclusiveQueueBelongsToItsConnection() throws {
        _ = try vhost.declareQueue(.init(queue: "mine", exclusive: true), owner: owner)
        #expect(code { _ = try vhost.declareQueue(.init(queue: "mine", passive: true), owner: other) } == .resourceLocked)
        #expect(code { _ = try vhost.queue(named: "mine", from: other) } == .resourceLocked)
        vhost.connectionClosed(owner)
        #expect(vhost.queues["mine"] == nil)
    }

    @Test func routesThroughEveryExchangeTypeAndExchangeToExchangeBindings() throws {
        for name in ["a", "b", "c", "d"] { _ = try vhost.declareQueue(.init(queue: name), owner: owner) }
        try vhost.declareExchange(.init(exchange: "events", type: "topic"))
        try vhost.declareExchange(.init(exchange: "fan", type: "fanout"))
        try vhost.bind(Binding(source: "events", destination: .queue("a"), routingKey: "task.#", arguments: [:]), from: owner)
        try vhost.bind(Binding(source: "events", destination: .exchange("fan"), routingKey: "worker.*", arguments: [:]), from: owner)
        try vhost.bind(Binding(source: "fan", destination: .queue("b"), routingKey: "", arguments: [:]), from: owner)
        try vhost.bind(Binding(source: "fan", destination: .queue("c"), routingKey: "", arguments: [:]), from: owner)
        // A loop back to the first exchange must not route twice or for ever.
        try vhost.bind(Binding(source: "fan", destination: .exchange("events"), routingKey: "", arguments: [:]), from: owner)
        #expect(try vhost.route(exchange: "events", routingKey: "task.multi", headers: nil).map(\.name) == ["a"])
        #expect(try vhost.route(exchange: "events", routingKey: "worker.heartbeat", headers: nil).map(\.name).sorted() == ["b", "c"])
        #expect(try vhost.route(exchange: "", routingKey: "d", headers: nil).map(\.name) == ["d"])
        #expect(try vhost.route(exchange: "", routingKey: "nowhere", headers: nil).isEmpty)
        #expect(code { _ = try vhost.route(exchange: "missing", routingKey: "x", headers: nil) } == .notFound)
        try vhost.declareExchange(.init(exchange: "hidden", type: "direct", internal: true))
        #expect(code { _ = try vhost.route(exchange: "hidden", routingKey: "x", headers: nil) } == .accessRefused)
    }

    @Test func deletingAQueueTakesItsBindingsAndAnAutoDeleteExchangeGoesWithItsLastBinding() throws {
        _ = try vhost.declareQueue(.init(queue: "q"), owner: owner)
        try vhost.declareExchange(.init(exchange: "temp", type: "direct", autoDelete: true))
        try vhost.bind(Binding(source: "temp", destination: .queue("q"), routingKey: "k", arguments: [:]), from: owner)
        #expect(code { _ = try vhost.deleteQueue("q", ifUnused: false, ifEmpty: true, from: owner) } == nil)
        #expect(vhost.exchanges["temp"] == nil)
        #expect(code { try vhost.bind(Binding(source: "", destination: .queue("x"), routingKey: "k", arguments: [:]), from: owner) } == .accessRefused)
        #expect(code { try vhost.deleteExchange("amq.direct", ifUnused: false) } == .accessRefused)
    }

    @Test func deleteIfEmptyAndIfUnusedRefuseAsRabbitMQDoes() throws {
        let queue = try vhost.declareQueue(.init(queue: "busy"), owner: owner)
        queue.enqueue(QueuedMessage(content: MessageContentFixture.make("m")))
        #expect(code { _ = try vhost.deleteQueue("busy", ifUnused: false, ifEmpty: true, from: owner) } == .preconditionFailed)
        let channel = RecordingChannel()
        channel.open = false
        try queue.add(QueueConsumer(tag: "c", channel: channel, queue: queue, noAck: false, isExclusive: false, prefetchLimit: 0))
        #expect(code { _ = try vhost.deleteQueue("busy", ifUnused: true, ifEmpty: false, from: owner) } == .preconditionFailed)
        #expect(try vhost.deleteQueue("busy", ifUnused: false, ifEmpty: false, from: owner) == 1)
        #expect(channel.cancelled == ["c"])  // consumers hear of it (basic.cancel)
    }
}
