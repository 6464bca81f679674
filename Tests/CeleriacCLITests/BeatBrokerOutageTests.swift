import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac beat` through a broker outage: its `celeriac broker` is killed with SIGKILL and
/// started again on the same port and data dir. The beat does not exit: it says the broker is
/// unreachable, naming it, tries again, takes its lease back and sends on — the runs missed
/// meanwhile once, as Celery's beat does, never twice.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct BeatBrokerOutageTests {
    /// `tick`, every second, to a queue only the test reads.
    static func configuration(broker: String, queue: String, in directory: String) throws -> String {
        try BeatTests.writeConfiguration(broker: broker, in: directory, BeatTests.everySecond("tick", args: [4, 2], queue: queue))
    }

    static func lines(_ log: String) -> [Substring] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
    }

    /// "[2026-11-27 09:30:59,877: ERROR/Beat] …" → that moment.
    static func timestamp(_ line: Substring) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        return formatter.date(from: String(line.dropFirst().prefix(23)))
    }

    @Test func beatSurvivesABrokerRestartAndSendsAgain() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("beat-outage-\(UUID().uuidString.prefix(8))").path
        let first = try await BrokerProcess.start(dataDirectory: dataDirectory)
        defer { first.killIfRunning() }
        let directory = try BeatTests.directory()
        let queue = "beat-outage-\(UUID().uuidString.prefix(6).lowercased())"
        let config = try Self.configuration(broker: first.url, queue: queue, in: directory)
        let log = directory + "/beat.log"
        let beat = try BeatTests.startBeat(config: config, schedule: directory + "/schedule.json", log: log,
                                           pidFile: directory + "/beat.pid")
        defer { beat.stop() }
        let pid = try await BeatTests.pid(in: directory + "/beat.pid")
        try await BeatTests.waitForSends(log, entry: "tick", count: 2)

        try await first.kill9()
        let down = try await WorkerInteropTests.waitForLog(log, toContain: "is unreachable")
        let outage = try #require(down.split(separator: "\n").first { $0.contains("is unreachable") })
        #expect(outage.contains("the broker at amqp://guest@127.0.0.1:\(first.port)/"), "the line names the broker: \(outage)")
        #expect(!outage.contains("guest:guest"), "without its password: \(outage)")
        #expect(outage.contains("trying again in 2.00 seconds"), "\(outage)")
        // Still down at the second attempt, which comes after the first pause and says the next is longer.
        _ = try await WorkerInteropTests.waitForLog(log, toContain: "trying again in 4.00 seconds (attempt 2)")

        let second = try await BrokerProcess.start(dataDirectory: dataDirectory, port: first.port)
        defer { second.killIfRunning() }
        _ = try await WorkerInteropTests.waitForLog(log, toContain: "answers again; sending on with the lease taken again", timeout: 40)
        #expect(kill(pid, 0) == 0, "the beat is still running:\n\(Self.lines(log).joined(separator: "\n"))")

        // Each attempt after the pause the one before announced (2 s, 4 s, …), not sooner.
        let logged = Self.lines(log)
        for (index, line) in logged.enumerated() where line.contains("is unreachable") {
            let pause = try #require(Double(line.components(separatedBy: "trying again in ").last?.prefix { $0 != " " } ?? ""))
            let next = try #require(logged[(index + 1)...].first { $0.contains("is unreachable") || $0.contains("beat: sent ") })
            let waited = try #require(Self.timestamp(next)).timeIntervalSince(try #require(Self.timestamp(line)))
            #expect(waited >= pause - 0.1, "\(line)\n\(next)")
        }

        // Between the last failed attempt and the broker answering again: one send, the
        // catch-up of every run missed meanwhile (once, Celery's rule), at the moment it was sent.
        let lines = Self.lines(log)
        let lastFailure = try #require(lines.lastIndex { $0.contains("is unreachable") })
        let back = try #require(lines.firstIndex { $0.contains("answers again") })
        let catchUp = lines[lastFailure..<back].filter { $0.contains("beat: sent tick ") }
        #expect(catchUp.count == 1, "\(lines.joined(separator: "\n"))")

        // And on as before, each due moment sent once.
        let sentBefore = BeatTests.sends(in: [log], entry: "tick").count
        try await BeatTests.waitForSends(log, entry: "tick", count: sentBefore + 2)
        let due = BeatTests.sends(in: [log], entry: "tick")
        #expect(Set(due).count == due.count, "a due moment was sent twice: \(due)")
        #expect(due == due.sorted(), "\(due)")

        // The sends after the restart are on the restarted broker, in the queue.
        let id = try #require(catchUp.first.flatMap { $0.components(separatedBy: "demo.add[").last?.components(separatedBy: "]").first })
        let tap = try await TaskTap(broker: second.url, queue: queue)
        defer { tap.close() }
        var seen: [String] = []
        while !seen.contains(id) { seen.append(try await tap.waitFor(args: [4, 2]).id) }
        try await second.stop()
    }

    /// Started while its broker is down: the beat waits for it, saying so, instead of exiting.
    @Test func beatStartedBeforeItsBrokerWaitsForIt() async throws {
        let dataDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("beat-outage-\(UUID().uuidString.prefix(8))").path
        // A port a broker listened on, free again: where the beat's broker will be.
        let earlier = try await BrokerProcess.start(dataDirectory: dataDirectory)
        try await earlier.kill9()
        let directory = try BeatTests.directory()
        let queue = "beat-outage-\(UUID().uuidString.prefix(6).lowercased())"
        let config = try Self.configuration(broker: earlier.url, queue: queue, in: directory)
        let log = directory + "/beat.log"
        let beat = try BeatTests.startBeat(config: config, schedule: directory + "/schedule.json", log: log,
                                           pidFile: directory + "/beat.pid")
        defer { beat.stop() }
        let pid = try await BeatTests.pid(in: directory + "/beat.pid")
        _ = try await WorkerInteropTests.waitForLog(log, toContain: "the broker at amqp://guest@127.0.0.1:\(earlier.port)// is unreachable")
        _ = try await WorkerInteropTests.waitForLog(log, toContain: "(attempt 2)")
        #expect(kill(pid, 0) == 0, "the beat waits instead of exiting")

        let broker = try await BrokerProcess.start(dataDirectory: dataDirectory, port: earlier.port)
        defer { broker.killIfRunning() }
        try await BeatTests.waitForSends(log, entry: "tick", count: 2, timeout: 40)
        try await broker.stop()
    }
}
