import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Workflows built in Swift and run by the Swift worker, on each stored result backend
/// (a SQLite file, and Redis when the test peer is there): chain, group, chord, a group
/// piped into a task, a task replacing itself, starmap and chunks, and the failure paths — a failing chain step, a failing or revoked
/// chord header task, a failing chord body, and a worker killed mid-chord.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(3)))
struct CanvasWorkflowTests {
    static var backends: [String] {
        ["sqlite"] + (CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"] != nil ? ["redis"] : [])
    }

    static func backendURL(_ kind: String) -> String {
        if kind == "redis" { return CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"]! }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("canvas-\(UUID().uuidString.prefix(8)).db")
        return "db+sqlite:///\(file.path)"
    }

    static func app(broker: String, queue: String, backend: String, maxPriority: Int? = nil) -> App {
        var configuration = CeleriacConfiguration()
        configuration.queueMaxPriority = maxPriority
        configuration.brokerURL = broker
        configuration.resultBackend = backend
        configuration.defaultQueue = queue
        return App(configuration)
    }

    @Test(arguments: backends)
    func workflowsRunAndFailAsCelerysDo(backend kind: String) async throws {
        let backend = Self.backendURL(kind)
        try await WorkerInteropTests.withVirtualHost { broker in
            // The vhost is the test's own, so the default queue is too: steps a worker sends on
            // without a queue of their own go there, as in Celery.
            let queue = "celery"
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker,
                                                                            extra: ["--result-backend", backend])
            defer { worker.stop() }
            let app = Self.app(broker: broker, queue: queue, backend: backend)
            defer { Task { await app.close() } }
            func logTail() -> String { String(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(2000)) }

            let chain = Signature.s("demo.add", 1, 2) | .s("demo.mul", 10) | .s("demo.add", 5)
            #expect(try await app.apply(chain).get(timeout: 20) == 35, "\(logTail())")

            let group = try await app.apply(.group((0..<5).map { Signature.s("demo.add", .int($0), .int($0)) }))
            guard case .group(let groupResult) = group else { Issue.record("a group gives a GroupResult"); return }
            #expect(try await groupResult.get(timeout: 20) == [0, 2, 4, 6, 8])

            let chord = Signature.chord([.s("demo.add", 1, 1), .s("demo.add", 2, 2), .s("demo.add", 3, 3)], body: .s("demo.xsum"))
            #expect(try await app.apply(chord).get(timeout: 20) == 12, "\(logTail())")

            let upgraded = Signature.s("demo.add", 1, 1) | .group([.s("demo.mul", 2), .s("demo.mul", 3)]) | .s("demo.xsum")
            #expect(try await app.apply(upgraded).get(timeout: 20) == 10, "a group piped into a task is a chord")

            // A task that replaces itself with a group: its id ends with the group's list, and a
            // chain goes on after the group.
            #expect(try await app.apply(.s("demo.fanout", [5, 6, 7])).get(timeout: 20) == [5, 8, 13], "\(logTail())")
            #expect(try await app.apply(Signature.s("demo.fanout", [5, 6]) | .s("demo.xsum")).get(timeout: 20) == 13)

            // A chain that ends in a group: the group's members each get the result before it,
            // and the chain's result is the group's, in order, as Celery's is.
            #expect(try await app.apply(Signature.s("demo.add", 1, 1) | .group([.s("demo.add", 1), .s("demo.add", 2)]))
                .get(timeout: 20) == [3, 4], "\(logTail())")

            // starmap runs in one message; chunks is a group of starmaps.
            #expect(try await app.apply(.starmap(.s("demo.add"), [[1, 2], [3, 4]])).get(timeout: 20) == [3, 7])
            #expect(try await app.apply(.chunks(.s("demo.mul"), [[1, 1], [2, 2], [3, 3]], size: 2)).get(timeout: 20)
                    == [[1, 4], [9]])

            // A failing header task fails the chord: the body is stored with Celery's ChordError.
            let failingHeader = Signature.chord([.s("demo.add", 1, 1), .s("demo.fail", "header ✗")], body: .s("demo.xsum"))
            await #expect {
                try await app.apply(failingHeader).get(timeout: 20)
            } throws: { error in
                guard let error = error as? CeleryError else { return false }
                return error.type == "ChordError" && error.message.first?.stringValue?.contains("raised ValueError('header ✗')") == true
            }

            // A failing body fails as itself.
            let failingBody = Signature.chord([.s("demo.add", 1, 1)], body: .si("demo.fail", "body ✗"))
            await #expect {
                try await app.apply(failingBody).get(timeout: 20)
            } throws: { ($0 as? CeleryError)?.type == "ValueError" }

            // A failing chain step stops the chain and calls the chain's errback. As Celery's
            // `_fail_chain` does, the steps after it are stored failed with the same error, so
            // whoever waits on the chain's result hears of the failure instead of timing out.
            let errbackID = UUID().uuidString.lowercased()
            let stopped = (Signature.s("demo.add", 1, 1) | .s("demo.fail") | .s("demo.add", 5))
                .set(["link_error": [Signature.si("demo.add", 40, 2).set(["task_id": .string(errbackID)]).json]])
            let plan = try CanvasPlanner.plan(stopped, replyTo: nil)
            let lastStepID = try #require(plan.messages.first?.options.chain?.first?.options["task_id"]?.stringValue)
            try await app.publish(plan)
            #expect(try await app.result(errbackID).get(timeout: 20) == 42, "the errback ran: \(logTail())")
            // demo.fail cannot take the 2 it is handed: the step's error is its argument error.
            await #expect {
                try await app.result(lastStepID).get(timeout: 20)
            } throws: { ($0 as? CeleryError)?.type == "TaskArgumentError" }

            // A chain in a chord's header that fails before its last step still counts toward
            // the chord, which fails with ChordError instead of waiting for ever.
            let chainInHeader = Signature.chord([.s("demo.add", 1, 1), Signature.s("demo.fail", "chain ✗") | .s("demo.add", 1)],
                                                body: .s("demo.xsum"))
            await #expect {
                try await app.apply(chainInHeader).get(timeout: 20)
            } throws: { error in
                guard let error = error as? CeleryError else { return false }
                return error.type == "ChordError" && error.message.first?.stringValue?.contains("ValueError('chain ✗')") == true
            }

            // A revoked group member ends REVOKED; the group's get raises it, in order.
            let revokedMember = UUID().uuidString.lowercased()
            let withRevokedMember = try await app.apply(.group([
                .s("demo.add", 1, 1), Signature.s("demo.add", 2, 2).set(["task_id": .string(revokedMember), "countdown": 6]),  // room for the revoke on a loaded machine
            ]))
            try await app.revoke(revokedMember)
            await #expect(throws: ResultError.revoked(taskID: revokedMember)) { try await withRevokedMember.get(timeout: 20) }
            guard case .group(let revokedGroup) = withRevokedMember else { Issue.record("a group gives a GroupResult"); return }
            #expect(try await revokedGroup.results[0].get(timeout: 5) == 2, "the other member ran")
            try await app.save(revokedGroup)
            #expect(try await app.groupResult(revokedGroup.id)?.results.map(\.id) == revokedGroup.results.map(\.id))

            // A revoked header task fails the chord too, with TaskRevokedError as the cause. Its
            // countdown leaves room for the revoke on a loaded machine, as the group's does.
            let delayedID = UUID().uuidString.lowercased()
            let withRevoked = Signature.chord([.s("demo.add", 1, 1),
                                               Signature.s("demo.add", 2, 2).set(["task_id": .string(delayedID), "countdown": 6])],
                                              body: .s("demo.xsum"))
            let revokedChord = try await app.apply(withRevoked)
            try await app.revoke(delayedID)
            await #expect {
                try await revokedChord.get(timeout: 20)
            } throws: { error in
                (error as? CeleryError)?.message.first?.stringValue?.contains("TaskRevokedError('revoked')") == true
            }
        }
    }

    /// `celeriac call` sends a chain with --then, and any canvas with --signature.
    @Test func theCommandLineSendsChainsGroupsAndChords() async throws {
        let backend = Self.backendURL("sqlite")
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, _) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                          extra: ["--result-backend", backend])
            defer { worker.stop() }
            let common = ["--wait", "--timeout", "20", "-b", broker, "--result-backend", backend]
            let chain = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[1, 2]", "--then", "demo.mul:[10]",
                                                              "--then", "demo.add:[5]"] + common)
            #expect(chain.status == 0 && chain.stdout.hasSuffix("SUCCESS: 35\n"), "\(chain.stdout)\(chain.stderr)")

            let chord = Signature.chord([.s("demo.add", 1, 1), .s("demo.add", 2, 2)], body: .s("demo.xsum"))
            let chordRun = try await CeleriacBinary.runDetached(["call", "--signature", chord.json.serialized] + common)
            #expect(chordRun.status == 0 && chordRun.stdout.hasSuffix("SUCCESS: 6\n"), "\(chordRun.stdout)\(chordRun.stderr)")

            let group = Signature.group([.s("demo.add", 1, 1), .s("demo.fail", "no")])
            let groupRun = try await CeleriacBinary.runDetached(["call", "--signature", group.json.serialized] + common)
            let lines = groupRun.stdout.split(separator: "\n").map(String.init)
            #expect(groupRun.status == 2, "a failed member fails the command: \(groupRun.stdout)\(groupRun.stderr)")
            #expect(lines.count >= 5 && lines[1].hasPrefix("  ") && lines[3] == "SUCCESS: 2" && lines[4].hasPrefix("FAILURE: "),
                    "the group's id, its members' ids, then each result in order: \(lines)")
        }
    }

    /// Celery refuses chords on rpc://, before anything is sent; so do we, in its words.
    @Test func chordsAreRefusedOnRPCBeforeAnythingIsSent() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let app = Self.app(broker: broker, queue: "celery", backend: "rpc://")
            defer { Task { await app.close() } }
            let chord = Signature.chord([.s("demo.add", 1, 1)], body: .s("demo.xsum"))
            await #expect(throws: CanvasError.chordsNeedAStoredBackend(backend: "rpc")) { try await app.apply(chord) }
            await #expect(throws: CanvasError.chordsNeedAStoredBackend(backend: "rpc")) {
                try await app.apply(.group([.s("demo.add", 1, 1), .s("demo.add", 2, 2)]) | .s("demo.xsum"))
            }
            _ = try await app.apply(.s("demo.add", 1, 1))  // declares the queue, so it can be purged
            #expect(try await app.purge(queues: ["celery"]) == ["celery": 1], "only the plain task was sent")
        }
    }

    /// acks_late header tasks on a worker killed with SIGKILL go back to the queue; a second
    /// worker runs them, and the body runs once.
    @Test(arguments: backends)
    func aChordSurvivesItsWorkerBeingKilled(backend kind: String) async throws {
        let backend = Self.backendURL(kind)
        try await WorkerInteropTests.withVirtualHost { broker in
            let queue = "celery"
            let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("chord-kill-\(UUID().uuidString.prefix(8)).pid").path
            let (first, firstLog) = try await WorkerInteropTests.startReadyWorker(
                queue: queue, broker: broker, extra: ["--result-backend", backend, "--pidfile", pidFile])
            let app = Self.app(broker: broker, queue: queue, backend: backend)
            defer { Task { await app.close() } }
            let bodyID = UUID().uuidString.lowercased()
            let chord = Signature.chord([.s("demo.sleep", 1.5), .s("demo.sleep", 1.5), .s("demo.sleep", 0.2)],
                                        body: Signature.si("demo.add", 20, 22).set(["task_id": .string(bodyID)]))
            let result = try await app.apply(chord)
            _ = try await WorkerInteropTests.waitForLog(firstLog, toContain: "demo.sleep")
            let pid = try #require(Int32(try String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
            kill(pid, SIGKILL)
            first.stop()

            let (second, secondLog) = try await WorkerInteropTests.startReadyWorker(
                queue: queue, broker: broker, extra: ["--result-backend", backend])
            defer { second.stop() }
            #expect(try await result.get(timeout: 30) == 42)
            let logs = [firstLog, secondLog].map { (try? String(contentsOfFile: $0, encoding: .utf8)) ?? "" }
            let bodyRuns = logs.map { $0.components(separatedBy: "[\(bodyID)] succeeded").count - 1 }.reduce(0, +)
            #expect(bodyRuns == 1, "the body ran \(bodyRuns) times:\n\(logs.joined(separator: "\n---\n").suffix(3000))")
        }
    }
}
