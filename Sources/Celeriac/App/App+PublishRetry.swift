import Foundation

extension App {
    /// Celery's `task_publish_retry_policy` defaults: three more tries, the first at once,
    /// then 0.2 s apart.
    static let publishRetryPauses: [Double] = [0, 0.2, 0.2]

    /// Publishes, and — as Celery's producer does with `task_publish_retry` — tries again on a
    /// new connection when the one it went out on was lost before the broker confirmed it. A
    /// message the broker took just before the loss then arrives twice: at least once, as
    /// with Celery, never silently lost.
    func publishRetrying(_ message: BrokerMessage, on transport: any BrokerTransport) async throws {
        var pauses = configuration.taskPublishRetry ? Self.publishRetryPauses[...] : []
        while true {
            do {
                return try await transport.publish(message)
            } catch let error as BrokerError {
                guard error.isConnectionFailure, let pause = pauses.popFirst() else { throw error }
                if pause > 0 { try await Task.sleep(for: .seconds(pause)) }  // the policy's interval itself
            }
        }
    }
}

extension BrokerError {
    /// The connection failed (lost, or no broker answered), not the request: worth a retry.
    var isConnectionFailure: Bool {
        switch self {
        case .connectionLost, .unreachable: return true
        default: return false
        }
    }
}
