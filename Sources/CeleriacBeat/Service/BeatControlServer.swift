import Celeriac
import Foundation
import Logging

/// The beat's mailbox on the pidbox, as a worker's: its own queue bound to `celery.pidbox`.
/// It answers only requests that name it in `destination` — never a broadcast — so it never
/// shows in `celery inspect`, Flower's worker list or anyone's count of workers.
///
/// Methods: `beat_list`; `beat_enable` and `beat_disable` with `entry`; `beat_run_now` with
/// `entry`. Replies are Celery's `{"ok": …}` or `{"error": …}`.
public struct BeatControlServer: Sendable {
    let transport: any BrokerTransport
    let service: BeatService
    let node: String
    let logger: Logger
    let topology = PidboxTopology.celery

    public init(transport: any BrokerTransport, service: BeatService, node: String, logger: Logger) {
        self.transport = transport
        self.service = service
        self.node = node
        self.logger = logger
    }

    /// Declares the mailbox and starts answering; the task ends when the consumer does.
    public func start() async throws -> Task<Void, Never> {
        let requests = try await PidboxMailbox.open(for: node, on: transport, topology: topology)
        return Task {
            do {
                for try await received in requests { await answer(received.message) }
            } catch {
                logger.warning("beat: remote control stopped: \(error)")
            }
        }
    }

    private func answer(_ message: BrokerMessage) async {
        guard let request = try? PidboxRequest(message), request.destination?.contains(node) == true else { return }
        let entry = request.arguments["entry"]?.stringValue ?? ""
        let reply: JSONValue
        switch request.method {
        case "beat_list": reply = await service.scheduleSummary()
        case "beat_enable", "beat_disable":
            reply = await service.setEnabled(entry, request.method == "beat_enable")
        case "beat_run_now": reply = await service.runNow(entry)
        default: reply = ["error": .string("beat has no command '\(request.method)'; it answers beat_list, beat_enable, beat_disable and beat_run_now")]
        }
        guard let address = request.replyTo else { return }
        let answer = PidboxReply(node: node, reply: reply, ticket: request.ticket)
        do {
            try await transport.publish(answer.brokerMessage(to: address))
        } catch {
            logger.warning("beat: could not answer \(request.method): \(error)")
        }
    }
}
