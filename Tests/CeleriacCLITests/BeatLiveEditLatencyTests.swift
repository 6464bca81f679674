import Celeriac
import CeleriacBeat
import CeleriacTestSupport
import Foundation
import Testing

/// "Within a second or two": the time from an edit's commit in the database store to the
/// running beat's log line saying it took the edit in, measured on a real beat process and
/// a real SQLite file, and bounded at 2 s.
extension BeatTests {
    /// When a beat log line was written: its `[2026-11-27 09:30:00,123: INFO/Beat]` stamp, in
    /// the local time zone the beat (a child of this process) logs in.
    static func loggedAt(_ line: Substring) -> Date? {
        guard line.hasPrefix("["), let colon = line.range(of: ": ") else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        return formatter.date(from: String(line[line.index(after: line.startIndex)..<colon.lowerBound]))
    }

    /// The first line of `log` after `skipping` lines that contains `text`, and its stamp.
    static func waitForLine(_ log: String, containing text: String, after skipping: Int,
                            timeout: Double = 10) async throws -> (line: Substring, at: Date, index: Int) {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n")
            if let index = lines.indices.first(where: { $0 >= skipping && lines[$0].contains(text) }) {
                let at = try #require(Self.loggedAt(lines[index]), "no time stamp on: \(lines[index])")
                return (lines[index], at, index)
            }
            try await Task.sleep(for: .milliseconds(20))  // polling a file another process writes
        }
        throw TmuxError("no line with \(text) after line \(skipping) within \(timeout) s:\n\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    /// Five edits of `tick`'s args, each committed by this process on the database file while
    /// the beat runs; for each, the time from just before the commit to the beat's
    /// "tick changed" line, and to its log line of the first send with the new args.
    @Test func aLiveEditIsTakenInWithinTwoSeconds() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-latency-\(UUID().uuidString.prefix(8).lowercased())"
            let config = try Self.databaseConfiguration(broker: broker, queue: queue, in: directory)
            let database = directory + "/beat.db"
            let (beat, log) = try Self.startDatabaseBeat(config: config, database: database, directory: directory)
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "tick", count: 1)
            let tap = try await TaskTap(broker: broker, queue: queue)
            defer { tap.close() }
            let store = try DatabaseScheduleStore(path: database)

            var seen: [Double] = []
            var sent: [Double] = []
            for round in 1...5 {
                var tick = try #require(try await store.load().entries.first { $0.name == "tick" })
                tick.args = [.int(round), .int(round)]
                let linesBefore = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
                // Taken before the commit: the figure is an upper bound on the beat's delay.
                let committing = Date()
                try await store.update(tick)
                let changed = try await Self.waitForLine(log, containing: "beat: tick changed: demo.add", after: linesBefore)
                let message = try await tap.waitFor(args: [.int(round), .int(round)])
                let send = try await Self.waitForLine(log, containing: "[\(message.id)]) due ", after: linesBefore)
                seen.append(changed.at.timeIntervalSince(committing))
                sent.append(send.at.timeIntervalSince(committing))
            }
            let figures = "edit commit → 'tick changed': \(seen.map { String(format: "%.3f", $0) }) s; → first send with the new args: \(sent.map { String(format: "%.3f", $0) }) s"
            print("beat live-edit latency: \(figures)")
            #expect(seen.allSatisfy { $0 <= 2.0 }, "an edit took longer than 2 s to be seen: \(figures)")
            // The log's stamps are whole milliseconds, truncated: allow that much before the commit.
            #expect(seen.allSatisfy { $0 > -0.001 }, "a change logged before its commit: \(figures)")
        }
    }
}
