import Celeriac

/// The cross-host half of "one beat per schedule": an exclusive, auto-deleting queue named
/// after the schedule, declared on the beat's own broker connection. The broker lets one
/// connection hold it and drops it with that connection, however the holder dies; a beat
/// on another host that finds it held waits as a standby. Declaring it again on the same
/// connection is how the holder checks, before each send, that it still holds it — after
/// a reconnect another beat may have taken over.
public struct BrokerLease: ScheduleLease {
    public let name: String
    let transport: any BrokerTransport

    public init(name: String, transport: any BrokerTransport) {
        self.name = name
        self.transport = transport
    }

    public var queueName: String { "celeriac.beat.lease.\(name)" }

    public var description: String { "the broker lease \(queueName)" }

    /// Held for as long as the connection lives: nothing to renew.
    public var renewalInterval: Double? { nil }

    /// The queue goes with the connection; the beat closes that as it stops.
    public func release() async {}

    /// True when this connection holds the lease now (taking it if it was free).
    public func holds() async throws -> Bool {
        do {
            try await transport.declare(QueueDeclaration(name: queueName, durable: false, exclusive: true, autoDelete: true))
            return true
        } catch let error as BrokerError where error.isExclusiveQueueHeldElsewhere {
            return false
        }
    }
}
