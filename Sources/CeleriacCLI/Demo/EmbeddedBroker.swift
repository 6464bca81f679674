import CeleriacWorker
import Foundation
import NIOConcurrencyHelpers

/// The demo's own `celeriac broker`: free ports picked by the broker itself (no race with
/// another program for a port chosen in advance), a data dir inside the demo's, and its log
/// read through a pipe — copied on to a file and watched for the lines that name its ports.
enum EmbeddedBroker {
    struct Endpoints: Sendable, Equatable {
        var amqpPort: Int
        var managementPort: Int
    }

    /// Starts the broker and returns once it accepts connections on both ports.
    static func start(executable: String, dataDirectory: String, log: String) async throws -> (DemoProcess, Endpoints) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw DemoError("cannot make a pipe for the broker's log: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (ends[0], ends[1])
        // Close-on-exec: the workers started later must not hold the writer, or the log would
        // not end when the broker does (the broker gets its copy as stdout and stderr).
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        guard FileManager.default.createFile(atPath: log, contents: nil), let file = FileHandle(forWritingAtPath: log) else {
            close(readEnd)
            close(writeEnd)
            throw DemoError("cannot write the broker's log \(log); check that the directory is writable")
        }
        let broker: DemoProcess
        do {
            broker = try DemoProcess(name: "broker",
                                      arguments: [executable, "broker", "--port", "0", "--management-port", "0",
                                                  "--data-dir", dataDirectory, "--fsync", "batch", "-l", "info"],
                                      stdout: .descriptor(writeEnd), stderr: .descriptor(writeEnd))
        } catch {
            close(readEnd)
            close(writeEnd)
            throw error
        }
        close(writeEnd)  // the broker holds the only writer: its exit ends the reads
        let watcher = LogWatcher()
        Thread.detachNewThread { watcher.copy(from: readEnd, to: file) }
        let endpoints = await withTaskGroup(of: Endpoints?.self) { group in
            group.addTask { await watcher.endpoints() }
            group.addTask {
                try? await Task.sleep(for: .seconds(15))  // a broker that neither starts nor fails
                watcher.giveUp()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        guard let endpoints else {
            await broker.stop([(SIGTERM, .seconds(2))])
            let tail = (try? String(contentsOfFile: log, encoding: .utf8))?.split(separator: "\n").suffix(5).joined(separator: "\n") ?? ""
            throw DemoError("the embedded broker did not start (\(log)):\n\(tail)")
        }
        return (broker, endpoints)
    }

    /// The port in "scheme://host:PORT…", host possibly a bracketed IPv6 address.
    static func port(after scheme: String, in line: String) -> Int? {
        guard let start = line.range(of: scheme)?.upperBound else { return nil }
        let authority = line[start...].prefix { !"/ )".contains($0) }
        guard let colon = authority.lastIndex(of: ":") else { return nil }
        return Int(authority[authority.index(after: colon)...])
    }
}

/// Copies a log from a pipe to a file, line by line, and learns the broker's ports from it.
private final class LogWatcher: Sendable {
    private struct State {
        var amqpPort: Int?
        var managementPort: Int?
        var ended = false
        var waiters: [CheckedContinuation<EmbeddedBroker.Endpoints?, Never>] = []

        var answer: EmbeddedBroker.Endpoints?? {
            if let amqpPort, let managementPort { return .some(.init(amqpPort: amqpPort, managementPort: managementPort)) }
            return ended ? .some(nil) : nil
        }
    }

    private let state = NIOLockedValueBox(State())

    /// Runs on a thread of its own until the pipe's writer has gone.
    func copy(from descriptor: Int32, to file: FileHandle) {
        var pending = ""
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            let chunk = Data(buffer[0..<count])
            file.write(chunk)
            pending += String(decoding: chunk, as: UTF8.self)
            while let newline = pending.firstIndex(of: "\n") {
                scan(String(pending[..<newline]))
                pending.removeSubrange(...newline)
            }
        }
        close(descriptor)
        try? file.close()
        giveUp()
    }

    func endpoints() async -> EmbeddedBroker.Endpoints? {
        await withCheckedContinuation { continuation in
            let answer = state.withLockedValue { state -> EmbeddedBroker.Endpoints?? in
                if state.answer == nil { state.waiters.append(continuation) }
                return state.answer
            }
            if let answer { continuation.resume(returning: answer) }
        }
    }

    /// No ports are coming: the log ended or the wait timed out.
    func giveUp() {
        update { $0.ended = true }
    }

    private func scan(_ line: String) {
        if line.contains("accepting AMQP"), let port = EmbeddedBroker.port(after: "amqp://", in: line) {
            update { $0.amqpPort = $0.amqpPort ?? port }
        } else if line.contains("management API on"), let port = EmbeddedBroker.port(after: "http://", in: line) {
            update { $0.managementPort = $0.managementPort ?? port }
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let (waiters, answer) = state.withLockedValue { state -> ([CheckedContinuation<EmbeddedBroker.Endpoints?, Never>], EmbeddedBroker.Endpoints??) in
            change(&state)
            guard let answer = state.answer else { return ([], nil) }
            defer { state.waiters = [] }
            return (state.waiters, answer)
        }
        if let answer { waiters.forEach { $0.resume(returning: answer) } }
    }

}
