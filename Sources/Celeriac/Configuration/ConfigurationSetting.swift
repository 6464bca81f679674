import Foundation

/// One setting by its Celery name: what values it allows and where it lands. Settings from
/// a file arrive typed (TOML); from the environment and flags they arrive as text.
struct ConfigurationSetting: Sendable {
    enum Kind: Sendable {
        case string, optionalString, bool, timezone, serializer, routes, beatSchedule
        /// One URL, a `;`-separated failover list, or a list of URLs (normalised to `;`-joined).
        case urlList
        /// One of a fixed set of words.
        case choice([String])
        case integer(ClosedRange<Int>), optionalInteger(ClosedRange<Int>)
        case seconds, optionalSeconds
    }

    let key: String
    let kind: Kind
    let apply: @Sendable (inout CeleriacConfiguration, JSONValue) -> Void

    var allowed: String {
        switch kind {
        case .string: return "a string"
        case .urlList: return "a URL, several separated by ;, or a list of URLs"
        case .choice(let words): return "one of " + words.joined(separator: ", ")
        case .optionalString: return "a string, or none"
        case .bool: return "true or false"
        case .timezone: return "an IANA time zone name such as UTC or Europe/Paris"
        case .serializer: return "json (the only serializer Celeriac speaks)"
        case .routes: return "a table of task name or glob → {queue, exchange, routing_key, priority}"
        case .beatSchedule: return "a table of entry name → {task, schedule (seconds or a duration such as '30 s') | crontab | solar, args, kwargs, …}"
        case .integer(let range): return "a whole number from \(range.lowerBound) to \(range.upperBound)"
        case .optionalInteger(let range): return "a whole number from \(range.lowerBound) to \(range.upperBound), or none"
        case .seconds: return "a number of seconds, 0 or more"
        case .optionalSeconds: return "a number of seconds above 0, or none"
        }
    }

    /// Checks a typed value; returns it normalised, or nil when the kind refuses it.
    func validate(_ value: JSONValue) -> JSONValue? {
        switch (kind, value) {
        case (.string, .string(let text)): return text.isEmpty ? nil : value
        case (.urlList, .string(let text)): return text.isEmpty ? nil : value
        case (.urlList, .array(let urls)):
            let texts = urls.compactMap(\.stringValue).filter { !$0.isEmpty }
            return texts.count == urls.count && !texts.isEmpty ? .string(texts.joined(separator: ";")) : nil
        case (.choice(let words), .string(let word)): return words.contains(word) ? value : nil
        case (.optionalString, .string), (.optionalString, .null): return value
        case (.bool, .bool): return value
        case (.timezone, .string(let name)): return name == "UTC" || TimeZone(identifier: name) != nil ? value : nil
        case (.serializer, .string(let name)): return name == "json" ? value : nil
        case (.serializer, .array(let names)): return names == ["json"] ? value : nil
        case (.routes, .object(let tables)), (.beatSchedule, .object(let tables)):
            return tables.values.allSatisfy { $0.objectValue != nil } ? value : nil
        case (.integer(let range), .int(let number)): return range.contains(number) ? value : nil
        case (.optionalInteger, .null): return value
        case (.optionalInteger(let range), .int(let number)): return range.contains(number) ? value : nil
        case (.seconds, _): return value.doubleValue.map { $0 >= 0 ? .double($0) : nil } ?? nil
        case (.optionalSeconds, .null): return value
        case (.optionalSeconds, _): return value.doubleValue.map { $0 > 0 ? .double($0) : nil } ?? nil
        default: return nil
        }
    }

    /// Turns environment or flag text into the value the kind expects.
    func value(fromText text: String) -> JSONValue? {
        let lowered = text.lowercased()
        switch kind {
        case .string, .timezone, .serializer, .urlList, .choice: return .string(text)
        case .optionalString: return lowered == "none" || text.isEmpty ? .null : .string(text)
        case .bool:
            if ["true", "1", "yes", "on"].contains(lowered) { return .bool(true) }
            if ["false", "0", "no", "off"].contains(lowered) { return .bool(false) }
            return nil
        case .routes, .beatSchedule: return try? JSONValue(parsing: text)
        case .integer: return Int(text).map(JSONValue.int)
        case .optionalInteger: return lowered == "none" || text.isEmpty ? .null : Int(text).map(JSONValue.int)
        case .seconds: return Double(text).map(JSONValue.double)
        case .optionalSeconds: return lowered == "none" || text.isEmpty ? .null : Double(text).map(JSONValue.double)
        }
    }
}
