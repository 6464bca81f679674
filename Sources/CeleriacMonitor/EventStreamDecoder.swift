import Celeriac

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the events of one message from the event exchange — an object, or a `task.multi`
/// list — as `EventMessage.decode` does, but task events go straight from the bytes into a
/// `TaskEventUpdate`, skipping the fields the monitor does not keep. Any other event
/// (worker-*, or one the fast path cannot place) is read whole as a `CeleryEvent`, so both
/// paths accept and refuse the same events. Keep one per event stream: it remembers the
/// hostnames and task names it met, so each event reuses their strings.
public struct EventStreamDecoder: Sendable {
    /// One event of a message, handed over as soon as it is read. `json` is the event as it
    /// came (for the Events screen), borrowed from the message: valid during the call only.
    public enum Entry {
        case task(TaskEventUpdate, json: UnsafeRawBufferPointer)
        case other(CeleryEvent)
    }

    private var interner = StringInterner()

    public init() {}

    /// Calls `each` with the events of `body` in order; see the other `decode`.
    public mutating func decode(_ body: UnsafeRawBufferPointer, routingKey: String,
                                each: (Entry) -> Void) throws(CeleryEventError) {
        try decode(body, routingKey: routingKey, task: { update, json, id in
            var update = update
            if let id { update.uuid = String(decoding: id, as: UTF8.self) }
            each(.task(update, json: json))
        }, other: { each(.other($0)) })
    }

    /// Hands over the events of `body` in order — task events to `task` (the update moved,
    /// not copied), others to `other` — as Celery's receiver processes a batch: an entry that
    /// is not an event ends the message there, and the error names it (the events before it
    /// have been handed over). A task event's id comes as `idUTF8` (plain ASCII bytes, and
    /// `uuid` left empty) when no String of it was needed, so that a task already held is
    /// found without making one. `json` and `idUTF8` are parts of `body`.
    public mutating func decode(_ body: UnsafeRawBufferPointer, routingKey: String,
                                task: (_ update: consuming TaskEventUpdate, _ json: UnsafeRawBufferPointer,
                                       _ idUTF8: UnsafeRawBufferPointer?) -> Void,
                                other: (CeleryEvent) -> Void) throws(CeleryEventError) {
        var reader = JSONReader(body)
        var refusal: CeleryEventError?  // an entry that is JSON but not an event
        do {
            switch reader.peek() {
            case UInt8(ascii: "{"):
                try entry(&reader, routingKey: routingKey, index: nil, task: task, other: other)
            case UInt8(ascii: "["):
                var index = 0
                try reader.readArray { (reader) throws(JSONParseError) in
                    do {
                        try entry(&reader, routingKey: routingKey, index: index, task: task, other: other)
                        index += 1
                    } catch let error as JSONParseError {
                        throw error
                    } catch {
                        refusal = error as? CeleryEventError
                        throw reader.error("not an event")  // stops the list; `refusal` says why
                    }
                }
            default:
                // Neither an object nor a list: the generic reader says what it is.
                let value = try JSONValue(parsing: body)
                throw CeleryEventError.invalidBody(found: CeleryEventError.describe(value), routingKey: routingKey)
            }
            try reader.expectEnd()
        } catch let error as CeleryEventError {
            throw error
        } catch {
            if let refusal { throw refusal }
            throw .invalidJSON(error as? JSONParseError ?? reader.error("unreadable"), routingKey: routingKey)
        }
    }

    private mutating func entry(_ reader: inout JSONReader, routingKey: String, index: Int?,
                                task: (consuming TaskEventUpdate, UnsafeRawBufferPointer, UnsafeRawBufferPointer?) -> Void,
                                other: (CeleryEvent) -> Void) throws {
        reader.skipWhitespace()
        let start = reader.index
        guard reader.peek() == UInt8(ascii: "{") else {
            let value = try reader.readValue(depth: 1)
            throw CeleryEventError.invalidEvent(routingKey: routingKey, index: index,
                                                reason: .notAnObject(found: CeleryEventError.describe(value)))
        }
        var update = TaskEventUpdate(kind: .other(""), uuid: "")
        var fields = TaskEventFields()
        var members = try reader.beginObject(depth: 1)
        while true {
            var next = reader.nextShortKey(&members)
            if next == nil { next = try reader.nextKey(&members) }
            guard let key = next else { break }
            try fields.read(TaskEventKey(key), from: &reader, into: &update, interner: &interner)
        }
        let json = UnsafeRawBufferPointer(rebasing: reader.bytes[start..<reader.index])
        let (kind, idToken, rootToken) = (fields.kind, fields.idToken, fields.rootToken)
        var uuid = fields.uuid
        if let kind, let idToken, rootToken == nil {
            update.kind = kind
            task(update, json, idToken.raw)
            return
        }
        if let idToken { uuid = JSONReader.string(idToken.raw) }  // ASCII: always valid
        if let kind, var uuid {
            update.kind = kind
            update.uuid = uuid
            if let rootToken {
                let isSelf = rootToken.withBytes { root in
                    uuid.withUTF8 { id in root.count == id.count && (id.isEmpty || sameBytes(root.baseAddress!, id.baseAddress!, count: id.count)) }
                }
                guard let root = isSelf ? uuid : rootToken.validatedString else { throw reader.error("root_id is not valid UTF-8") }
                update.rootID = root
            }
            task(update, json, nil)
            return
        }
        // Worker events, and anything odd (no type, no uuid): read whole, which also says
        // exactly what is wrong with a bad one.
        do {
            other(try CeleryEvent(JSONValue(parsing: json)))
        } catch let error as CeleryEventError {
            throw CeleryEventError.invalidEvent(routingKey: routingKey, index: index, reason: error)
        }
    }
}

/// What one task event's members say beside its update, read member by member (kept out
/// of the member loop so that loop stays small enough for the key reader to be inlined).
private struct TaskEventFields {
    var kind: CeleryEvent.Kind?  // nil: not a task event (or no string type)
    var uuid: String?
    var idToken: JSONKey?  // a plain ASCII uuid, as bytes
    var rootToken: JSONKey?

    @inline(never)  // see above
    mutating func read(_ key: TaskEventKey?, from reader: inout JSONReader, into update: inout TaskEventUpdate,
                       interner: inout StringInterner) throws(JSONParseError) {
        switch key {
        case .type:
            guard reader.peek() == UInt8(ascii: "\"") else { kind = nil; try reader.skipValue(depth: 2); return }
            kind = EventStreamDecoder.taskKind(try reader.readStringToken())
        case .uuid:
            // Kept as bytes: most events are for a task already held, found without a String.
            uuid = nil
            idToken = nil
            guard reader.peek() == UInt8(ascii: "\"") else { try reader.skipValue(depth: 2); return }
            let token = try reader.readStringToken()
            if token.hasEscapes || !JSONReader.isASCII(token.raw) {
                guard let text = token.validatedString else { throw reader.error("uuid is not valid UTF-8") }
                uuid = text
            } else {
                idToken = token
            }
        case .hostname: update.hostname = try reader.readInterned(&interner)
        case .name: update.name = try reader.readInterned(&interner)
        case .rootID:
            // Usually the task's own id: compared with it later rather than copied.
            rootToken = nil
            update.rootID = nil
            if reader.peek() == UInt8(ascii: "\"") { rootToken = try reader.readStringToken() } else { try reader.skipValue(depth: 2) }
        case .timestamp: update.timestamp = try reader.readOptionalDouble()
        case .args: update.args = try reader.readOptionalString()
        case .kwargs: update.kwargs = try reader.readOptionalString()
        case .retries: update.retries = try reader.readOptionalInt()
        case .eta: update.eta = try reader.readOptionalString()
        case .expires: update.expires = try reader.readOptionalString()
        case .parentID: update.parentID = try reader.readOptionalString()
        case .result: update.result = try reader.readOptionalString()
        case .runtime: update.runtime = try reader.readOptionalDouble()
        case .exception: update.exception = try reader.readOptionalString()
        case .traceback: update.traceback = try reader.readOptionalString()
        case .queue: update.queue = try reader.readOptionalString()
        case .exchange: update.exchange = try reader.readOptionalString()
        case .routingKey: update.routingKey = try reader.readOptionalString()
        case .state: update.state = try reader.readOptionalString()
        case .meta: update.meta = try reader.readValue(depth: 2)
        case nil: try reader.skipValue(depth: 2)
        }
    }
}

extension EventStreamDecoder {
    /// The kind of a task-* type, matched on its bytes; nil for any other type.
    static func taskKind(_ token: JSONKey) -> CeleryEvent.Kind? {
        token.withBytes { raw -> CeleryEvent.Kind? in
            func equals(_ name: StaticString) -> Bool {
                raw.count == name.utf8CodeUnitCount && sameBytes(raw.baseAddress!, name.utf8Start, count: raw.count)
            }
            guard raw.count > 5, equals5(raw, "task-") else { return nil }
            switch raw.count {
            case 9 where equals("task-sent"): return .taskSent
            case 11 where equals("task-failed"): return .taskFailed
            case 12 where equals("task-started"): return .taskStarted
            case 12 where equals("task-retried"): return .taskRetried
            case 12 where equals("task-revoked"): return .taskRevoked
            case 13 where equals("task-received"): return .taskReceived
            case 13 where equals("task-progress"): return .taskProgress
            case 13 where equals("task-rejected"): return .taskRejected
            case 14 where equals("task-succeeded"): return .taskSucceeded
            default: return other(raw)
            }
        }
    }

    private static func equals5(_ raw: UnsafeRawBufferPointer, _ prefix: StaticString) -> Bool {
        sameBytes(raw.baseAddress!, prefix.utf8Start, count: 5)
    }

    /// A custom task-* type, kept by name; nil when not valid UTF-8 (read whole, it is refused).
    private static func other(_ raw: UnsafeRawBufferPointer) -> CeleryEvent.Kind? {
        JSONReader.string(raw).map { CeleryEvent.Kind(type: $0) }
    }
}

extension JSONReader {
    /// A string through `interner`, or nil for anything else (skipped).
    mutating func readInterned(_ interner: inout StringInterner) throws(JSONParseError) -> String? {
        guard peek() == UInt8(ascii: "\"") else {
            try skipValue()
            return nil
        }
        let start = index
        guard let string = interner.string(try readStringToken()) else {
            index = start
            throw error("string is not valid UTF-8")
        }
        return string
    }
}

/// The task-event fields the monitor keeps, matched on the key's length and its bytes read
/// as little-endian words (`JSONKey.head`/`tail`); the constants spell the names below.
enum TaskEventKey: CaseIterable {
    case type, uuid, hostname, timestamp, name, args, kwargs, retries, eta, expires, rootID, parentID
    case result, runtime, exception, traceback, queue, exchange, routingKey, state, meta

    @inline(always) init?(_ key: JSONKey) {
        if key.hasEscapes {
            self.init(escaped: key)
        } else {
            self.init(count: key.raw.count, head: key.head, tail: key.tail)
        }
    }

    private init?(escaped key: JSONKey) {
        guard var text = key.validatedString else { return nil }
        let words = text.withUTF8 { JSONKey.words(UnsafeRawBufferPointer($0)) }
        self.init(count: text.utf8.count, head: words.head, tail: words.tail)
    }

    @inline(always) init?(count: Int, head: UInt64, tail: UInt64) {
        switch (count, head) {
        case (3, 0x0000_0000_0061_7465): self = .eta  // "eta"
        case (4, 0x0000_0000_7367_7261): self = .args  // "args"
        case (4, 0x0000_0000_6174_656D): self = .meta  // "meta"
        case (4, 0x0000_0000_656D_616E): self = .name  // "name"
        case (4, 0x0000_0000_6570_7974): self = .type  // "type"
        case (4, 0x0000_0000_6469_7575): self = .uuid  // "uuid"
        case (5, 0x0000_0065_7565_7571): self = .queue  // "queue"
        case (5, 0x0000_0065_7461_7473): self = .state  // "state"
        case (6, 0x0000_7367_7261_776B): self = .kwargs  // "kwargs"
        case (6, 0x0000_746C_7573_6572): self = .result  // "result"
        case (7, 0x0073_6572_6970_7865): self = .expires  // "expires"
        case (7, 0x0073_6569_7274_6572): self = .retries  // "retries"
        case (7, 0x0064_695F_746F_6F72): self = .rootID  // "root_id"
        case (7, 0x0065_6D69_746E_7572): self = .runtime  // "runtime"
        case (8, 0x6567_6E61_6863_7865): self = .exchange  // "exchange"
        case (8, 0x656D_616E_7473_6F68): self = .hostname  // "hostname"
        case (9, 0x6F69_7470_6563_7865) where tail == 0x6E: self = .exception  // "exception"
        case (9, 0x695F_746E_6572_6170) where tail == 0x64: self = .parentID  // "parent_id"
        case (9, 0x6D61_7473_656D_6974) where tail == 0x70: self = .timestamp  // "timestamp"
        case (9, 0x6361_6265_6361_7274) where tail == 0x6B: self = .traceback  // "traceback"
        case (11, 0x5F67_6E69_7475_6F72) where tail == 0x79_656B: self = .routingKey  // "routing_key"
        default: return nil
        }
    }

    /// The key as sent, for checking the constants above.
    var name: String {
        switch self {
        case .rootID: "root_id"
        case .parentID: "parent_id"
        case .routingKey: "routing_key"
        default: "\(self)"
        }
    }
}
