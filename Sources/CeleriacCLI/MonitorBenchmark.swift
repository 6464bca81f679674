import Celeriac
import CeleriacMonitor
import CeleriacTUI
import Foundation

/// The monitor benchmark's workload: a recorded stream of Celery events (JSON lines, as they
/// travel), merged into the cluster state the way the dashboard does, and the dashboard's
/// frame time with that state held.
struct MonitorBenchmark {
    struct Figures: Codable {
        var eventsPerSecond: Double
        var residentBytes: Int

        init(eventsPerSecond: Double, residentBytes: Int) {
            self.eventsPerSecond = eventsPerSecond
            self.residentBytes = residentBytes
        }

        /// The shape both benchmark children print: ours (`--replay`) and Celery's script.
        private enum CodingKeys: String, CodingKey {
            case eventsPerSecond = "events_per_s", residentBytes = "rss_bytes"
        }
    }

    /// Writes the stream: per task task-received, task-started, task-succeeded (every 20th
    /// fails), from 10 workers that heartbeat; the same bytes feed both monitors.
    static func record(tasks: Int, to path: String) throws {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        guard let file = FileHandle(forWritingAtPath: path) else { throw BenchError("cannot write \(path)") }
        defer { try? file.close() }
        var chunk = ""
        var clock = 0
        let start = 1_764_000_000.0
        for index in 0..<tasks {
            let worker = "worker\(index % 10)@bench"
            let id = String(format: "%08x-0000-4000-8000-%012x", index, index)
            let time = start + Double(index) * 0.001
            clock += 3
            let failed = index % 20 == 19
            let common = #""uuid": "\#(id)", "hostname": "\#(worker)", "pid": 4\#(index % 10), "utcoffset": 0"#
            chunk += #"{"type": "task-received", \#(common), "timestamp": \#(time), "clock": \#(clock - 2), "name": "bench.task\#(index % 7)", "args": "(\#(index), 2)", "kwargs": "{}", "retries": 0, "eta": null, "expires": null, "root_id": "\#(id)", "parent_id": null}"#
            chunk += "\n"
            chunk += #"{"type": "task-started", \#(common), "timestamp": \#(time + 0.0002), "clock": \#(clock - 1)}"#
            chunk += "\n"
            if failed {
                chunk += #"{"type": "task-failed", \#(common), "timestamp": \#(time + 0.0005), "clock": \#(clock), "exception": "ValueError('bad input \#(index)')", "traceback": "Traceback (most recent call last):\n  File \"bench.py\", line 1\nValueError: bad input"}"#
            } else {
                chunk += #"{"type": "task-succeeded", \#(common), "timestamp": \#(time + 0.0005), "clock": \#(clock), "result": "\#(index + 2)", "runtime": 0.0003}"#
            }
            chunk += "\n"
            if index % 1000 == 999 {
                for w in 0..<10 {
                    chunk += #"{"type": "worker-heartbeat", "hostname": "worker\#(w)@bench", "timestamp": \#(time), "freq": 2.0, "active": 1, "processed": \#(index / 10), "loadavg": [0.5, 0.4, 0.3], "sw_ident": "py-celery", "sw_ver": "5.7.0", "sw_sys": "Linux", "pid": 4\#(w), "clock": \#(clock), "utcoffset": 0}"#
                    chunk += "\n"
                }
            }
            if chunk.utf8.count > 1 << 20 {
                file.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        file.write(Data(chunk.utf8))
    }

    /// Reads the stream line by line, each line as one message, decoding and merging its
    /// event as the event feed does (on two threads: `EventPipeline`); timed until the last
    /// event is merged.
    static func replay(_ path: String, into store: MonitorStore) throws -> Figures {
        guard let data = FileManager.default.contents(atPath: path) else { throw BenchError("cannot read \(path)") }
        let before = residentBytes()  // after reading the file: only what the state adds counts
        var events = 0
        let clock = ContinuousClock()
        let pipeline = EventPipeline(store: store)
        defer { pipeline.finish() }
        let elapsed = try clock.measure {
            try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
                var lineStart = 0
                while lineStart < raw.count,
                      let newline = memchr(raw.baseAddress! + lineStart, 0x0A, raw.count - lineStart) {
                    let index = raw.baseAddress!.distance(to: newline)
                    let line = UnsafeRawBufferPointer(rebasing: raw[lineStart..<index])
                    lineStart = index + 1
                    try pipeline.submit(line, routingKey: "task.multi")
                    events += 1  // one event per line
                }
            }
            pipeline.drain()
        }
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return Figures(eventsPerSecond: Double(events) / seconds, residentBytes: residentBytes() - before)
    }

    /// Milliseconds per frame of the Tasks and Overview screens, drawn `frames` times.
    static func frameTimes(store: MonitorStore, frames: Int, columns: Int = 200, rows: Int = 60) -> [Double] {
        store.refreshTaskIndex(now: Date().timeIntervalSince1970, minimumInterval: 0)
        var times: [Double] = []
        let clock = ContinuousClock()
        for frame in 0..<frames {
            var state = DashboardState()
            state.screen = frame % 2 == 0 ? .tasks : .overview
            state.selection[.tasks] = frame * 97 % 50_000
            let elapsed = clock.measure {
                var grid = TextGrid(rows: rows, columns: columns)
                store.read { model in
                    DashboardView.draw(&grid, FrameContext(model: model, state: state, glyphs: .unicode,
                                                           now: 1_764_000_100, brokerLabel: "bench"))
                }
            }
            times.append(Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000)
        }
        return times.sorted()
    }

    /// This process's resident set, from /proc/self/statm.
    static func residentBytes() -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return 0 }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
