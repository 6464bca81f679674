import ArgumentParser
import Celeriac
import Foundation

/// Turns flag text into values, with errors that point at the flag and the mistake.
enum CLIValues {
    static func jsonList(_ text: String, option: String) throws -> [JSONValue] {
        let value = try json(text, option: option)
        guard let list = value.arrayValue else {
            throw ValidationError("\(option) must be a JSON list such as '[2, 3]', got \(text)")
        }
        return list
    }

    static func jsonObject(_ text: String, option: String) throws -> [String: JSONValue] {
        let value = try json(text, option: option)
        guard let object = value.objectValue else {
            throw ValidationError("\(option) must be a JSON object such as '{\"x\": 1}', got \(text)")
        }
        return object
    }

    static func json(_ text: String, option: String) throws -> JSONValue {
        do {
            return try JSONValue(parsing: text)
        } catch {
            let pointer = String(repeating: " ", count: min(error.offset, 60)) + "^"
            throw ValidationError("\(option) is not valid JSON: \(error.reason)\n  \(text)\n  \(pointer)")
        }
    }

    static func date(_ text: String, option: String) throws -> Date {
        guard let date = CeleryTime.parse(text) else {
            throw ValidationError("\(option) '\(text)' is not an ISO 8601 time such as 2026-11-25T12:00:00+00:00")
        }
        return date
    }

    /// Seconds from now, or an ISO 8601 time.
    static func expiry(_ text: String, option: String) throws -> Date {
        if let seconds = Double(text) {
            guard seconds > 0 else { throw ValidationError("\(option) must be more than 0 seconds") }
            return Date().addingTimeInterval(seconds)
        }
        return try date(text, option: option)
    }
}

/// A failure after the arguments were accepted: printed as "Error: …", without the usage.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension QueueType: ExpressibleByArgument {}

extension CeleriacConfiguration {
    /// `--queue-type`: the type of every task queue the command declares, the default one and
    /// any other it names (-Q, and a worker's add_consumer).
    mutating func declareQueues(as type: QueueType) throws {
        defaultQueueType = type
        missingQueueType = type
        do {
            try checkCombinations()
        } catch {
            throw ValidationError("--queue-type \(type.rawValue): \(error)")
        }
    }
}
