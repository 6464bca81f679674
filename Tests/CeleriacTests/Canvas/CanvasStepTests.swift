@testable import Celeriac
import Foundation
import Testing

/// What our worker sends after a task succeeds, checked against what Celery 5.7's worker sent
/// for the same workflow (the captured messages): the next task of a chain and a link callback.
@Suite struct CanvasStepTests {
    static func task(_ name: String) throws -> TaskMessage {
        try TaskMessage(CeleryFixture.load(name).message)
    }

    /// chain(add(1, 2), mul(10), add(5)): after add returned 3, Celery sent mul(3, 10) with
    /// the chain's rest; after mul returned 30, add(30, 5) with an empty chain.
    @Test func aChainSendsItsNextTaskWithTheResultAndTheRest() throws {
        let first = try Self.task("task-fix_add-6.json")
        let celerysSecond = try Self.task("task-fix_mul-1.json")
        let steps = CanvasStep.after(first, result: 3)
        #expect(steps.count == 1)
        let ours = TaskMessage.build(name: steps[0].signature.task, args: steps[0].signature.args,
                                     kwargs: steps[0].signature.kwargs, options: steps[0].options, replyTo: steps[0].replyTo)
        #expect(ours.taskName == celerysSecond.taskName)
        #expect(ours.args == celerysSecond.args)
        #expect(ours.id == celerysSecond.id, "the id the caller chose, from the signature's options")
        #expect(ours.rootID == celerysSecond.rootID && ours.parentID == celerysSecond.parentID)
        #expect(ours.embed.chain == celerysSecond.embed.chain)
        #expect(ours.replyTo == celerysSecond.replyTo)

        let celerysThird = try Self.task("task-fix_add-7.json")
        let last = CanvasStep.after(celerysSecond, result: 30)
        let third = TaskMessage.build(name: last[0].signature.task, args: last[0].signature.args, options: last[0].options,
                                      replyTo: last[0].replyTo)
        #expect(third.args == celerysThird.args && third.id == celerysThird.id)
        #expect(third.parentID == celerysThird.parentID && third.rootID == celerysThird.rootID)
        #expect(third.embed.chain == [] && celerysThird.embed.chain == [], "the end of a chain is an empty list")
        #expect(CanvasStep.after(celerysThird, result: 35).isEmpty)
    }

    /// add(1, 1) linked to mul.si(3, 3): the immutable callback gets no result, and names
    /// add as its parent.
    @Test func aLinkCallbackFollowsItsParent() throws {
        let linked = try Self.task("task-fix_add-11.json")
        let celerysCallback = try Self.task("task-fix_mul-2.json")
        let steps = CanvasStep.after(linked, result: 2)
        #expect(steps.count == 1)
        #expect(steps[0].signature.task == "fix.mul" && steps[0].signature.args == celerysCallback.args)
        #expect(steps[0].options.parentID == celerysCallback.parentID && steps[0].options.rootID == celerysCallback.rootID)
        #expect(steps[0].options.groupID == nil)
    }

    @Test func aMutableCallbackGetsTheResultFirstAndSeveralGoAsAGroup() {
        var message = TaskMessage.build(name: "fix.add", args: [1, 2])
        message.embed.callbacks = [.s("fix.mul", 10), .s("fix.add", 1)]
        let steps = CanvasStep.after(message, result: 3)
        #expect(steps.map(\.signature.args) == [[3, 10], [3, 1]])
        #expect(steps[0].options.groupID != nil && steps[0].options.groupID == steps[1].options.groupID)
        #expect(steps.map(\.options.groupIndex) == [0, 1])
        #expect(steps.allSatisfy { $0.options.parentID == message.id && $0.options.rootID == message.id })
    }

    /// add(1, 1) with link_error add.si(0, 0): nothing on success; on failure the errback, as
    /// one group even alone; a mutable errback gets the failed task's id first.
    @Test func errbacksFollowAFailureAsAGroupWithTheFailedTasksID() throws {
        let linked = try Self.task("task-fix_add-11.json")
        let errbacks = CanvasStep.afterFailure(linked)
        #expect(errbacks.count == 1)
        #expect(errbacks[0].signature.task == "fix.add" && errbacks[0].signature.args == [0, 0], "immutable: its own args")
        #expect(errbacks[0].options.groupID != nil && errbacks[0].options.groupIndex == 0)
        #expect(errbacks[0].options.parentID == linked.id && errbacks[0].options.rootID == linked.rootID)
        #expect(!CanvasStep.after(linked, result: 2).contains { $0.signature.task == "fix.add" }, "errbacks only on failure")

        var message = TaskMessage.build(name: "fix.fail", args: ["boom"])
        message.embed.errbacks = [.s("fix.cleanup", "extra")]
        #expect(CanvasStep.afterFailure(message).map(\.signature.args) == [[.string(message.id), "extra"]])
        #expect(CanvasStep.afterFailure(TaskMessage.build(name: "fix.add")).isEmpty)
    }
}
