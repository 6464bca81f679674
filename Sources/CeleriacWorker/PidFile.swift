import Foundation

/// `--pidfile`: this process's id in a file while it runs, as `celery multi` and init scripts
/// expect. A file naming a live process is refused (another worker runs); a stale one, left
/// by a worker that died, is replaced.
struct PidFile: Sendable {
    let path: String

    func create() throws {
        if let text = try? String(contentsOfFile: path, encoding: .utf8),
           let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)), pid > 0,
           kill(pid, 0) == 0 || errno == EPERM {
            throw WorkerError("pidfile \(path) names process \(pid), which is running: another worker uses it; stop that one or choose another --pidfile")
        }
        do {
            try "\(ProcessInfo.processInfo.processIdentifier)\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw WorkerError("cannot write pidfile \(path): \(error)")
        }
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
