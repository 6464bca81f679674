@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

/// The fast decoder must read every message exactly as the generic path
/// (`EventMessage.decode` + `TaskEventUpdate(CeleryEvent)`) does, and refuse the same ones.
@Suite struct EventStreamDecoderTests {
    /// An event as decoded, kept past the decoder's call (the JSON copied out).
    enum Decoded {
        case task(TaskEventUpdate, json: [UInt8])
        case other(CeleryEvent)
    }

    func decode(_ text: String, routingKey: String = "task.multi") throws(CeleryEventError) -> [Decoded] {
        var decoder = EventStreamDecoder()
        var decoded: [Decoded] = []
        try Array(text.utf8).withUnsafeBytes { raw in
            Result { () throws(CeleryEventError) in
                try decoder.decode(raw, routingKey: routingKey) { entry in
                    switch entry {
                    case .task(let update, let json): decoded.append(.task(update, json: Array(json)))
                    case .other(let event): decoded.append(.other(event))
                    }
                }
            }
        }.get()
        return decoded
    }

    /// What the generic path makes of the same text.
    func generic(_ text: String) throws -> [Decoded] {
        try EventMessage.decode(routingKey: "task.multi", body: Array(text.utf8), contentType: "application/json").map { event in
            TaskEventUpdate(event).map { .task($0, json: []) } ?? .other(event)
        }
    }

    func expectSame(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let fast = try decode(text)
        let slow = try generic(text)
        #expect(fast.count == slow.count, sourceLocation: sourceLocation)
        for (a, b) in zip(fast, slow) {
            // What gets merged is what counts: an odd task event the fast path leaves whole
            // (type "task", say) is merged through the same update.
            #expect(merged(a) == merged(b), sourceLocation: sourceLocation)
            if case .task(let update, let json) = a {
                // The kept JSON is the event itself, readable again for the Events screen.
                #expect(TaskEventUpdate(try CeleryEvent(JSONValue(parsing: json))) == update, sourceLocation: sourceLocation)
            }
            if case .other(let event) = b, event.task == nil {
                guard case .other(let same) = a else {
                    Issue.record("\(event.type) read as a task event", sourceLocation: sourceLocation)
                    continue
                }
                #expect(same == event, sourceLocation: sourceLocation)
            }
        }
    }

    func merged(_ entry: Decoded) -> TaskEventUpdate? {
        switch entry {
        case .task(let update, _): update
        case .other(let event): TaskEventUpdate(event)
        }
    }

    @Test func everyCapturedEventDecodesAsTheGenericPathDoes() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/celery-amqp")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.contains("event-") && $0.hasSuffix(".json") }.sorted()
        var tasks = 0
        for name in names {
            let file = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent(name)))
            let body = try #require(file["body"]).serialized
            try expectSame(body)
            tasks += try decode(body).filter { if case .task = $0 { true } else { false } }.count
        }
        #expect(tasks >= 30, "the captures hold task events of every kind")
    }

    @Test func everyKeptFieldIsRead() throws {
        let event = #"""
            {"type": "task-sent", "uuid": "u-1", "hostname": "gen1@h", "timestamp": 1764000000.25, "name": "proj.add",
             "args": "(1, 'é')", "kwargs": "{'x': 1}", "retries": 2, "eta": "2026-11-25T12:00:00+00:00",
             "expires": "2026-11-26T00:00:00+00:00", "root_id": "r-1", "parent_id": "p-1", "result": "3",
             "runtime": 0.5, "exception": "ValueError('x')", "traceback": "Traceback:\n  x", "queue": "q",
             "exchange": "", "routing_key": "q", "state": "PROGRESS", "meta": {"done": [1, 2]},
             "clock": 7, "pid": 42, "utcoffset": -0.0, "unknown": {"deep": [true, null]}}
            """#
        try expectSame(event)
        guard case .task(let update, _) = try decode(event).first else { Issue.record("not a task event"); return }
        #expect(update.kind == .taskSent)
        #expect(update.name == "proj.add" && update.args == "(1, 'é')" && update.retries == 2)
        #expect(update.rootID == "r-1" && update.parentID == "p-1" && update.routingKey == "q" && update.exchange == "")
        #expect(update.meta == ["done": [1, 2]])
        #expect(update.timestamp == 1_764_000_000.25)
    }

    @Test func oddFieldsReadAsTheGenericPathReadsThem() throws {
        for event in [
            #"{"type": "task-started", "uuid": "u", "retries": "two", "runtime": 1, "timestamp": "noon", "name": 5}"#,
            #"{"type": "task-started", "uuid": "u", "retries": 2.0, "root_id": "u", "hostname": null}"#,
            #"{"uuid": "u", "type": "task-succeeded", "result": "a\"b\\c\u00e9\ud83d\ude00", "uuid": "v"}"#,
            #"{"type": "task-custom-thing", "uuid": "u"}"#,
            #"{"type": "task-progress", "uuid": "u", "state": "PROGRESS", "meta": null}"#,
            #"{"type": "worker-heartbeat", "hostname": "w@h", "freq": 2.0, "loadavg": [0.1, 0.2, 0.3]}"#,
            #"{"type": "task-started"}"#,
            #"{"type": "task", "uuid": "u"}"#,
            #"{"type": "task-started", "uuid": 5}"#,
            #"[{"type": "task-received", "uuid": "a", "timestamp": 1e3}, {"type": "task-started", "uuid": "a"}]"#,
            #"[]"#,
            #"{"typ\u0065": "task-received", "\u0075uid": "esc", "na\u006de": "n", "\u0072oot_id": "esc"}"#,
            #"{"type": "task-received", "uuid": "k", "a_key_longer_than_sixteen_bytes": 1, "ab": 2}"#,
        ] {
            try expectSame(event)
        }
    }

    @Test func rootIDOfTheTaskItselfSharesTheID() throws {
        guard case .task(let update, _) = try decode(#"{"type": "task-received", "uuid": "abc", "root_id": "abc"}"#).first
        else { Issue.record("not a task event"); return }
        #expect(update.rootID == "abc")
    }

    @Test(arguments: [
        (#"[{"type": "task-started", "uuid": "a"}, 5]"#, "entry 1"),
        (#"[{"uuid": "a"}]"#, "entry 0"),
        (#"{"type": ""}"#, "type"),
        (#""just a string""#, "string"),
        (#"{"type": "task-started", "uuid": "a""#, "invalid JSON"),
        (#"{"type": "task-started", "uuid": "a"} trailing"#, "invalid JSON"),
    ])
    func badMessagesAreRefusedWholeAsTheGenericPathRefusesThem(text: String, mention: String) {
        var fast: CeleryEventError?
        do { _ = try decode(text) } catch { fast = error }
        var slow: (any Error)?
        do { _ = try generic(text) } catch { slow = error }
        #expect(fast != nil)
        #expect(slow != nil)
        #expect(fast.map { "\($0)" } == slow.map { "\($0)" })
    }

    @Test func fastPathEventsMergeAndShowAsOthersDo() throws {
        let text = #"{"type": "task-succeeded", "uuid": "u-9", "hostname": "w@h", "timestamp": 1764000000.5, "result": "5", "runtime": 0.25}"#
        var fast = MonitorModel()
        var slow = MonitorModel()
        var decoder = EventStreamDecoder()
        try Array(text.utf8).withUnsafeBytes { try fast.apply(message: $0, routingKey: "task.multi", decoder: &decoder) }
        slow.apply(try CeleryEvent(JSONValue(parsing: text)))
        #expect(fast.eventLog.lines(last: 1) == slow.eventLog.lines(last: 1))
        #expect(fast.eventLog.lines(last: 1).first?.contains("result='5'") == true)
        #expect(fast.cluster.tasks["u-9"] == slow.cluster.tasks["u-9"])
        #expect(fast.cluster.workers.keys.sorted() == ["w@h"])
    }

    /// A task's events merged through the decoder — ids found as bytes, as Strings when
    /// they are not plain ASCII — leave the same state as merging the parsed events.
    @Test func aTasksEventsMergeAsTheParsedEventsDo() throws {
        let messages = [
            #"[{"type": "task-received", "uuid": "t-1", "root_id": "t-1", "name": "n", "hostname": "w@h", "timestamp": 1.5}]"#,
            #"[{"type": "task-started", "uuid": "t-1", "hostname": "w@h", "timestamp": 2.5}, {"type": "task-received", "uuid": "t-ü", "hostname": "w@h"}]"#,
            #"{"type": "task-succeeded", "uuid": "t-1", "result": "3", "runtime": 0.5, "hostname": "w@h", "timestamp": 3.5}"#,
            #"{"type": "task-failed", "uuid": "t-ü", "exception": "KeyError('k')", "hostname": "w@h"}"#,
            #"{"type": "task-received", "uuid": "t-2", "parent_id": "t-1", "hostname": "w@h"}"#,
        ]
        var fast = MonitorModel()
        var slow = MonitorModel()
        var decoder = EventStreamDecoder()
        for text in messages {
            try Array(text.utf8).withUnsafeBytes { try fast.apply(message: $0, routingKey: "task.multi", decoder: &decoder) }
            for event in try EventMessage.decode(routingKey: "task.multi", body: Array(text.utf8), contentType: nil) {
                slow.apply(event)
            }
        }
        #expect(fast.cluster.tasks.count == 3)
        for id in ["t-1", "t-ü", "t-2"] {
            #expect(fast.cluster.tasks[id] == slow.cluster.tasks[id], "\(id)")
        }
        #expect(fast.cluster.tasks["t-1"]?.state == .success && fast.cluster.tasks["t-ü"]?.state == .failure)
        #expect(fast.cluster.childrenByParent == slow.cluster.childrenByParent)
        #expect(fast.cluster.countsByState == slow.cluster.countsByState)
    }

    /// As Celery's receiver: the events before a bad entry of a batch are merged, the rest
    /// of the message is not, and the error names the entry.
    @Test func aBadEntryEndsItsBatchThere() throws {
        let text = #"[{"type": "task-received", "uuid": "a1", "name": "n"}, 7, {"type": "task-received", "uuid": "a2"}]"#
        var model = MonitorModel()
        var decoder = EventStreamDecoder()
        #expect(throws: CeleryEventError.self) {
            try Array(text.utf8).withUnsafeBytes { try model.apply(message: $0, routingKey: "task.multi", decoder: &decoder) }
        }
        #expect(model.cluster.tasks["a1"]?.name == "n")
        #expect(model.cluster.tasks["a2"] == nil)
    }

    /// The Events screen's ring of JSON bytes: old events give way, lines stay whole.
    @Test func theEventLogKeepsTheLatestJSON() throws {
        var log = EventLog(capacity: 4)
        for index in 0..<50 {
            let text = #"{"type": "task-started", "uuid": "id-\#(index)", "hostname": "w@h", "timestamp": 1764000000, "pad": "\#(String(repeating: "x", count: index * 37 % 400))"}"#
            Array(text.utf8).withUnsafeBytes { log.add(json: $0) }
        }
        let lines = log.lines(last: 4)
        #expect(lines.count == 4)
        #expect(lines.last?.contains("uuid='id-49'") == true)
        #expect(lines.allSatisfy { $0.contains("task-started") })
    }

    /// The constants in TaskEventKey spell the field names.
    @Test func everyKnownKeyMatchesItsName() {
        for field in TaskEventKey.allCases {
            var name = field.name
            let words = name.withUTF8 { JSONKey.words(UnsafeRawBufferPointer($0)) }
            #expect(TaskEventKey(count: name.utf8.count, head: words.head, tail: words.tail) == field, "\(name)")
        }
        #expect(TaskEventKey(count: 4, head: 0x6469_7576, tail: 0) == nil, "uuiv")
    }
}

@Suite struct JSONReaderTests {
    func value(_ text: String) throws -> JSONValue { try JSONValue(parsing: text) }

    @Test func decimalsReadExactlyAsStrtodReadsThem() throws {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let digits = Int.random(in: 1...17, using: &generator)
            var text = String((0..<digits).map { _ in Character(String(Int.random(in: 0...9, using: &generator))) })
            let point = Int.random(in: 0..<digits, using: &generator)
            text.insert(".", at: text.index(text.startIndex, offsetBy: point))
            if text.hasPrefix(".") { text = "0" + text }
            if text.hasSuffix(".") { text += "0" }
            if Bool.random(using: &generator) { text = "-" + text }
            #expect(try value(text) == .double(strtod(text, nil)), "\(text)")
        }
        #expect(try value("1764000000.0002") == .double(1_764_000_000.0002))
        #expect(try value("1e999") == .double(.infinity))
    }

    @Test func integersAtTheEdges() throws {
        #expect(try value("-9223372036854775808") == .int(.min))
        #expect(try value("9223372036854775807") == .int(.max))
        #expect(try value("9223372036854775808") == .bigInteger("9223372036854775808"))
        #expect(try value("-0") == .int(0))
    }

    /// The eight-at-a-time scan must still see a quote, backslash or control byte at any
    /// offset, and keep UTF-8 whole.
    @Test func stringsEndAndEscapeAtEveryOffset() throws {
        for length in 0..<24 {
            let plain = String(repeating: "a", count: length)
            #expect(try value("\"\(plain)\"") == .string(plain))
            #expect(try value("\"\(plain)\\n\(plain)\"") == .string(plain + "\n" + plain))
            #expect(try value("\"\(plain)é✓😀\(plain)\"") == .string(plain + "é✓😀" + plain))
            #expect(throws: JSONParseError.self) { try value("\"\(plain)\u{01}\(plain)\"") }
            #expect(throws: JSONParseError.self) { try value("\"\(plain)") }
        }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: [0x22, 0xFF, 0xFE, 0x22]) }
    }

    /// Keys of every length up to past sixteen bytes, plain and escaped, near the end of the
    /// input and far from it, read whole (the sixteen-byte fast path and the scan agree).
    @Test func keysOfEveryLengthReadWhole() throws {
        for length in 0..<22 {
            let key = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            #expect(try value("{\"\(key)\": 1}") == [key: 1], "\(length)")
            #expect(try value("{\"\(key)\":1}") == [key: 1], "\(length), at the end")
            #expect(try value("{\"\(key)\\n\": 1, \"padding to go past sixteen bytes\": 2}")
                    == [key + "\n": 1, "padding to go past sixteen bytes": 2], "\(length), escaped")
            #expect(try value("{\"\(key)é\": 1, \"x\": [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]}")["\(key)é"] == 1, "\(length), UTF-8")
            #expect(throws: JSONParseError.self) { try value("{\"\(key)\u{01}\": 1, \"x\": [0, 0, 0, 0, 0, 0, 0, 0]}") }
        }
    }

    @Test func skippingChecksWhatItSkips() throws {
        #expect(throws: JSONParseError.self) { try value(#"{"a": 1.}"#) }
        #expect(throws: JSONParseError.self) { try value(#"{"a": 01x}"#) }
        #expect(try value(#"{"a": 12, "b": [1.5e3, -2]}"#) == ["a": 12, "b": [1500.0, -2]])
    }
}

@Suite struct TaskTableTests {
    @Test func removalsKeepEveryOtherRecordFindable() {
        var table = TaskTable()
        var model: [String: Int] = [:]
        var generator = SystemRandomNumberGenerator()
        for step in 0..<30_000 {
            let id = "t\(Int.random(in: 0..<3000, using: &generator))"
            if Bool.random(using: &generator) {
                var record = TaskRecord(id: id, sequence: step)
                record.retries = step
                table.insert(record)
                model[id] = step
            } else {
                #expect(table.remove(id)?.retries == model.removeValue(forKey: id))
            }
        }
        #expect(table.count == model.count)
        for (id, step) in model { #expect(table[id]?.retries == step) }
        #expect(Set(table.values.map(\.id)) == Set(model.keys))
    }
}

@Suite struct TaskStateTests {
    @Test func customStatesCompareByNameAndCelerysByRank() throws {
        #expect(TaskState("SUCCESS") == .success)
        #expect(TaskState("PROGRESS") == TaskState("PROGRESS"))
        #expect(TaskState("PROGRESS") != TaskState("UPLOADING"))
        #expect(TaskState("PROGRESS").precedence == 2 && !TaskState("PROGRESS").isReady)
        #expect(Set<TaskState>([.success, "SUCCESS", "PROGRESS", "UPLOADING"]).count == 3)
        let encoded = try JSONEncoder().encode([TaskState.failure, "PROGRESS"])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["FAILURE","PROGRESS"]"#)
        #expect(try JSONDecoder().decode([TaskState].self, from: encoded) == [.failure, "PROGRESS"])
    }

    /// The named constants carry their rank ready-made: it must be the one their name gives.
    @Test func namedStatesRankAsTheirNames() {
        let named: [TaskState] = [.pending, .received, .started, .success, .failure, .retry, .revoked, .rejected]
        for state in named {
            #expect(TaskState(rawValue: state.rawValue).precedence == state.precedence, "\(state)")
            #expect(!TaskState.isCustom(rank: state.precedence), "\(state)")
        }
        #expect(Set(named.map(\.precedence)).count == named.count)
        #expect(Set(named) == TaskState.celeryStates)
    }
}

@Suite struct TaskIDIndexTests {
    /// Ids whose hashes all share one home slot: removing from the middle of the chain must
    /// leave the rest findable (backward-shift deletion), across growth too.
    @Test func collidingChainsSurviveRemovals() {
        var index = TaskIDIndex()
        var ids: [Int: String] = [:]
        let sameHome: (Int) -> UInt64 = { UInt64($0) << 32 | 5 }  // low bits equal: one home slot
        for position in 0..<40 {
            ids[position] = "id\(position)"
            index.insert(hash: sameHome(position), position: position)
        }
        for position in stride(from: 0, to: 40, by: 3) {
            index.remove(hash: sameHome(position), position: position)
            ids[position] = nil
        }
        #expect(index.count == ids.count)
        for (position, id) in ids {
            #expect(index.find(id, hash: sameHome(position)) { ids[$0] ?? "" } == position)
        }
        #expect(index.find("id0", hash: sameHome(0)) { ids[$0] ?? "" } == nil)
    }
}
