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
        let steps = try CanvasStep.after(first, result: 3).messages
        #expect(steps.count == 1)
        let ours = TaskMessage.build(name: steps[0].name, args: steps[0].args,
                                     kwargs: steps[0].kwargs, options: steps[0].options, replyTo: steps[0].replyTo)
        #expect(ours.taskName == celerysSecond.taskName)
        #expect(ours.args == celerysSecond.args)
        #expect(ours.id == celerysSecond.id, "the id the caller chose, from the signature's options")
        #expect(ours.rootID == celerysSecond.rootID && ours.parentID == celerysSecond.parentID)
        #expect(ours.embed.chain == celerysSecond.embed.chain)
        #expect(ours.replyTo == celerysSecond.replyTo)

        let celerysThird = try Self.task("task-fix_add-7.json")
        let last = try CanvasStep.after(celerysSecond, result: 30).messages
        let third = TaskMessage.build(name: last[0].name, args: last[0].args, options: last[0].options,
                                      replyTo: last[0].replyTo)
        #expect(third.args == celerysThird.args && third.id == celerysThird.id)
        #expect(third.parentID == celerysThird.parentID && third.rootID == celerysThird.rootID)
        #expect(third.embed.chain == [] && celerysThird.embed.chain == [], "the end of a chain is an empty list")
        #expect(try CanvasStep.after(celerysThird, result: 35).messages.isEmpty)
    }

    /// add(1, 1) linked to mul.si(3, 3): the immutable callback gets no result, and names
    /// add as its parent.
    @Test func aLinkCallbackFollowsItsParent() throws {
        let linked = try Self.task("task-fix_add-11.json")
        let celerysCallback = try Self.task("task-fix_mul-2.json")
        let steps = try CanvasStep.after(linked, result: 2).messages
        #expect(steps.count == 1)
        #expect(steps[0].name == "fix.mul" && steps[0].args == celerysCallback.args)
        #expect(steps[0].options.parentID == celerysCallback.parentID && steps[0].options.rootID == celerysCallback.rootID)
        #expect(steps[0].options.groupID == nil)
    }

    @Test func aMutableCallbackGetsTheResultFirstAndSeveralGoAsAGroup() throws {
        var message = TaskMessage.build(name: "fix.add", args: [1, 2])
        message.embed.callbacks = [.s("fix.mul", 10), .s("fix.add", 1)]
        let steps = try CanvasStep.after(message, result: 3).messages
        #expect(steps.map(\.args) == [[3, 10], [3, 1]])
        #expect(steps[0].options.groupID != nil && steps[0].options.groupID == steps[1].options.groupID)
        #expect(steps.map(\.options.groupIndex) == [0, 1])
        #expect(steps.allSatisfy { $0.options.parentID == message.id && $0.options.rootID == message.id })
    }

    /// add(1, 1) with link_error add.si(0, 0): nothing on success; on failure the errback, as
    /// one group even alone; a mutable errback gets the failed task's id first.
    @Test func errbacksFollowAFailureAsAGroupWithTheFailedTasksID() throws {
        let linked = try Self.task("task-fix_add-11.json")
        let errbacks = try CanvasStep.afterFailure(linked).messages
        #expect(errbacks.count == 1)
        #expect(errbacks[0].name == "fix.add" && errbacks[0].args == [0, 0], "immutable: its own args")
        #expect(errbacks[0].options.groupID != nil && errbacks[0].options.groupIndex == 0)
        #expect(errbacks[0].options.parentID == linked.id && errbacks[0].options.rootID == linked.rootID)
        #expect(try !CanvasStep.after(linked, result: 2).messages.contains { $0.name == "fix.add" }, "errbacks only on failure")

        var message = TaskMessage.build(name: "fix.fail", args: ["boom"])
        message.embed.errbacks = [.s("fix.cleanup", "extra")]
        #expect(try CanvasStep.afterFailure(message).messages.map(\.args) == [[.string(message.id), "extra"]])
        #expect(try CanvasStep.afterFailure(TaskMessage.build(name: "fix.add")).messages.isEmpty)
    }
}
