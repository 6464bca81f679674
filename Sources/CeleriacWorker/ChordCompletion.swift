import Celeriac
import Foundation
import Logging

/// What the worker that finished a chord's last header task does, as Celery's backends do in
/// `on_chord_part_return`: call the body with the header's results in order — or, when a
/// header task failed or was revoked, store the body as failed with Celery's ChordError and
/// call the body's errbacks. Either way the chord's counters are dropped after.
struct ChordCompletion: Sendable {
    let app: App
    let backend: (any ResultBackend)?
    let logger: Logger

    func complete(_ join: ChordJoin?, after message: TaskMessage) async {
        guard let join, let body = message.embed.chord else { return }
        await complete(join, body: body, sender: CanvasStep.sender(of: message))
    }

    /// Completes the chord `join` with `body`, on behalf of the task `sender` names.
    func complete(_ join: ChordJoin, body: Signature, sender: (taskID: String, rootID: String)) async {
        switch join.bodyArgument() {
        case .success(let results):
            do {
                let plan = try CanvasPlanner.plan(body, args: [results], replyTo: nil, sender: sender)
                try await app.publish(plan)
                logger.info("chord \(join.groupID) complete after task [\(sender.taskID)]: sent \(body.task)[\(plan.result.id)]")
            } catch {
                logger.error("chord \(join.groupID) is complete, but its body \(body.task) could not be sent: \(error)")
                let callbackError = CeleryError(type: "ChordError", message: [.string("Callback error: \(error)")],
                                                module: "celery.exceptions")
                await fail(body, with: callbackError, sender: sender)
            }
        case .failure(let error):
            logger.error("chord \(join.groupID) failed: \(error.pythonRepr)")
            await fail(body, with: error, sender: sender)
        }
        do {
            try await (backend as? any ChordStore)?.forgetChord(groupID: join.groupID)
        } catch {
            logger.warning("chord \(join.groupID): its counters could not be dropped (\(error)); they expire with result_expires")
        }
    }

    /// Celery's `chord_error_from_stack`: the body's result is stored as FAILURE with the
    /// error, and its errbacks are called with the body's id.
    private func fail(_ body: Signature, with error: CeleryError, sender: (taskID: String, rootID: String)) async {
        guard let bodyID = body.options["task_id"]?.stringValue else { return }
        do {
            try await backend?.store(ResultMeta(taskID: bodyID, status: .failure, result: error.json, traceback: nil,
                                                dateDone: Date()))
            let errbacks = TaskSendOptions(signatureOptions: body.options).linkError
            try await app.publish(CanvasStep.errbacks(errbacks, of: bodyID, sender: (bodyID, sender.rootID)))
        } catch {
            logger.error("chord body \(body.task)[\(bodyID)] failed, and that could not be recorded: \(error)")
        }
    }
}
