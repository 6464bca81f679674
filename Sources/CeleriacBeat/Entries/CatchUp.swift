/// What an entry does about runs it missed: due while no beat ran, or while the beat could
/// not reach the broker. A run is missed when the beat could not send it at the first look
/// it took after the run fell due.
///
/// Written `once`, `skip` or `replay N` — in `beat_schedule` (`catch_up = "skip"`), in
/// `celeriac beat add|edit --catch-up`, and for the beat's default `beat_catch_up` in
/// celeriac.toml or `celeriac beat --catch-up`.
public enum CatchUp: Sendable, Hashable {
    /// One run for all those missed, sent at once, and the schedule counts on from then:
    /// Celery's beat (its `is_due` says due once, however late), and the default.
    case once
    /// Missed runs are dropped; the entry waits for its next due time.
    case skip
    /// Up to this many of the latest missed runs are sent, oldest first, each recorded at its
    /// own due moment; older ones are dropped.
    case replay(Int)

    /// Celery's behaviour.
    public static let `default` = CatchUp.once
    /// A typo such as `replay 100000` would flood the queue after a long stop.
    public static let replayLimit = 1_000

    public init(spec: String) throws(CatchUpError) {
        let words = spec.lowercased().split(whereSeparator: { $0.isWhitespace || $0 == ":" || $0 == "=" }).map(String.init)
        switch words.first {
        case "once" where words.count == 1: self = .once
        case "skip" where words.count == 1: self = .skip
        case "replay" where words.count == 2:
            guard let count = Int(words[1]), (1...Self.replayLimit).contains(count) else { throw .invalid(spec) }
            self = .replay(count)
        default: throw .invalid(spec)
        }
    }

    /// The beat's default rule: `celeriac beat --catch-up` if given, else `beat_catch_up` from
    /// the configuration, else `.default`. A bad value is named by where it came from.
    public static func beatDefault(flag: String?, configured: String?) throws(CatchUpError) -> CatchUp {
        if let flag {
            do { return try CatchUp(spec: flag) } catch { throw .invalidIn(source: "--catch-up", flag) }
        }
        if let configured {
            do { return try CatchUp(spec: configured) } catch { throw .invalidIn(source: "beat_catch_up", configured) }
        }
        return .default
    }

    /// What `init(spec:)` reads back: "once", "skip", "replay 3".
    public var spec: String {
        switch self {
        case .once: return "once"
        case .skip: return "skip"
        case .replay(let count): return "replay \(count)"
        }
    }

    public var words: String {
        switch self {
        case .once: return "missed runs run once"
        case .skip: return "missed runs are skipped"
        case .replay(let count): return "up to \(count) missed run\(count == 1 ? "" : "s") replayed"
        }
    }
}

public enum CatchUpError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)
    /// A bad beat-wide rule, with the flag or setting it came from.
    case invalidIn(source: String, String)

    public var description: String {
        switch self {
        case .invalid(let spec): return Self.fix(spec)
        case .invalidIn(let source, let spec): return "\(source): " + Self.fix(spec)
        }
    }

    private static func fix(_ spec: String) -> String {
        "catch-up '\(spec)': write once (run missed runs once, Celery's default), skip (wait for the next due time) or replay N (the latest N missed runs, N from 1 to \(CatchUp.replayLimit))"
    }
}
