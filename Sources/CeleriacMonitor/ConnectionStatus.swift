import Foundation

/// The event feed's link to the broker, shown in the dashboard's header.
public enum ConnectionStatus: Sendable, Hashable, CustomStringConvertible {
    case connecting
    case connected(since: Double)
    /// Lost or refused; the next attempt comes at `retryAt` (epoch seconds).
    case reconnecting(attempt: Int, reason: String, retryAt: Double)

    public var isConnected: Bool {
        if case .connected = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .connecting: return "connecting"
        case .connected: return "connected"
        case .reconnecting(let attempt, let reason, _): return "reconnecting (attempt \(attempt)): \(reason)"
        }
    }
}
