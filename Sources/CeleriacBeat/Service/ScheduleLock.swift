import Foundation

/// The local half of "one beat per schedule": an exclusive lock on `<schedule>.lock`, held
/// for as long as the process lives (the kernel drops it when the process dies, however it
/// dies). A second beat on the same file waits for it as a standby.
public final class ScheduleLock: Sendable {
    public let path: String
    private let descriptor: Int32

    private init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    /// Takes the lock at once, or returns nil when another process holds it.
    public static func tryAcquire(for schedulePath: String) throws(ScheduleStoreError) -> ScheduleLock? {
        let path = schedulePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .unwritable(path: path, reason: String(cString: strerror(errno))) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
        return ScheduleLock(path: path, descriptor: descriptor)
    }

    /// Waits until the lock is free and takes it: the kernel wakes the waiter when the
    /// holder exits, so a standby takes over at once.
    public static func acquire(for schedulePath: String) async throws -> ScheduleLock {
        let path = schedulePath + ".lock"
        return try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
                let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
                guard descriptor >= 0 else {
                    continuation.resume(throwing: ScheduleStoreError.unwritable(path: path, reason: String(cString: strerror(errno))))
                    return
                }
                guard flock(descriptor, LOCK_EX) == 0 else {
                    close(descriptor)
                    continuation.resume(throwing: ScheduleStoreError.unwritable(path: path, reason: String(cString: strerror(errno))))
                    return
                }
                continuation.resume(returning: ScheduleLock(path: path, descriptor: descriptor))
            }
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
