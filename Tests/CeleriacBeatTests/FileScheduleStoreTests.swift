import CeleriacBeat
import Foundation
import Testing

/// The schedule file on a real file system: round trips, and clear errors for a file that
/// is damaged or from a newer celeriac.
@Suite struct FileScheduleStoreTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("beat-\(UUID().uuidString.prefix(8))").path
    }

    @Test func statesSurviveASaveAndALoad() throws {
        let store = FileScheduleStore(path: Self.path())
        defer { try? FileManager.default.removeItem(atPath: store.path) }
        #expect(try store.load().isEmpty, "no file yet: nothing has run")
        let states = ["a": PeriodicTaskState(lastRunAt: Date(timeIntervalSince1970: 1_800_000_000.5), totalRunCount: 3),
                      "b": PeriodicTaskState()]
        try store.save(states)
        #expect(try store.load() == states)
        #expect(!FileManager.default.fileExists(atPath: store.path + ".tmp"), "the temporary file was renamed into place")
    }

    @Test func aDamagedOrNewerFileIsNamedWithTheFix() throws {
        let store = FileScheduleStore(path: Self.path())
        defer { try? FileManager.default.removeItem(atPath: store.path) }
        try "{not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect { try store.load() } throws: { "\($0)".contains(store.path) && "\($0)".contains("move it aside") }
        try #"{"version": 2, "entries": {}}"#.write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: ScheduleStoreError.newerFile(path: store.path, version: 2)) { try store.load() }
    }

    @Test func anUnwritablePlaceSaysSo() {
        let store = FileScheduleStore(path: "/no-such-directory-\(UUID().uuidString)/beat-schedule")
        #expect { try store.save([:]) } throws: { "\($0)".contains("cannot be written") }
    }
}
