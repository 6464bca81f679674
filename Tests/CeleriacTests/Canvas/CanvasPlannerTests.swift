@testable import Celeriac
import Foundation
import Testing

/// What we publish for a workflow, against what Celery 5.7 published for the same workflow
/// (the captured messages). Ids are random on both sides, so each message is compared with
/// every UUID replaced by its order of first appearance: the same shape and the same id
/// wherever Celery repeats one.
@Suite struct CanvasPlannerTests {
    static let replyTo = UUID().uuidString.lowercased()

    static func messages(_ plan: CanvasPlan) -> [TaskMessage] {
        plan.messages.map {
            TaskMessage.build(name: $0.name, args: $0.args, kwargs: $0.kwargs, options: $0.options, replyTo: $0.replyTo)
        }
    }

    /// The parts of a task message two senders must agree on: every header but who sent it,
    /// the body, and the reply and correlation ids.
    static func comparable(headers: [String: JSONValue], body: JSONValue, replyTo: String?, correlationID: String?) -> JSONValue {
        var headers = headers
        for key in ["origin", "lang"] { headers.removeValue(forKey: key) }
        return ["headers": .object(headers), "body": body, "reply_to": replyTo.map(JSONValue.string) ?? .null,
                "correlation_id": correlationID.map(JSONValue.string) ?? .null]
    }

    static func ours(_ messages: [TaskMessage]) throws -> [JSONValue] {
        try messages.map {
            comparable(headers: $0.headers, body: try JSONValue(parsing: $0.body), replyTo: $0.replyTo,
                       correlationID: $0.properties.correlationID)
        }
    }

    static func celerys(_ names: [String]) throws -> [JSONValue] {
        try names.map { name in
            let fixture = try CeleryFixture.load(name)
            return comparable(headers: fixture.message.properties.headers, body: fixture.json["body"] ?? .null,
                              replyTo: fixture.message.properties.replyTo, correlationID: fixture.message.properties.correlationID)
        }
    }

    @Test func aChainIsItsFirstTaskCarryingTheRestReversed() throws {
        let chain = Signature.s("fix.add", 1, 2) | .s("fix.mul", 10) | .s("fix.add", 5)
        let plan = try CanvasPlanner.plan(chain, replyTo: Self.replyTo)
        #expect(plan.messages.count == 1)
        #expect(plan.chordSizes.isEmpty)
        let sent = Self.messages(plan)
        #expect(UUIDNormalizer.normalize(try Self.ours(sent)) == UUIDNormalizer.normalize(try Self.celerys(["task-fix_add-6.json"])))
        #expect(plan.result == .task(sent[0].embed.chain?.first?.options["task_id"]?.stringValue ?? "?"),
                "the caller waits on the chain's last task")
    }

    @Test func aGroupNumbersItsMembersUnderOneGroupID() throws {
        let group = Signature.group([.s("fix.add", 0, 0), .s("fix.add", 1, 1), .s("fix.add", 2, 2)])
        let plan = try CanvasPlanner.plan(group, replyTo: Self.replyTo)
        let sent = Self.messages(plan)
        #expect(UUIDNormalizer.normalize(try Self.ours(sent))
                == UUIDNormalizer.normalize(try Self.celerys(["task-fix_add-8.json", "task-fix_add-9.json", "task-fix_add-10.json"])))
        guard case .group(let id, let members) = plan.result else { Issue.record("a group's result is a group"); return }
        #expect(id == sent[0].groupID && members.map(\.id) == sent.map(\.id))
    }

    @Test func linkAndLinkErrorRideInTheEmbed() throws {
        let linked = Signature.s("fix.add", 1, 1).set(["link": [Signature.si("fix.mul", 3, 3).json],
                                                      "link_error": [Signature.si("fix.add", 0, 0).json]])
        let sent = Self.messages(try CanvasPlanner.plan(linked, replyTo: Self.replyTo))
        #expect(UUIDNormalizer.normalize(try Self.ours(sent)) == UUIDNormalizer.normalize(try Self.celerys(["task-fix_add-11.json"])))
    }

    /// chord([add(1, 1), add(2, 2)], xsum()): the header as Celery sent it, its size for the
    /// backend, and — once both parts are in — the body as Celery's worker sent it.
    @Test func aChordSendsItsHeaderWithTheBodyAndItsSize() throws {
        let chord = Signature.chord([.s("fix.add", 1, 1), .s("fix.add", 2, 2)], body: .s("fix.xsum"))
        let plan = try CanvasPlanner.plan(chord, replyTo: Self.replyTo)
        let header = Self.messages(plan)
        #expect(UUIDNormalizer.normalize(try Self.ours(header))
                == UUIDNormalizer.normalize(try Self.celerys(["chord-phase-task-fix_add-1.json", "chord-phase-task-fix_add-2.json"])))
        #expect(plan.chordSizes == [.init(groupID: header[0].groupID ?? "", size: 2)])
        #expect(plan.startsChords)
        let bodyID = header[0].embed.chord?.options["task_id"]?.stringValue
        #expect(plan.result == .task(bodyID ?? "?"), "the caller waits on the body")

        // The worker that finished add(1, 1) last sent the body with [2, 4].
        let join = ChordJoin(groupID: header[0].groupID ?? "", parts: [
            .init(taskID: header[0].id, state: .success, result: 2), .init(taskID: header[1].id, state: .success, result: 4),
        ])
        guard case .success(let results) = join.bodyArgument(), let body = header[0].embed.chord else {
            Issue.record("a chord of successes calls its body"); return
        }
        let bodyPlan = try CanvasPlanner.plan(body, args: [results], replyTo: nil, sender: CanvasStep.sender(of: header[0]))
        let all = try Self.ours(header + Self.messages(bodyPlan))
        let celerys = try Self.celerys(["chord-phase-task-fix_add-1.json", "chord-phase-task-fix_add-2.json",
                                        "chord-phase-task-fix_xsum-1.json"])
        #expect(UUIDNormalizer.normalize(all) == UUIDNormalizer.normalize(celerys))
    }

    @Test func aFailedHeaderTaskFailsTheChordWithCelerysChordError() {
        let error = CeleryError(type: "ValueError", message: ["boom ✗"])
        let join = ChordJoin(groupID: "g", parts: [.init(taskID: "a", state: .success, result: 2),
                                                   .init(taskID: "b", state: .failure, result: error.json)])
        guard case .failure(let chordError) = join.bodyArgument() else { Issue.record("a failed part fails the chord"); return }
        #expect(chordError.type == "ChordError" && chordError.module == "celery.exceptions")
        #expect(chordError.message == ["Dependency b raised ValueError('boom ✗')"])
    }

    /// chain(add, group(mul, mul), xsum) is Celery's chord(group(mul, mul), xsum) after add.
    @Test func aGroupFollowedByATaskInAChainBecomesAChord() throws {
        let chain = Signature.s("fix.add", 1, 1) | .group([.s("fix.mul", 2), .s("fix.mul", 3)]) | .s("fix.xsum")
        let plan = try CanvasPlanner.plan(chain, replyTo: nil)
        #expect(plan.messages.count == 1)
        let rest = plan.messages[0].options.chain ?? []
        #expect(rest.count == 1 && rest[0].subtaskType == "chord")
        guard case .chord(let header, let body)? = try? rest[0].kind() else { Issue.record("the rest is a chord"); return }
        #expect(header.map(\.task) == ["fix.mul", "fix.mul"] && body?.task == "fix.xsum")
        #expect(plan.result.id == body?.options["task_id"]?.stringValue, "the chain ends with the chord's body")

        // add returned 2: the chord goes out with 2 prepended to each header task.
        var first = TaskMessage.build(name: "fix.add", args: [1, 1], options: plan.messages[0].options)
        first.embed.chain = rest
        let next = try CanvasStep.after(first, result: 2)
        #expect(next.messages.map(\.args) == [[2, 2], [2, 3]])
        #expect(next.chordSizes.count == 1 && next.chordSizes[0].size == 2)
        #expect(next.messages.allSatisfy { $0.options.chord?.task == "fix.xsum" && $0.options.parentID == first.id })
    }

    @Test func nestedChainsAreSplicedAndPartialArgsGoToTheFirstStep() throws {
        let inner = Signature.s("fix.mul", 2) | .s("fix.add", 1)
        let plan = try CanvasPlanner.plan(.chain([inner, .s("fix.mul", 10)]), args: [5], replyTo: nil)
        #expect(plan.messages.map(\.name) == ["fix.mul"] && plan.messages[0].args == [5, 2])
        #expect((plan.messages[0].options.chain ?? []).map(\.task) == ["fix.mul", "fix.add"], "reversed: next last")
    }

    @Test func groupsRefuseLinksAndRPCRefusesChords() throws {
        let group = Signature.group([.s("fix.add", 1, 1)]).set(["link": [Signature.s("fix.xsum").json]])
        #expect(throws: CanvasError.linkOnGroup) { try CanvasPlanner.plan(group, replyTo: nil) }
        // Celery's own first sentences, word for word.
        #expect(CanvasError.chordsNeedAStoredBackend(backend: "rpc").description
            .hasPrefix("The \"rpc\" result backend does not support chords! Note that a group chained with a task is also upgraded to be a chord"))
        #expect(CanvasError.chordsNeedAStoredBackend(backend: nil).description
            .hasPrefix("Starting chords requires a result backend to be configured."))
    }

    @Test func anEmptyChordHeaderCallsTheBodyAtOnceWithAnEmptyList() throws {
        let plan = try CanvasPlanner.plan(.chord([], body: .s("fix.xsum")), replyTo: nil)
        #expect(plan.messages.map(\.name) == ["fix.xsum"] && plan.messages[0].args == [[]])
        #expect(plan.chordSizes.isEmpty)
    }

    /// Every canvas message Celery sent decodes, and each signature in its embed encodes
    /// back to exactly what Celery wrote.
    @Test func everyCapturedCanvasMessageDecodesAndItsSignaturesRoundTrip() throws {
        let fixtures = try CeleryFixture.all("task-") + CeleryFixture.all("chord-phase-task-")
        #expect(fixtures.count >= 25)
        for fixture in fixtures {
            let message = try TaskMessage(fixture.message)
            let embed = fixture.json["body"]?.arrayValue?[2]
            for key in ["callbacks", "errbacks", "chain"] {
                let captured = embed?[key]?.arrayValue ?? []
                let decoded = [("callbacks", message.embed.callbacks), ("errbacks", message.embed.errbacks),
                               ("chain", message.embed.chain)].first { $0.0 == key }?.1 ?? []
                #expect(decoded.map(\.json) == captured, "\(fixture.name) \(key)")
                for signature in decoded { #expect((try? signature.kind()) == .task) }
            }
            if let chord = embed?["chord"], !chord.isNull {
                #expect(message.embed.chord?.json == chord, "\(fixture.name) chord")
            }
        }
    }
}

/// Replaces every UUID in a JSON value with "<uuid N>", N counting first appearances in a
/// fixed walk (object keys sorted), so two messages with different random ids compare equal
/// exactly when they repeat ids in the same places.
enum UUIDNormalizer {
    static func normalize(_ values: [JSONValue]) -> [JSONValue] {
        var seen: [String: Int] = [:]
        return values.map { walk($0, &seen) }
    }

    private static func walk(_ value: JSONValue, _ seen: inout [String: Int]) -> JSONValue {
        switch value {
        case .string(let text) where UUID(uuidString: text) != nil:
            let number = seen[text] ?? seen.count + 1
            seen[text] = number
            return .string("<uuid \(number)>")
        case .array(let items):
            return .array(items.map { walk($0, &seen) })
        case .object(let object):
            var normalized: [String: JSONValue] = [:]
            for key in object.keys.sorted() { normalized[key] = walk(object[key]!, &seen) }
            return .object(normalized)
        default:
            return value
        }
    }
}
