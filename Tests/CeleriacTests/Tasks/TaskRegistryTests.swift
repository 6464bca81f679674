@testable import Celeriac
import Testing

@Suite struct TaskRegistryTests {
    @Test func registeredTasksAreFoundByName() throws {
        let registry = TaskRegistry()
        try registry.register(TaskFixtures.add)
        try registry.register(RegisteredTask(name: "fix.ping") { _ in "pong" })
        #expect(registry.task(named: "fix.add")?.argumentNames == ["x", "y"])
        #expect(registry["fix.ping"]?.name == "fix.ping")
        #expect(registry["fix.unknown"] == nil)
        #expect(registry.names == ["fix.add", "fix.ping"])
        #expect(registry.count == 2)
    }

    @Test func aNameCanBeRegisteredOnce() throws {
        let registry = TaskRegistry()
        try registry.register(TaskFixtures.add)
        #expect(throws: TaskRegistryError.duplicate("fix.add")) { try registry.register(TaskFixtures.add) }
        #expect(TaskRegistryError.duplicate("fix.add").description == "a task named 'fix.add' is already registered")
        #expect(registry.count == 1)
    }

    @Test func invalidOptionsAndEmptyNamesAreRefused() {
        let registry = TaskRegistry()
        var limited = TaskFixtures.add
        limited.options.rateLimit = "fast"
        #expect(throws: TaskRegistryError.invalidOptions(task: "fix.add", reason: .invalidRateLimit("fast"))) {
            try registry.register(limited)
        }
        #expect(throws: TaskRegistryError.emptyName) { try registry.register(RegisteredTask(name: "") { _ in .null }) }
        #expect(registry.names.isEmpty)
    }

    @Test func concurrentRegistrationsAndLookupsAreSafe() async throws {
        let registry = TaskRegistry()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<100 {
                group.addTask {
                    try registry.register(RegisteredTask(name: "fix.t\(index)") { _ in .int(index) })
                    _ = registry.task(named: "fix.t\(index / 2)")
                    _ = registry.names
                }
            }
            try await group.waitForAll()
        }
        #expect(registry.count == 100)
    }
}
