import Celeriac

/// Events per state per second over the last `window` seconds, in a ring of one-second
/// buckets: adding is O(1) and a rate reads at most `window` buckets — no rescans of tasks.
public struct StateRates: Sendable {
    public let window: Int
    private var buckets: [StateCounts]
    private var bucketSecond: [Int]

    public init(window: Int = 300) {
        self.window = max(1, window)
        buckets = Array(repeating: StateCounts(), count: self.window)
        bucketSecond = Array(repeating: Int.min, count: self.window)
    }

    mutating func record(_ state: TaskState, at timestamp: Double) {
        let second = Int(timestamp.rounded(.down))
        let slot = ((second % window) + window) % window
        if bucketSecond[slot] != second {
            guard second > bucketSecond[slot] else { return }  // older than the window: dropped
            bucketSecond[slot] = second
            buckets[slot] = StateCounts()
        }
        buckets[slot].add(1, to: state)
    }

    /// Transitions into `state` per second over the `seconds` before `now`.
    public func rate(of state: TaskState, over seconds: Int, now: Double) -> Double {
        let span = min(max(1, seconds), window)
        let end = Int(now.rounded(.down))
        var total = 0
        for second in (end - span + 1)...end {
            let slot = ((second % window) + window) % window
            if bucketSecond[slot] == second { total += buckets[slot][state] ?? 0 }
        }
        return Double(total) / Double(span)
    }

    /// Per-second counts of `state` for the last `seconds`, oldest first: a sparkline's data.
    public func series(of state: TaskState, seconds: Int, now: Double) -> [Int] {
        let span = min(max(1, seconds), window)
        let end = Int(now.rounded(.down))
        return ((end - span + 1)...end).map { second in
            let slot = ((second % window) + window) % window
            return bucketSecond[slot] == second ? buckets[slot][state] ?? 0 : 0
        }
    }
}
