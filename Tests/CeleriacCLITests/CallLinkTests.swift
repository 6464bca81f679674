import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac call --link` and `--link-error` run end to end: the built binary sends a task
/// with its callbacks, a Swift worker runs it, and the callback runs with the task's result
/// (Celery's link) or the errback with the failed task's id (Celery's link_error), on each
/// stored result backend.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(3)))
struct CallLinkTests {
    @Test(arguments: CanvasWorkflowTests.backends)
    func theCommandLineLinksCallbacksAndErrbacks(backend kind: String) async throws {
        let backend = CanvasWorkflowTests.backendURL(kind)
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                            extra: ["--result-backend", backend])
            defer { worker.stop() }
            let app = CanvasWorkflowTests.app(broker: broker, queue: "celery", backend: backend)
            defer { Task { await app.close() } }
            func logTail() -> String { String(((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").suffix(2000)) }
            let common = ["--wait", "--timeout", "20", "-b", broker, "--result-backend", backend]

            // --link: the callback, mutable, gets the result first: mul(5, 10). The worker sends
            // it before it stores the parent's result, which names it as its child.
            let linked = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[2, 3]",
                                                               "--link", "demo.mul:[10]"] + common)
            #expect(linked.status == 0 && linked.stdout.hasSuffix("SUCCESS: 5\n"), "\(linked.stdout)\(linked.stderr)")
            let parent = try #require(linked.stdout.split(separator: "\n").first.map(String.init))
            let children = try await app.result(parent).children().compactMap { $0[0]?[0]?.stringValue }
            try #require(children.count == 1, "the callback is the parent's one child: \(children)\n\(logTail())")
            #expect(try await app.result(children[0]).get(timeout: 20) == 50, "the callback ran with the result: \(logTail())")

            // --link with --then: the callback follows the first task, the chain goes on.
            let both = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[1, 2]", "--then", "demo.mul:[10]",
                                                             "--link", "demo.add:[100]"] + common)
            #expect(both.status == 0 && both.stdout.hasSuffix("SUCCESS: 30\n"), "\(both.stdout)\(both.stderr)")
            let last = try #require(both.stdout.split(separator: "\n").first.map(String.init))
            let first = try #require(try await app.result(last).meta()?.other["parent_id"]?.stringValue,
                                     "the chain's last step names its parent")
            var results: [JSONValue] = []
            for child in try await app.result(first).children().compactMap({ $0[0]?[0]?.stringValue }) {
                results.append(try await app.result(child).get(timeout: 20))
            }
            #expect(Set(results) == [103, 30], "the first task's children: the callback add(3, 100) and the next step: \(logTail())")

            // --link-error: the errback gets the failed task's id first. demo.fail as the
            // errback fails with that id as its message, which is the proof it got it.
            let failing = try await CeleriacBinary.runDetached(["call", "demo.fail", "--args", "[\"on purpose\"]",
                                                                "--link-error", "demo.fail", "--link", "demo.mul:[10]"] + common)
            #expect(failing.status == 2 && failing.stdout.contains("FAILURE: "), "\(failing.stdout)\(failing.stderr)")
            let failed = try #require(failing.stdout.split(separator: "\n").first.map(String.init))
            // What the worker sent after the failure it says in its log; nothing else names the errback.
            let sentLine = try await WorkerInteropTests.waitForLog(log, toContain: "task demo.fail[\(failed)] sent ")
                .split(separator: "\n").first { $0.contains("task demo.fail[\(failed)] sent ") }.map(String.init) ?? ""
            let errback = try #require(sentLine.firstMatch(of: /sent demo\.fail\[([0-9a-f-]{36})\] after it/)?.output.1,
                                       "one errback, demo.fail: \(sentLine)")
            let meta = try await app.result(String(errback)).wait(timeout: 20)
            #expect(meta.status == .failure && meta.error?.type == "ValueError" && meta.error?.message == [.string(failed)],
                    "the errback ran with the failed task's id: \(meta.json)\n\(logTail())")
            #expect(!sentLine.contains("demo.mul"), "the success callback is not sent on failure: \(sentLine)")
            #expect(try await app.result(failed).children().isEmpty)
        }
    }
}
