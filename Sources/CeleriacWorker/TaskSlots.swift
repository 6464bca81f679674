/// A counting semaphore for the pool: a task takes a slot before it runs and gives it back
/// after, so at most `count` run at once; waiters are served in arrival order.
actor TaskSlots {
    private var free: Int
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private(set) var busy = 0

    init(_ count: Int) {
        free = max(1, count)
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
        if waiters.isEmpty {
            free += 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
