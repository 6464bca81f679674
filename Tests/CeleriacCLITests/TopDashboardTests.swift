import Celeriac
import CeleriacMonitor
import CeleriacTestSupport
import Foundation
import Testing

/// The broker and management API under test: RabbitMQ from Scripts/test.sh by default; the
/// broker issue re-runs this suite on `celeriac broker` by setting these two variables.
enum TopPeers {
    static let environment = ProcessInfo.processInfo.environment
    static let brokerURL = environment["CELERIAC_TOP_BROKER_URL"] ?? environment["CELERIAC_TEST_AMQP_URL"]
    static let managementURL = environment["CELERIAC_TOP_MANAGEMENT_URL"] ?? environment["CELERIAC_TEST_MANAGEMENT_URL"]
    static let available = brokerURL != nil && managementURL != nil
}

@Suite("celeriac top in tmux against two Python Celery workers", .serialized, .timeLimit(.minutes(5)))
struct TopDashboardTests {
    @Test func peersArePresentWhenRequired() {
        if ProcessInfo.processInfo.environment["CELERIAC_REQUIRE_PEERS"] == "1" {
            #expect(TopPeers.available, "Scripts/test.sh exports CELERIAC_TEST_AMQP_URL and CELERIAC_TEST_MANAGEMENT_URL")
        }
    }

    /// One scenario, because a cluster of two workers and a dashboard take seconds to start:
    /// watch the task mix land in every state, then act with keys and check each action with
    /// Celery's own tools.
    @Test(.enabled(if: TopPeers.available)) func watchesAndActsOnAPythonCluster() async throws {
        let cluster = try await PythonCluster(brokerURL: TopPeers.brokerURL!, managementURL: TopPeers.managementURL!)
        let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", cluster.brokerURL,
                                             "--management-url", cluster.managementURL, "--poll-interval", "1"],
                                   environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        do {
            try await run(tmux, cluster)
        } catch {
            // What the workers saw of the tasks the failure names tells a lost message from a
            // lost event.
            let ids = "\(error)".matches(of: /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/)
                .map { String($0.output) }
            Issue.record("the workers' logs:\n\(cluster.workerLogs(mentioning: ids))")
            await cluster.stop(keepLogs: true)
            throw error
        }
        await cluster.stop()
    }

    /// Sends a task with `celeriac call`, whose publisher confirms mean the broker holds it
    /// when the call returns (`celery call` exits without waiting for one).
    private func send(_ arguments: [String], _ cluster: PythonCluster) async throws -> String {
        let output = try await CeleriacBinary.runDetached(["call", "-b", cluster.brokerURL] + arguments)
        guard output.status == 0 else { throw TmuxError("celeriac call \(arguments) failed: \(output.stderr)") }
        return output.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private func run(_ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        // Keys typed before the dashboard owns the terminal would be lost: wait for its first frame.
        try await detached { try tmux.waitFor(text: "Overview —") }
        // Workers: both online, with their pools from `stats`.
        try await detached { try tmux.send("2") }
        let workers = try await detached {
            try tmux.waitFor("both workers online with their pools", timeout: 60) { screen in
                screen.contains(cluster.preforkNode) && screen.contains(cluster.threadsNode)
                    && screen.components(separatedBy: "online").count == 3 && screen.contains("(1-4)")
            }
        }
        #expect(workers.contains("prefork"))
        #expect(workers.contains("thread"))

        // The mix: every state shows, failures group by exception on the Overview.
        let mix = try await detached { try cluster.python(["task_mix.py", "--broker", cluster.brokerURL, "--long", "1",
                                                           "--long-seconds", "4"]) }
        let ids = try #require(try JSONValue(parsing: mix).objectValue)
        let failed = try #require(ids["failed"]?.arrayValue?.first?.stringValue)
        let expired = try #require(ids["expired"]?.arrayValue?.first?.stringValue)
        let retried = try #require(ids["retried"]?.arrayValue?.first?.stringValue)
        try await detached { try tmux.send("1") }
        let overview = try await detached {
            try tmux.waitFor("failure groups", timeout: 30) { $0.contains("ValueError") && $0.contains("KeyError") }
        }
        #expect(overview.contains("fix.fail"))
        #expect(overview.contains("fix.lookup"))
        try await expectTask(expired, state: "REVOKED", tmux)
        try await expectTask(failed, state: "FAILURE", tmux)
        let retry = try await expectTask(retried, state: "SUCCESS", tmux, open: true)
        #expect(retry.contains("task-retried"), "the retried task's timeline shows its RETRY")
        try await detached { try tmux.send("Escape") }

        try await revokeByID(tmux, cluster)
        try await retryFromTheDashboard(failed, tmux, cluster)
        try await workerActions(tmux, cluster)
        try await purgeAQueue(tmux, cluster)
        try await shutDownAWorker(tmux, cluster)

        // ? lists every key; Esc goes back.
        try await detached {
            try tmux.send("?")
            try tmux.waitFor(text: ":ratelimit TASK RATE [NODE]")
            try tmux.send("Escape")
            try tmux.waitFor(text: "Workers —")
        }

        // Quit restores the terminal and ends the program.
        try await detached { try tmux.send("q") }
        let dead = try await detached {
            try tmux.waitFor("the dashboard to exit", timeout: 10) { _ in (try? tmux.paneIsDead()) == true }
        }
        #expect(!dead.contains("Traceback"))
    }

    /// Filters the Tasks screen to `id` and waits for its state; optionally opens its detail.
    @discardableResult
    private func expectTask(_ id: String, state: String, _ tmux: TmuxSession, open: Bool = false) async throws -> String {
        try await detached {
            let row = try tmux.showTaskAlone(id, state: state)
            guard open else { return row }
            try tmux.send("Enter")
            return try tmux.waitFor(text: "timeline")
        }
    }

    /// `:revoke ID` on a task waiting for its countdown: every worker flags it (Celery's
    /// `inspect revoked` agrees) and it ends REVOKED instead of running.
    private func revokeByID(_ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        let id = try await send(["fix.add", "--args", "[1, 2]", "--countdown", "8"], cluster)
        try await detached {
            try tmux.send(":")
            try tmux.send("revoke \(id)", literal: true)
            try tmux.send("Enter")
            try tmux.waitFor(text: "[y/N]")
            try tmux.send("y")
            try tmux.waitFor("both workers' replies", timeout: 15) { screen in
                let status = screen.split(separator: "\n").first { $0.contains("revoke \(id) —") } ?? ""
                return status.contains(cluster.preforkNode) && status.contains(cluster.threadsNode)
            }
        }
        let revoked = try await detached { try cluster.celery(["inspect", "revoked", "--json", "-t", "5"]) }
        #expect(revoked.components(separatedBy: id).count == 3, "both workers list \(id) as revoked: \(revoked)")
        try await expectTask(id, state: "REVOKED", tmux)
    }

    /// R on a failed task sends it again with the same name and args; a worker runs it.
    private func retryFromTheDashboard(_ failed: String, _ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        try await expectTask(failed, state: "FAILURE", tmux, open: true)
        let status = try await detached {
            try tmux.send("R")
            try tmux.waitFor(text: "Retry fix.fail to queue")
            try tmux.send("Enter")
            try tmux.waitFor(text: "[y/N]")
            try tmux.send("y")
            return try tmux.waitFor(text: "sent as ")
        }
        let line = try #require(status.split(separator: "\n").first { $0.contains("sent as ") })
        let newID = try #require(line.components(separatedBy: "sent as ").last?.split(separator: " ").first.map(String.init))
        try await detached { try tmux.send("Escape") }
        let row = try await expectTask(newID, state: "FAILURE", tmux)
        let ranOn = row.split(separator: "\n").first { $0.contains(newID) && $0.contains("FAILURE") } ?? ""
        #expect(ranOn.contains(cluster.preforkNode.prefix(16)) || ranOn.contains(cluster.threadsNode.prefix(16)),
                "a worker of the cluster ran the retried task: \(ranOn)")
    }

    /// On the Workers screen: autoscale, add a consumer, rate limit — each checked with Celery's tools.
    private func workerActions(_ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        try await detached {
            try tmux.send("Escape")
            try tmux.send("2")
            try tmux.send("g")  // the prefork node sorts first
            try tmux.waitFor(text: cluster.preforkNode)
            try tmux.send("a")
            try tmux.waitFor(text: "MAX,MIN")
            try tmux.send("3,2", literal: true)
            try tmux.send("Enter")
            try tmux.waitFor(text: "[y/N]")
            try tmux.send("y")
            try tmux.waitFor(text: "autoscale \(cluster.preforkNode) 3,2 —")
            try tmux.waitFor(text: "(2-3)", timeout: 15)
        }
        let stats = try await detached { try cluster.celery(["inspect", "stats", "-d", cluster.preforkNode, "--json", "-t", "5"]) }
        let autoscaler = try #require(try JSONValue(parsing: stats)[cluster.preforkNode]?["autoscaler"])
        #expect(autoscaler["max"]?.intValue == 3)
        #expect(autoscaler["min"]?.intValue == 2)

        try await detached {
            try tmux.send("c")
            try tmux.waitFor(text: "Queue for \(cluster.preforkNode) to consume")
            try tmux.send("extra.q", literal: true)
            try tmux.send("Enter")
            try tmux.send("y")
            try tmux.waitFor(text: "consume extra.q on \(cluster.preforkNode) —")
        }
        let queues = try await detached { try cluster.celery(["inspect", "active_queues", "-d", cluster.preforkNode, "--json", "-t", "5"]) }
        #expect(queues.contains("\"extra.q\""))

        let answer = try await detached {
            try tmux.send("L")
            try tmux.waitFor(text: "TASK RATE")
            try tmux.send("fix.add 10/m", literal: true)
            try tmux.send("Enter")
            try tmux.send("y")
            return try tmux.waitFor(text: "rate limit fix.add 10/m —")
        }
        #expect(answer.contains("new rate limit set successfully"))
    }

    /// S on the Workers screen stops a worker: it goes offline on screen and stops answering pings.
    private func shutDownAWorker(_ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        try await detached {
            try tmux.send("2")
            try tmux.send("G")  // the threads node sorts last
            try tmux.send("S")
            try tmux.waitFor(text: "Shut down \(cluster.threadsNode)?")
            try tmux.send("y")
            try tmux.waitFor("\(cluster.threadsNode) offline", timeout: 30) { screen in
                screen.split(separator: "\n").contains { $0.contains(cluster.threadsNode) && $0.contains("offline") }
            }
        }
        let pings = try await detached { try cluster.celery(["inspect", "ping", "--json", "-t", "3"]) }
        #expect(pings.contains(cluster.preforkNode))
        #expect(!pings.contains(cluster.threadsNode))
    }

    /// P on the Queues screen empties a queue nobody consumes (the broker's own count agrees).
    private func purgeAQueue(_ tmux: TmuxSession, _ cluster: PythonCluster) async throws {
        for _ in 0..<3 {
            _ = try await send(["fix.add", "--args", "[1, 1]", "--queue", "idle.q"], cluster)
        }
        let screen = try await detached {
            try tmux.send("4")
            return try tmux.waitFor("idle.q with 3 ready", timeout: 30) { screen in
                screen.split(separator: "\n").contains { $0.contains("idle.q") && $0.split(separator: " ").contains("3") }
            }
        }
        let rows = screen.split(separator: "\n").drop { !$0.contains("QUEUE") }.dropFirst()
        let position = try #require(rows.firstIndex { $0.contains("idle.q") }) - rows.startIndex
        try await detached {
            try tmux.send("g")
            for _ in 0..<position { try tmux.send("j") }
            try tmux.send("P")
            try tmux.waitFor(text: "Purge every ready message from 'idle.q'")
            try tmux.send("y")
            try tmux.waitFor(text: "purge idle.q — removed 3 ready messages")
        }
        // The management API samples queues every few seconds: poll it until it catches up.
        let api = try ManagementAPI(url: cluster.managementURL)
        var ready: Int?
        for _ in 0..<60 {
            ready = try await api.queues(vhost: cluster.virtualHost).first { $0.name == "idle.q" }?.ready
            if ready == 0 { break }
            try await Task.sleep(for: .milliseconds(250))  // the API's own sampling is the event here
        }
        #expect(ready == 0)
    }
}
