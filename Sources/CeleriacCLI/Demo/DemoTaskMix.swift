import Celeriac
import Foundation

/// What the demo's producer sends: a realistic mix of the demo app's tasks, so every state
/// and every kind of work shows up in the dashboard within seconds, and a periodic burst of
/// slow tasks on the prefork worker's own queue, so its autoscaler visibly grows and shrinks.
struct DemoTaskMix {
    struct Call: Sendable, Equatable {
        var name: String
        var args: [JSONValue]
        var options: TaskSendOptions
        /// A workflow to apply instead of the one task (`name` then says which kind).
        let workflow: Signature?
    }

    /// The queue only prefork workers consume: CPU work and the bursts.
    static let cpuQueue = "demo.cpu"
    /// Seconds between bursts, and the first one's delay.
    static let burstEvery = 30.0
    static let firstBurstAfter = 12.0
    static let burstSize = 24

    /// Each kind's share of the steady flow, and how to make one.
    private static let kinds: [(weight: Int, make: @Sendable (inout any RandomNumberGenerator) -> Call)] = [
        (14, { random in Call(name: "demo.add", args: [.int(.random(in: 1...100, using: &random)), .int(.random(in: 1...100, using: &random))]) }),
        (8, { random in Call(name: "demo.mul", args: [.int(.random(in: 1...50, using: &random)), .int(.random(in: 1...50, using: &random))]) }),
        (6, { random in Call(name: "demo.xsum", args: [.array((0..<Int.random(in: 2...8, using: &random)).map { _ in .int(.random(in: 0...999, using: &random)) })]) }),
        (6, { _ in Call(name: "demo.noop", args: []) }),
        (10, { random in Call(name: "demo.fib", args: [.int(.random(in: 18...27, using: &random))], queue: cpuQueue) }),
        (12, { random in Call(name: "demo.sleep", args: [.double(Self.tenths(0.5...4, using: &random))]) }),
        (7, { _ in Call(name: "demo.fail", args: [.string("the demo's deliberate failure")]) }),
        (9, { _ in Call(name: "demo.flaky", args: [.double(0.5)]) }),
        (7, { random in Call(name: "demo.progress", args: [.int(.random(in: 10...30, using: &random))]) }),
        (9, { random in
            Call(name: "demo.add", args: [.int(.random(in: 1...9, using: &random)), .int(.random(in: 1...9, using: &random))],
                 options: TaskSendOptions(countdown: Double(Int.random(in: 3...15, using: &random))))
        }),
        // Due after its expiry: the worker holds it until its ETA, then revokes it (expired).
        (5, { random in
            var options = TaskSendOptions(countdown: Double(Int.random(in: 6...9, using: &random)))
            options.expiresIn = 4
            return Call(name: "demo.sleep", args: [.double(1)], options: options)
        }),
        // Workflows, so the task detail's tree has something to show: a chain, and a chord
        // whose header sums into its body.
        (4, { random in
            let chain = Signature.s("demo.add", .int(.random(in: 1...9, using: &random)), .int(.random(in: 1...9, using: &random)))
                | .s("demo.mul", .int(.random(in: 2...9, using: &random))) | .s("demo.add", .int(.random(in: 1...99, using: &random)))
            return .workflow("chain", chain)
        }),
        (3, { random in
            let header = (0..<Int.random(in: 3...6, using: &random)).map { _ in
                Signature.s("demo.mul", .int(.random(in: 1...20, using: &random)), .int(.random(in: 1...20, using: &random)))
            }
            return .workflow("chord", .chord(header, body: .s("demo.xsum")))
        }),
    ]
    private static let totalWeight = kinds.reduce(0) { $0 + $1.weight }

    /// One task of each kind, in order: the flow's opening, so every state shows up within
    /// seconds of the start however the later draws fall.
    static func opening(using random: inout any RandomNumberGenerator) -> [Call] {
        kinds.map { kind in
            var call = kind.make(&random)
            if call.name == "demo.flaky" { call.args = [.double(1)] }  // retries for certain, then fails
            return call
        }
    }

    /// One task of the steady flow.
    static func next(using random: inout any RandomNumberGenerator) -> Call {
        var pick = Int.random(in: 0..<totalWeight, using: &random)
        for kind in kinds {
            if pick < kind.weight { return kind.make(&random) }
            pick -= kind.weight
        }
        return kinds[0].make(&random)
    }

    /// A burst: slow tasks the prefork worker alone takes, more than its minimum pool runs.
    static func burst(using random: inout any RandomNumberGenerator) -> [Call] {
        (0..<burstSize).map { _ in
            Call(name: "demo.sleep", args: [.double(tenths(1...3, using: &random))], queue: cpuQueue)
        }
    }

    /// Whether a burst is due in the second that ends `elapsed` seconds after the start.
    static func burstDue(previousElapsed: Double, elapsed: Double) -> Bool {
        guard elapsed >= firstBurstAfter else { return false }
        let index = { (time: Double) in Int(((time - firstBurstAfter) / burstEvery).rounded(.down)) }
        return previousElapsed < firstBurstAfter || index(elapsed) > index(previousElapsed)
    }

    private static func tenths(_ range: ClosedRange<Double>, using random: inout any RandomNumberGenerator) -> Double {
        (Double.random(in: range, using: &random) * 10).rounded() / 10
    }
}

extension DemoTaskMix.Call {
    init(name: String, args: [JSONValue], queue: String? = nil, options: TaskSendOptions = TaskSendOptions()) {
        self.init(name: name, args: args, options: options, workflow: nil)
        if let queue { self.options.queue = queue }
    }

    /// A workflow, applied whole; `kind` names it in logs.
    static func workflow(_ kind: String, _ signature: Signature) -> Self {
        Self(name: kind, args: [], options: TaskSendOptions(), workflow: signature)
    }
}
