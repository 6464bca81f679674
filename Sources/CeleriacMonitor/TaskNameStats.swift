import Celeriac

/// Per task name: how many finished, how many failed, and runtime percentiles from the most
/// recent runtimes (a bounded sample, so a busy task name costs constant memory).
public struct TaskNameStats: Sendable, Hashable {
    public private(set) var finished = 0
    public private(set) var failures = 0
    private var runtimes: [Double] = []
    private var next = 0
    static let sampleSize = 1000

    mutating func record(_ state: TaskState, runtime: Double?) {
        guard state.isReady else { return }
        finished += 1
        if state == .failure { failures += 1 }
        guard let runtime else { return }
        if runtimes.count < Self.sampleSize {
            runtimes.append(runtime)
        } else {
            runtimes[next] = runtime
            next = (next + 1) % Self.sampleSize
        }
    }

    /// The `fraction` percentile (0.5 = p50) of recent runtimes; nil before any.
    public func runtimePercentile(_ fraction: Double) -> Double? {
        guard !runtimes.isEmpty else { return nil }
        let sorted = runtimes.sorted()
        let index = Int((Double(sorted.count - 1) * min(max(fraction, 0), 1)).rounded())
        return sorted[index]
    }
}
