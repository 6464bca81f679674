import Celeriac
import CeleriacMonitor

/// The Beat screen's small form: one entry's schedule, args and kwargs as text, edited in
/// place and sent to its beat (`beat_edit`) once confirmed.
public struct BeatEntryForm: Sendable, Hashable {
    public enum Field: Int, CaseIterable, Sendable {
        case schedule, args, kwargs

        public var label: String {
            switch self {
            case .schedule: return "Schedule"
            case .args: return "Args"
            case .kwargs: return "Kwargs"
            }
        }
    }

    public let node: String
    public let entry: String
    /// The text of each field, by `Field.rawValue`.
    public var values: [String]
    public var focus = Field.schedule
    /// Why Enter did not go on, shown in the form until the next edit.
    public var problem: String?

    /// The form for an entry as its beat last described it.
    public init(node: String, entry: BeatRecord.Entry) {
        self.node = node
        self.entry = entry.name
        values = [entry.spec ?? "", JSONValue.array(entry.args).serialized, JSONValue.object(entry.kwargs).serialized]
    }

    public func value(_ field: Field) -> String { values[field.rawValue] }

    /// Tab and the arrows move between fields; other keys edit the focused one.
    mutating func move(by step: Int) {
        let count = Field.allCases.count
        focus = Field(rawValue: (focus.rawValue + step + count) % count)!
    }

    /// The edit it asks for, or which field is wrong and how; the schedule itself is checked
    /// by the beat, which answers with the reason when it refuses.
    func action() throws(DashboardCommandError) -> DashboardAction {
        let schedule = value(.schedule).trimmingCharacters(in: .whitespaces)
        guard !schedule.isEmpty else { throw .invalid("Schedule is empty: e.g. every 30 s, cron */5 * * * *, solar sunset 52.5 13.4") }
        guard let args = (try? JSONValue(parsing: value(.args)))?.arrayValue else {
            throw .invalid("Args must be a JSON list, e.g. [2, 3] — got \(value(.args))")
        }
        guard let kwargs = (try? JSONValue(parsing: value(.kwargs)))?.objectValue else {
            throw .invalid("Kwargs must be a JSON object, e.g. {\"x\": 1} — got \(value(.kwargs))")
        }
        return .editBeatEntry(entry, node: node, schedule: schedule, args: args, kwargs: kwargs)
    }
}
