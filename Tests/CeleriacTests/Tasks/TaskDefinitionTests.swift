@testable import Celeriac
import Foundation
import Testing

@Suite struct TaskDefinitionTests {
    typealias Add = TaskFixtures.Add

    struct Point: Codable, Sendable, Hashable {
        var x: Double
        var label: String
    }

    func run<Output>(_ definition: TaskDefinition<[Int], Output>, _ args: [JSONValue] = []) async throws -> JSONValue {
        try await RegisteredTask(definition).run(TaskContext(name: definition.name, args: args))
    }

    @Test func outputsAreEncodedAsJSON() async throws {
        #expect(try await run(TaskDefinition<[Int], Int>("fix.sum") { _, values in values.reduce(0, +) }, [1, 2, 3])
            == 6)
        #expect(try await run(TaskDefinition<[Int], String>("fix.say") { _, _ in "héllo 🥕" }) == "héllo 🥕")
        #expect(try await run(TaskDefinition<[Int], Point>("fix.point") { _, _ in Point(x: 1.5, label: "a") })
            == ["x": 1.5, "label": "a"])
        #expect(try await run(TaskDefinition<[Int], Int?>("fix.none") { _, _ in nil }) == .null)
        #expect(try await run(TaskDefinition<[Int], [String: Int]>("fix.map") { _, _ in ["ü": 1] }) == ["ü": 1])
    }

    @Test func anUnencodableOutputIsATaskOutputError() async {
        let nan = TaskDefinition<[Int], Double>("fix.nan") { _, _ in .nan }
        let error = await #expect(throws: TaskOutputError.self) { try await run(nan) }
        guard case .unencodable(let task, let type, _)? = error else {
            Issue.record("expected unencodable, got \(String(describing: error))")
            return
        }
        #expect(task == "fix.nan")
        #expect(type == "Double")
    }

    @Test func undecodableArgumentsThrowInsteadOfRunningTheBody() async {
        let registered = RegisteredTask(TaskDefinition<Add, Int>("fix.add", argumentNames: ["x", "y"]) { _, _ in
            Issue.record("the body ran")
            return 0
        })
        await #expect(throws: TaskArgumentError.self) {
            try await registered.run(TaskContext(name: "fix.add", args: ["one", 2]))
        }
    }

    @Test func theBodySeesItsContext() async throws {
        let echo = TaskDefinition<EmptyArguments, String>("fix.whoami") { context, _ in
            "\(context.name)[\(context.id)] on \(context.hostname)"
        }
        let result = try await RegisteredTask(echo).run(TaskContext(id: "t-9", name: "fix.whoami", hostname: "w1@host"))
        #expect(result == "fix.whoami[t-9] on w1@host")
    }

    @Test func registeredKeepsNameOptionsAndArgumentNames() {
        let options = TaskOptions(queue: "math", rateLimit: "10/s")
        var add = TaskFixtures.add
        add.options = options
        let registered = add.registered
        #expect(registered.name == "fix.add")
        #expect(registered.options == options)
        #expect(registered.argumentNames == ["x", "y"])
        #expect(registered.hooks.onSuccess == nil)
    }

    @Test func signaturesCarryTheEncodedArguments() throws {
        let signature = try TaskFixtures.add.s(Add(x: 2, y: 3))
        #expect(signature == Signature(task: "fix.add", args: [2, 3]))
        #expect(!signature.immutable)
        let immutable = try TaskFixtures.add.si(Add(x: 2, y: 3))
        #expect(immutable == Signature(task: "fix.add", args: [2, 3], immutable: true))
    }

    @Test func theTasksOptionsFillWhatACallLeavesUnset() {
        var add = TaskFixtures.add
        add.options = TaskOptions(queue: "math", routingKey: "math.add", exchange: "tasks", priority: 7,
                                  softTimeLimit: 20, timeLimit: 30, ignoreResult: true, expires: 60)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let defaulted = add.sendOptions(for: TaskSendOptions(), now: now)
        #expect(defaulted.queue == "math")
        #expect(defaulted.routingKey == "math.add")
        #expect(defaulted.exchange == "tasks")
        #expect(defaulted.priority == 7)
        #expect(defaulted.expires == now.addingTimeInterval(60))
        #expect(defaulted.softTimeLimit == 20)
        #expect(defaulted.timeLimit == 30)
        #expect(defaulted.ignoreResult)

        let call = TaskSendOptions(countdown: 5, expires: now.addingTimeInterval(5), queue: "urgent", priority: 1,
                                   timeLimit: 3)
        let overridden = add.sendOptions(for: call, now: now)
        #expect(overridden.queue == "urgent")
        #expect(overridden.priority == 1)
        #expect(overridden.expires == now.addingTimeInterval(5))
        #expect(overridden.timeLimit == 3)
        #expect(overridden.softTimeLimit == 20)
        #expect(overridden.countdown == 5)
    }

    @Test func aTaskWithoutOptionsChangesNothing() {
        let call = TaskSendOptions(queue: "q", taskID: "fixed-id")
        #expect(TaskFixtures.add.sendOptions(for: call) == call)
    }
}
