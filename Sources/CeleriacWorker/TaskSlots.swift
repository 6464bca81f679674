/// A counting semaphore for the pool: a task takes a slot before it runs and gives it back
/// after, so at most `count` run at once; waiters are served in arrival order.
actor TaskSlots {
    /// Free slots; below zero after a shrink, until that many holders have left.
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var busy = 0
    private(set) var capacity: Int

    init(_ count: Int) {
        capacity = max(1, count)
        free = capacity
    }

    /// Grows or shrinks the pool at run time (never below one slot); a shrink takes effect as
    /// running tasks finish, none is stopped.
    func resize(by delta: Int) {
        let change = max(1, capacity + delta) - capacity
        capacity += change
        free += change
        while free > 0, !waiters.isEmpty {
            free -= 1
            waiters.removeFirst().resume()
        }
    }

    func acquire() async {
        busy += 1
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    func release() {
        busy -= 1
        if free < 0 || waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
