@testable import Celeriac
import Foundation
import Testing

/// `TaskContext.replace(with:)` builds the signature Celery's `Task.replace` sends, and the
/// built-in canvas tasks a worker runs for starmap, map and accumulate.
@Suite struct TaskReplaceTests {
    static func context(chain: [Signature] = [], chord: Signature? = nil, nesting: Int = 0) -> TaskContext {
        var context = TaskContext(id: "replaced-id", name: "demo.fanout")
        context.rootID = "root-id"
        context.groupID = chord == nil ? nil : "group-id"
        context.groupIndex = chord == nil ? nil : 2
        context.embed = TaskEmbed(callbacks: [.s("demo.log")], errbacks: [.si("demo.alert")], chain: chain, chord: chord)
        context.headers["replaced_task_nesting"] = .int(nesting)
        return context
    }

    @Test func theReplacementTakesTheTasksIDRootChordAndCallbacks() throws {
        let chordBody = Signature.s("demo.xsum")
        let replacement = try Self.context(chord: chordBody, nesting: 1).replacement(for: .s("demo.add", 1, 2))
        #expect(replacement.task == "demo.add" && replacement.args == [1, 2])
        #expect(replacement.options["task_id"] == "replaced-id" && replacement.options["root_id"] == "root-id")
        #expect(replacement.options["group_id"] == "group-id" && replacement.options["group_index"] == 2)
        #expect(replacement.options["chord"] == chordBody.json)
        #expect(replacement.options["replaced_task_nesting"] == 2)
        #expect(replacement.options["link"] == [Signature.s("demo.log").json])
        #expect(replacement.options["link_error"] == [Signature.si("demo.alert").json])

        let plan = try CanvasPlanner.plan(replacement, replyTo: nil)
        #expect(plan.messages.count == 1 && plan.messages[0].options.taskID == "replaced-id")
        #expect(plan.messages[0].options.replacedTaskNesting == 2 && plan.messages[0].options.chord == chordBody)
    }

    /// A group becomes a chord into celery.accumulate, so the task's id ends with the list;
    /// the rest of the task's chain follows the replacement.
    @Test func aGroupIsChordedIntoAccumulateAndTheChainGoesOn() throws {
        let replacement = try Self.context(chain: [.s("demo.xsum")]).replacement(for: .group([.s("demo.fib", 3), .s("demo.fib", 4)]))
        let plan = try CanvasPlanner.plan(replacement, replyTo: nil)
        #expect(plan.messages.map(\.name) == ["demo.fib", "demo.fib"])
        let body = try #require(plan.messages[0].options.chord)
        #expect(body.task == "celery.accumulate" && body.kwargs == ["index": 0])
        #expect(body.options["task_id"] == "replaced-id", "the accumulate step carries the replaced task's id")
        #expect(body.options["chain"]?.arrayValue?.compactMap { $0["task"]?.stringValue } == ["demo.xsum"])
        #expect(plan.chordSizes.map(\.size) == [2])
    }

    @Test func aChordSignatureOrAnEmptyChainCannotReplaceATask() {
        #expect(throws: CeleryError.self) {
            _ = try Self.context().replacement(for: Signature.s("demo.add").set(["chord": Signature.s("demo.xsum").json]))
        }
        #expect(throws: CeleryError.self) { _ = try Self.context().replacement(for: .chain([])) }
    }

    @Test func replaceEndsTheTaskWithItsReplacement() async throws {
        let task = RegisteredTask(name: "demo.fanout") { context in try context.replace(with: .s("demo.add", 1, 1)) }
        let outcome = await TaskExecutor.execute(task, context: Self.context())
        guard case .replaced(let signature) = outcome else { Issue.record("expected .replaced, got \(outcome)"); return }
        #expect(signature.options["task_id"] == "replaced-id")
    }

    @Test func builtInStarmapMapAndAccumulateRunTheNamedTask() async throws {
        let registry = TaskRegistry()
        try registry.register(RegisteredTask(name: "demo.add") { context in
            .int((context.args[0].intValue ?? 0) + (context.args.count > 1 ? context.args[1].intValue ?? 0 : 100))
        })
        #expect(registry.runnable(named: "demo.add") != nil && registry.names == ["demo.add"], "built-ins stay unlisted")
        let starmap = try #require(registry.runnable(named: "celery.starmap"))
        var context = TaskContext(name: "celery.starmap", kwargs: ["task": Signature.s("demo.add").json, "it": [[1, 2], [3, 4]]])
        #expect(try await starmap.run(context) == [3, 7])
        let map = try #require(registry.runnable(named: "celery.map"))
        context.kwargs = ["task": Signature.s("demo.add").json, "it": [1, 2]]
        #expect(try await map.run(context) == [101, 102])
        let accumulate = try #require(registry.runnable(named: "celery.accumulate"))
        #expect(try await accumulate.run(TaskContext(name: "celery.accumulate", args: [[5, 8]], kwargs: ["index": 0])) == [5, 8])
        context.kwargs = ["task": Signature.s("demo.nope").json, "it": [1]]
        await #expect(throws: CeleryError.self) { _ = try await starmap.run(context) }
    }

    @Test func chunksAreAGroupOfStarmapsOverPartsOfTheItems() throws {
        let plan = try CanvasPlanner.plan(.chunks(.s("demo.add"), [[1, 1], [2, 2], [3, 3]], size: 2), replyTo: nil)
        #expect(plan.messages.map(\.name) == ["celery.starmap", "celery.starmap"])
        #expect(plan.messages.map { $0.kwargs["it"] } == [[[1, 1], [2, 2]], [[3, 3]]])
        #expect(plan.messages.allSatisfy { $0.routeName == "demo.add" && $0.options.groupID != nil })
        guard case .group(_, let members) = plan.result else { Issue.record("chunks give a group"); return }
        #expect(members.count == 2)
    }
}
