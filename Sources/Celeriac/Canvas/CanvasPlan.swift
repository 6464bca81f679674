/// What applying a signature publishes, worked out before anything is sent: the task
/// messages in order, and the chord sizes the result backend must hold before a header's
/// tasks can finish. Pure data, so a test can compare it with what Celery sent.
public struct CanvasPlan: Sendable, Hashable {
    /// One task message to publish.
    public struct Message: Sendable, Hashable {
        public var name: String
        /// The name routes are looked up by, when not `name` (a starmap goes where its task goes).
        public var routeName: String?
        public var args: [JSONValue]
        public var kwargs: [String: JSONValue]
        public var options: TaskSendOptions
        /// The reply queue frozen into the signature (Celery's `reply_to` option).
        public var replyTo: String?
    }

    /// A chord's header group and how many results complete it.
    public struct ChordSize: Sendable, Hashable {
        public var groupID: String
        public var size: Int
    }

    public internal(set) var messages: [Message] = []
    public internal(set) var chordSizes: [ChordSize] = []
    /// The result the caller waits on: the task, the last task of a chain, a chord's body,
    /// or a group's members.
    public internal(set) var result: CanvasResultID = .task("")

    /// Whether a chord is started, which needs a result backend that counts its parts.
    public var startsChords: Bool { !chordSizes.isEmpty || messages.contains { $0.options.chord != nil } }
}

/// The id of what a canvas returns: one task, or a group of results in order.
public indirect enum CanvasResultID: Sendable, Hashable {
    case task(String)
    case group(String, [CanvasResultID])

    public var id: String {
        switch self {
        case .task(let id), .group(let id, _): return id
        }
    }
}

/// Why a canvas cannot be applied.
public enum CanvasError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidSignature(SignatureError)
    case linkOnGroup
    /// Celery's rpc:// backend refuses chords, and so do we, with its words (nil: no
    /// result backend at all, which Celery refuses too).
    case chordsNeedAStoredBackend(backend: String?)

    public var description: String {
        switch self {
        case .invalidSignature(let error): return "invalid signature: \(error)"
        case .linkOnGroup:
            return "cannot add link to a group: use a chord (group | task), or link the group's tasks one by one"
        case .chordsNeedAStoredBackend(let backend):
            // Celery's E_NO_CHORD_SUPPORT and E_CHORD_NO_BACKEND, then what to set here.
            let refusal = backend.map { "The \"\($0)\" result backend does not support chords!" }
                ?? "Starting chords requires a result backend to be configured."
            return refusal + " Note that a group chained with a task is also upgraded to be a chord, as this pattern"
                + " requires synchronization. Set result_backend to redis://HOST or db+sqlite:///PATH."
        }
    }
}
