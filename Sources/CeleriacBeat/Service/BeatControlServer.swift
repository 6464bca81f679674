import Celeriac
import Foundation
import Logging

/// The beat's mailbox on the pidbox, as a worker's: its own queue bound to `celery.pidbox`.
/// It answers only requests that name it in `destination` — never a broadcast — so it never
/// shows in `celery inspect`, Flower's worker list or anyone's count of workers.
///
/// Methods: `beat_list`; `beat_enable` and `beat_disable` with `entry`; `beat_run_now` with
/// `entry`; `beat_edit` with `entry` and any of `schedule` (a spec such as "every 30 s"),
/// `args` (a list) and `kwargs` (an object) — on the database store only. Replies are
/// Celery's `{"ok": …}` or `{"error": …}`.
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

    /// Seconds between tries at a mailbox another beat holds, or after the consumer stopped.
    public static let retryInterval = 2.0

    /// Answers requests until cancelled. While another beat on this host with the same node
    /// name holds the mailbox (it is exclusive: a standby), keeps trying, so the beat that
    /// takes over the schedule also takes over its remote control.
    public func serve() -> Task<Void, Never> {
        Task {
            var told = false
            while !Task.isCancelled {
                do {
                    let requests = try await PidboxMailbox.open(for: node, on: transport, topology: topology)
                    if told { logger.info("beat: \(node) answers remote control now") }
                    told = false
                    for try await received in requests { await answer(received.message) }
                } catch is CancellationError {
                    return
                } catch {
                    if !told {
                        let held = (error as? BrokerError)?.isExclusiveQueueHeldElsewhere == true
                        logger.info("beat: \(node)'s remote control \(held ? "is answered elsewhere for now" : "waits for the broker") (\(error)); trying again every \(Int(Self.retryInterval)) s")
                    }
                    told = true
                }
                try? await Task.sleep(for: .seconds(Self.retryInterval))
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
        case "beat_edit":
            reply = await service.edit(entry, schedule: request.arguments["schedule"]?.stringValue,
                                       args: request.arguments["args"], kwargs: request.arguments["kwargs"])
        default: reply = ["error": .string("beat has no command '\(request.method)'; it answers beat_list, beat_enable, beat_disable, beat_run_now and beat_edit")]
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
