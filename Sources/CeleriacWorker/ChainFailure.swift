import Celeriac
import Logging

/// What Celery's backend does in `_fail_chain` when a task of a chain fails: every step still
/// to come is stored as failed with the same error, so whoever waits on the chain's last
/// result gets the error instead of waiting for ever; a step that is a chord header's member
/// counts toward its chord, so the chord fails instead of stalling; and a step that is a chord
/// passes the failure on to its body, the result later steps wait on.
struct ChainFailure: Sendable {
    let results: ResultSink
    let chords: ChordCompletion
    let logger: Logger

    func propagate(_ error: CeleryError, from message: TaskMessage) async {
        // In the order `embed.chain` holds them, as Celery walks it; chord bodies join the end.
        var steps = message.embed.chain ?? []
        var next = 0
        while next < steps.count {
            let step = steps[next]
            next += 1
            do {
                let join = try await results.storeChainedFailure(step, error: error)
                if let join, let body = step.options["chord"].flatMap({ try? Signature(json: $0) }) {
                    await chords.complete(join, body: body, sender: CanvasStep.sender(of: message))
                }
            } catch {
                logger.error("task \(message.taskName)[\(message.id)] failed, and its chained \(step.task) could not be marked failed: \(error)")
            }
            if step.subtaskType == "chord", let body = step.kwargs["body"].flatMap({ try? Signature(json: $0) }) {
                steps.append(body)
            }
        }
    }
}
