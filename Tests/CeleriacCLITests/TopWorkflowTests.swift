import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// The task detail's workflow tree in a real terminal: a chain and a chord run on the Swift
/// worker with a SQLite result backend, and `celeriac top` shows each task's place in its
/// workflow — the chain by parent ids from the events, the chord's header group from the
/// stored results — and Tab then Enter opens another node, Esc comes back.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(3)))
struct TopWorkflowTests {
    @Test func theDetailShowsTheWorkflowAndEnterOpensANode() async throws {
        let backend = CanvasWorkflowTests.backendURL("sqlite")
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, _) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                          extra: ["--result-backend", backend])
            defer { worker.stop() }
            let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", broker, "--result-backend", backend,
                                                 "--management-url", CeleriacBinary.managementURL!, "--poll-interval", "1"],
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
            defer { tmux.kill() }
            try await detached { try tmux.waitForDashboardConnected() }

            let app = CanvasWorkflowTests.app(broker: broker, queue: "celery", backend: backend)
            defer { Task { await app.close() } }
            let chain = try CanvasPlanner.plan(Signature.s("demo.add", 1, 2) | .s("demo.mul", 10) | .s("demo.add", 5),
                                               replyTo: nil)
            let first = try #require(chain.messages.first?.options.taskID)
            let rest = (chain.messages.first?.options.chain ?? []).reversed().compactMap { $0.options["task_id"]?.stringValue }
            try #require(rest.count == 2)
            try await app.publish(chain)
            #expect(try await app.result(rest[1]).get(timeout: 20) == 35)

            // The middle step's detail: the chain from its first task down, this one marked.
            let tree = try await detached {
                try tmux.showTaskAlone(rest[0], state: "SUCCESS")
                try tmux.send("Enter")
                return try tmux.waitFor("the chain's tree", timeout: 20) { screen in
                    screen.contains("workflow") && screen.contains(String(first.prefix(8)))
                        && screen.contains(String(rest[1].prefix(8))) && screen.contains("◀ this task")
                }
            }
            #expect(tree.contains("└─ demo.mul"), "the middle step under the first:\n\(tree)")

            // Tab twice selects the last step; Enter opens it; Esc comes back.
            try await detached {
                try tmux.send("Tab")
                try tmux.send("Tab")
                try tmux.send("Enter")
                try tmux.waitFor(text: "Task \(rest[1])")
                try tmux.send("Escape")
                try tmux.waitFor(text: "Task \(rest[0])")
            }

            // A chord's body: its header tasks are found through the group the stored
            // results name, though no event ties them to the body.
            let chord = try CanvasPlanner.plan(.chord([.s("demo.add", 1, 1), .s("demo.add", 2, 2)], body: .s("demo.xsum")),
                                               replyTo: nil)
            try await app.publish(chord)
            let header = chord.messages.compactMap(\.options.taskID)
            #expect(try await app.result(chord.result.id).get(timeout: 20) == 6)
            let group = try #require(chord.messages.first?.options.groupID)
            let body = try await detached {
                try tmux.send("Escape")
                try tmux.showTaskAlone(chord.result.id, state: "SUCCESS")
                try tmux.send("Enter")
                return try tmux.waitFor("the chord's group", timeout: 20) { screen in
                    screen.contains("group \(group)") && header.allSatisfy { screen.contains(String($0.prefix(8))) }
                }
            }
            #expect(body.contains("demo.xsum"))
        }
    }
}
