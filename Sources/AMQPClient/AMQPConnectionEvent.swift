/// Things the broker tells a connection outside any request.
public enum AMQPConnectionEvent: Sendable, Hashable {
    /// The broker stopped reading from this connection, e.g. for a memory or disk alarm;
    /// publishes wait until `unblocked`.
    case blocked(reason: String)
    case unblocked
}
