@testable import Celeriac
import Foundation

/// Shared values for the task model's tests.
enum TaskFixtures {
    struct Add: Codable, Sendable, Hashable {
        var x: Int
        var y: Int
    }

    /// An error type `autoretryFor` can name.
    struct Flaky: Error, Sendable, Hashable, CustomStringConvertible {
        var description: String { "the network blinked" }
    }

    struct Boom: Error, Sendable, Hashable, CustomStringConvertible {
        var description: String { "boom" }
    }

    static let add = TaskDefinition<Add, Int>("fix.add", argumentNames: ["x", "y"]) { _, call in call.x + call.y }
}

/// Records what happened, in order, across concurrent code.
actor EventLog {
    private(set) var entries: [String] = []

    func record(_ entry: String) {
        entries.append(entry)
    }
}

/// A state reporter that keeps every update.
actor RecordingStateReporter: TaskStateReporter {
    private(set) var reports: [(taskID: String, state: TaskState, meta: JSONValue)] = []

    func report(taskID: String, state: TaskState, meta: JSONValue) async throws {
        reports.append((taskID, state, meta))
    }
}
