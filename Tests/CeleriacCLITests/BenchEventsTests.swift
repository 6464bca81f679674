@testable import CeleriacCLI
import Celeriac
import Testing

struct BenchEventsTests {
    /// Counting succeeded events in a batch as both senders write them.
    @Test func countsEachTaskSucceededInABatch() {
        let needle = Array(#""task-succeeded""#.utf8)
        var events: [UInt8] = Array("[".utf8)
        for (index, type) in ["task-received", "task-succeeded", "task-started", "task-succeeded"].enumerated() {
            if index > 0 { events += Array(", ".utf8) }
            events += Array(#"{"uuid": "\#(index)", "type": "\#(type)"}"#.utf8)
        }
        events += Array("]".utf8)
        #expect(BenchEvents.occurrences(of: needle, in: events) == 2)
        #expect(BenchEvents.occurrences(of: needle, in: Array(#"{"type":"task-succeeded"}"#.utf8)) == 1)
        #expect(BenchEvents.occurrences(of: needle, in: Array(#""task-succeede"#.utf8)) == 0)
        #expect(BenchEvents.occurrences(of: needle, in: []) == 0)
    }
}
