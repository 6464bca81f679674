import Foundation

/// The event feed's link to the broker, shown in the dashboard's header.
public enum ConnectionStatus: Sendable, Hashable, CustomStringConvertible {
    case connecting
    /// `broker` is the node of a failover list the feed is on, when the transport says.
    case connected(since: Double, broker: String? = nil)
    /// Lost or refused; the next attempt comes at `retryAt` (epoch seconds).
    case reconnecting(attempt: Int, reason: String, retryAt: Double)

    public var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .connected(_, let broker?): return "connected to \(broker)"
        case .connected: return "connected"
        case .reconnecting(let attempt, let reason, _): return "reconnecting (attempt \(attempt)): \(reason)"
        }
    }
}
