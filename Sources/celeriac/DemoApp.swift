import Celeriac
import Foundation
import Logging

/// The demo app the `celeriac` executable ships (`-A demo`): tasks that users try and the
/// tests rely on, one of each kind a worker must handle.
enum DemoApp {
    struct Pair: Codable, Sendable { var x: Int; var y: Int }
    struct Numbers: Codable, Sendable { var numbers: [Int] }
    struct Count: Codable, Sendable { var n: Int }
    struct Seconds: Codable, Sendable { var seconds: Double }
    struct Message: Codable, Sendable { var message: String }
    struct FailRate: Codable, Sendable { var failRate: Double }
    struct Steps: Codable, Sendable { var steps: Int }
    struct Progress: Codable, Sendable { var current: Int; var total: Int }

    /// Registers every demo task on `app`, and shows the process-init hook at work: each
    /// prefork child says when it is ready.
    static func install(on app: App) throws {
        app.signals.onWorkerProcessInit {
            Logger(label: "demo").info("demo: pool process \(getpid()) initialised")
        }
        try app.register(TaskDefinition<Pair, Int>("demo.add", argumentNames: ["x", "y"]) { _, call in call.x &+ call.y })
        try app.register(TaskDefinition<Pair, Int>("demo.mul", argumentNames: ["x", "y"]) { _, call in call.x &* call.y })
        try app.register(TaskDefinition<Numbers, Int>("demo.xsum", argumentNames: ["numbers"]) { _, call in
            call.numbers.reduce(0, &+)
        })
        try app.register(TaskDefinition<EmptyArguments, Int?>("demo.noop") { _, _ in nil })
        try app.register(TaskDefinition<Count, Int>("demo.fib", argumentNames: ["n"]) { _, call in
            guard (0...40).contains(call.n) else {
                throw CeleryError(type: "ValueError", message: [.string("fib takes 0 to 40, not \(call.n)")])
            }
            return fibonacci(call.n)
        })
        try app.register(TaskDefinition<Seconds, Double>("demo.sleep", argumentNames: ["seconds"],
                                                         options: TaskOptions(acksLate: true)) { _, call in
            try await Task.sleep(for: .seconds(max(0, call.seconds)))  // the task's work is to wait
            return call.seconds
        })
        try app.register(TaskDefinition<Message, Int?>("demo.fail", argumentNames: ["message"]) { _, call in
            throw CeleryError(type: "ValueError", message: [.string(call.message)])
        })
        try app.register(TaskDefinition<FailRate, String>(
            "demo.flaky", argumentNames: ["failRate"],
            options: TaskOptions(autoretryFor: ["ConnectionError"], retryBackoff: 1, maxRetries: 3)
        ) { context, call in
            if Double.random(in: 0..<1) < call.failRate {
                throw CeleryError(type: "ConnectionError", message: [.string("flaky failure on try \(context.retries + 1)")])
            }
            return "ok after \(context.retries) retries"
        })
        try app.register(TaskDefinition<Steps, Int>("demo.progress", argumentNames: ["steps"]) { context, call in
            for step in 0..<max(0, call.steps) {
                try await context.updateState("PROGRESS", meta: Progress(current: step, total: call.steps))
                try await Task.sleep(for: .milliseconds(100))  // a step's work
            }
            return call.steps
        })
        // Replaces itself with a group of fib tasks (Celery's `self.replace`): a caller waiting
        // on fanout gets the group's list, and a chain goes on after the group.
        try app.register(TaskDefinition<Numbers, [Int]>("demo.fanout", argumentNames: ["numbers"]) { context, call in
            try context.replace(with: .group(call.numbers.map { Signature.s("demo.fib", .int($0)) }))
        })
    }

    /// Naive recursion on purpose: the CPU-bound demo task.
    static func fibonacci(_ n: Int) -> Int {
        n < 2 ? n : fibonacci(n - 1) + fibonacci(n - 2)
    }
}
