import CeleriacWorker
import Foundation

/// A worker the benchmark runs: ours with one of its pools, or Python Celery's with one of
/// its own — both on the same queue, concurrency, events and broker.
struct BenchSubject: Sendable {
    enum Implementation: Sendable { case celeriac, celery }

    var implementation: Implementation
    var pool: String

    var label: String { "\(implementation == .celeriac ? "celeriac" : "celery") \(pool)" }

    /// The worker's node name; the benchmark tells its events apart by it.
    func node(_ kind: String) -> String { "bench-\(implementation == .celeriac ? "swift" : "python")-\(pool)-\(kind)@localhost" }

    struct Launch {
        var arguments: [String]
        var environment: [String: String]
    }

    func launch(queue: String, kind: String, concurrency: Int, broker: String, celeryApp: String?, python: String) -> Launch {
        switch implementation {
        case .celeriac:
            return Launch(arguments: [WorkerOptions.currentExecutable, "worker", "-A", "demo", "-P", pool, "-c", "\(concurrency)",
                                      "-E", "-Q", queue, "-n", node(kind), "-b", broker, "-l", "warning"],
                          environment: [:])
        case .celery:
            let app = URL(fileURLWithPath: celeryApp ?? "")
            return Launch(arguments: [python, "-m", "celery", "-A", app.deletingPathExtension().lastPathComponent, "worker",
                                      "-P", pool, "-c", "\(concurrency)", "-E", "-Q", queue, "-n", node(kind),
                                      "-l", "warning", "--without-gossip", "--without-mingle"],
                          environment: ["PYTHONPATH": app.deletingLastPathComponent().path, "CELERIAC_BENCH_AMQP_URL": broker])
        }
    }
}
