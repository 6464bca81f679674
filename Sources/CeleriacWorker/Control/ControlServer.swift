import Celeriac
import Foundation
import Logging

/// The worker's mailbox (kombu's pidbox `Node`): its own queue `<node>.celery.pidbox` bound
/// to the `celery.pidbox` fanout exchange; each request addressed to this node (destination,
/// or pattern and matcher) is answered on the requester's reply exchange and key, with the
/// request's ticket — so `celery inspect`, `celery control` and the dashboard talk to it.
struct ControlServer: Sendable {
    /// Where the mailbox is consumed.
    let transport: any BrokerTransport
    /// Where answers are published: the worker's publishing connection, as Celery's come
    /// from its producer pool, so a blocked publisher never stops the mailbox's consumer.
    let replies: any BrokerTransport
    let commands: ControlCommands
    let hostname: String
    let logger: Logger
    let topology = PidboxTopology.celery

    /// Declares the mailbox and starts answering; the task ends when the consumer does.
    func start() async throws -> Task<Void, Never> {
        let requests = try await PidboxMailbox.open(for: hostname, on: transport, topology: topology)
        return Task {
            do {
                for try await received in requests { await answer(received.message) }
            } catch {
                logger.warning("remote control stopped: \(error)")
            }
        }
    }

    private func answer(_ message: BrokerMessage) async {
        let request: PidboxRequest
        do {
            request = try PidboxRequest(message)
        } catch {
            logger.warning("ignored a remote-control message that is not a pidbox request: \(error)")
            return
        }
        guard request.isAddressed(to: hostname) else { return }
        let reply = await commands.run(request.method, arguments: request.arguments)
        guard let address = request.replyTo else { return }
        let answer = PidboxReply(node: hostname, reply: reply, ticket: request.ticket, clock: commands.tick())
        do {
            try await replies.publish(answer.brokerMessage(to: address))
        } catch BrokerError.unroutable {
            // The requester stopped listening (its timeout passed): nobody to answer.
        } catch {
            logger.warning("could not answer \(request.method): \(error)")
        }
    }
}
