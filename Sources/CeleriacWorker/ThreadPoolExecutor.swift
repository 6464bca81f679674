import Foundation

/// The threads pool: OS threads that run the tasks' jobs, for task bodies that block (file
/// I/O, C libraries, `sleep`). Tasks run with this executor as their preference, so a body
/// that blocks holds one of these threads, never one of Swift's few cooperative ones.
final class ThreadPoolExecutor: _Concurrency.TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `threads` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var threads = 0
    private let name: String

    init(threads count: Int, name: String = "celeriac-pool") {
        self.name = name
        addThreads(max(1, count))
    }

    /// How many threads run jobs.
    var threadCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return threads
    }

    /// Starts `count` more threads (the pool never retires one: a shrink only lowers how
    /// many tasks run at once).
    func addThreads(_ count: Int) {
        condition.lock()
        let first = threads
        threads += count
        condition.unlock()
        for index in first..<first + count {
            // The threads keep the pool alive: they wait for jobs for as long as the process runs.
            let thread = Thread { [self] in runJobs() }
            thread.name = "\(name)-\(index)"
            thread.start()
        }
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func runJobs() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
