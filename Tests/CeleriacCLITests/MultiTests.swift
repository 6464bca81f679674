@testable import CeleriacCLI
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac multi`: Celery's node expansion, then real workers started in the background,
/// found by their pidfiles, and stopped.
@Suite struct MultiPlanTests {
    @Test func aCountExpandsToNumberedNodes() throws {
        let plan = try MultiPlan.parse(["3", "-c", "2", "--range-prefix=worker"], host: "box")
        #expect(plan.nodes.map(\.name) == ["worker1@box", "worker2@box", "worker3@box"])
        #expect(plan.nodes[0].arguments == ["-n", "worker1@box", "-c", "2", "--pidfile", "worker1.pid", "--logfile", "worker1.log"])
    }

    /// `-c:w1 4` is for w1 alone, and wins over `-c 2` wherever it is written.
    @Test func optionsForOneNodeWinOverOptionsForAll() throws {
        let plan = try MultiPlan.parse(["w1", "w2", "w3", "-c:w1", "4", "-c", "2", "-Q:2-3", "images", "--loglevel:w3@box=debug",
                                        "-E", "--pidfile=/run/%n.pid"], host: "box")
        func option(_ node: Int, _ flag: String) -> String? {
            let arguments = plan.nodes[node].arguments
            return arguments.firstIndex(of: flag).map { arguments[$0 + 1] }
        }
        #expect(option(0, "-c") == "4" && option(1, "-c") == "2" && option(2, "-c") == "2")
        #expect(option(0, "-Q") == nil && option(1, "-Q") == "images" && option(2, "-Q") == "images")
        #expect(option(2, "--loglevel") == "debug" && option(0, "--loglevel") == nil)
        #expect(plan.nodes.allSatisfy { $0.arguments.contains("-E") })
        #expect(plan.nodes.map(\.pidFile) == ["/run/w1.pid", "/run/w2.pid", "/run/w3.pid"])
    }

    @Test func fullNamesKeepTheirHost() throws {
        let plan = try MultiPlan.parse(["a@one.example", "b"], host: "box")
        #expect(plan.nodes.map(\.name) == ["a@one.example", "b@box"])
    }

    @Test func mistakesAreNamed() {
        #expect(throws: MultiError.self) { try MultiPlan.parse(["-c", "2"]) }
        #expect(throws: MultiError.self) { try MultiPlan.parse(["0"]) }
        #expect(throws: MultiError.self) { try MultiPlan.parse(["w1", "-c:", "2"]) }
    }
}

@Suite(.enabled(if: CeleriacBinary.amqpURL != nil), .serialized)
struct MultiCommandTests {
    /// start two workers, see both answer ping, restart one, stopwait both: pidfiles come and
    /// go, logs are written, and no worker is left.
    @Test func startRestartAndStopwait() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("multi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let queue = "multi-\(UUID().uuidString.prefix(8).lowercased())"
        let common = ["m1", "m2", "-A", "demo", "-P", "solo", "-Q", queue, "-b", CeleriacBinary.amqpURL!,
                      "--pidfile=\(directory)/%n.pid", "--logfile=\(directory)/%n%I.log"]
        let started = try await detached { try ChildProcess.run([CeleriacBinary.url.path, "multi", "start"] + common) }
        try #require(started.status == 0, "\(started.stdout)\(started.stderr)")
        #expect(started.stdout.contains("m1@") && started.stdout.contains(": OK"), "\(started.stdout)")
        let host = NodeNameHost.current
        let pids = try ["m1", "m2"].map { try String(contentsOfFile: "\(directory)/\($0).pid", encoding: .utf8) }
        let ping = try await detached {
            try ChildProcess.run([CeleriacBinary.url.path, "inspect", "ping", "-b", CeleriacBinary.amqpURL!,
                                  "-d", "m1@\(host),m2@\(host)", "--timeout", "3"])
        }
        #expect(ping.stdout.contains("m1@\(host)") && ping.stdout.contains("m2@\(host)"), "\(ping.stdout)\(ping.stderr)")

        let again = try await detached { try ChildProcess.run([CeleriacBinary.url.path, "multi", "start"] + common) }
        #expect(again.stdout.contains("already running"), "\(again.stdout)")
        let restarted = try await detached { try ChildProcess.run([CeleriacBinary.url.path, "multi", "restart"] + common) }
        #expect(restarted.status == 0 && restarted.stdout.contains("TERM ->"), "\(restarted.stdout)\(restarted.stderr)")
        let newPids = try ["m1", "m2"].map { try String(contentsOfFile: "\(directory)/\($0).pid", encoding: .utf8) }
        #expect(newPids != pids, "restart starts new processes")

        let stopped = try await detached { try ChildProcess.run([CeleriacBinary.url.path, "multi", "stopwait"] + common) }
        #expect(stopped.status == 0 && stopped.stdout.contains("> Waiting for"), "\(stopped.stdout)")
        #expect(!FileManager.default.fileExists(atPath: "\(directory)/m1.pid") && !FileManager.default.fileExists(atPath: "\(directory)/m2.pid"))
        for pid in newPids.compactMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
            #expect(kill(pid, 0) != 0, "worker \(pid) is gone")
        }
        let log = (try? String(contentsOfFile: "\(directory)/m1.log", encoding: .utf8)) ?? ""
        #expect(log.contains("m1@\(host) ready") && log.contains("stopped after"), "\(log)")
        let down = try await detached { try ChildProcess.run([CeleriacBinary.url.path, "multi", "stop"] + common) }
        #expect(down.stdout.contains(": DOWN"), "\(down.stdout)")
    }
}

enum NodeNameHost {
    static var current: String { ProcessInfo.processInfo.hostName }
}
