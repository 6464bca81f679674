#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value behind a mutex that spins a moment before it sleeps (glibc's adaptive mutex),
/// with NIOLockedValueBox's spelling. The worker's per-task state is locked by the
/// connection's thread and the pool's threads for every task, for a few hundred nanoseconds
/// each time: a lock that sleeps at once turns each meeting into a futex wait, a wake and two
/// context switches, which cost more than the work the lock guards.
final class AdaptiveLockedValueBox<Value> {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    init(_ value: Value) {
        self.value = value
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        #if canImport(Glibc)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_ADAPTIVE_NP))
        #endif
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    func withLockedValue<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}

// The value is only ever touched under the mutex.
extension AdaptiveLockedValueBox: @unchecked Sendable where Value: Sendable {}
