import Foundation
import NIOConcurrencyHelpers

/// A pool child: a new process of the worker's own executable, started with posix_spawn
/// (never fork(), which copies a threaded process mid-flight), its standard input and output
/// turned into the frame pipes. A thread reads its frames; when the pipe ends it reaps the
/// process and reports the exit status.
final class SpawnedChild: Sendable {
    let pid: pid_t
    /// The write end of the child's input; -1 once closed.
    private let input: NIOLockedValueBox<Int32>
    private let output: Int32
    /// Set once the process has exited, so a signal never reaches a reused pid.
    private let reaped = NIOLockedValueBox(false)

    private init(pid: pid_t, input: Int32, output: Int32) {
        self.pid = pid
        self.input = NIOLockedValueBox(input)
        self.output = output
    }

    /// Pipes are made and marked close-on-exec in two steps (Glibc's pipe2 is not imported),
    /// so spawns take turns: no child inherits another child's pipe.
    private static let spawning = NIOLock()

    static func spawn(arguments: [String], environment: [String: String]) throws -> SpawnedChild {
        try spawning.withLock { try spawnAlone(arguments: arguments, environment: environment) }
    }

    private static func spawnAlone(arguments: [String], environment: [String: String]) throws -> SpawnedChild {
        let toChild = try makePipe()
        let fromChild = try makePipe()
        let pid: pid_t
        do {
            pid = try ProcessLauncher.spawn(arguments, environment: environment, stdin: .descriptor(toChild.read),
                                            stdout: .descriptor(fromChild.write), stderr: .descriptor(STDERR_FILENO))
        } catch {
            [toChild.read, toChild.write, fromChild.read, fromChild.write].forEach { close($0) }
            throw error
        }
        close(toChild.read)
        close(fromChild.write)
        return SpawnedChild(pid: pid, input: toChild.write, output: fromChild.read)
    }

    /// Reads the child's frames on a thread of their own until the pipe ends, then reaps it.
    /// A frame that does not parse is a broken child: it is killed.
    func startReading(onFrame: @escaping @Sendable (PoolFrame) -> Void, onExit: @escaping @Sendable (Int32) -> Void) {
        let thread = Thread { [self] in
            var reader = PoolFrameReader(descriptor: output)
            while true {
                do {
                    guard let frame = try reader.next() else { break }
                    onFrame(frame)
                } catch {
                    signal(SIGKILL)
                    break
                }
            }
            // Wait for the exit but leave the zombie until no one can signal its pid any more.
            var info = siginfo_t()
            while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0, errno == EINTR {}
            reaped.withLockedValue { $0 = true }
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            close(output)
            closeInput()
            onExit(status)
        }
        thread.name = "celeriac-pool-\(pid)"
        thread.start()
    }

    /// Sends a frame; false when the child has gone (its exit is reported separately).
    @discardableResult
    func send(_ frame: PoolFrame) -> Bool {
        input.withLockedValue { descriptor in
            descriptor >= 0 && frame.write(to: descriptor)
        }
    }

    /// Ends the child's input: it finishes the task it has and exits.
    func closeInput() {
        input.withLockedValue { descriptor in
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
        }
    }

    func signal(_ number: Int32) {
        reaped.withLockedValue { reaped in
            if !reaped { kill(pid, number) }
        }
    }

    private static func makePipe() throws -> (read: Int32, write: Int32) {
        var descriptors: [Int32] = [0, 0]
        let result = pipe(&descriptors)
        if result == 0 { descriptors.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) } }
        guard result == 0 else {
            throw SpawnError(description: "cannot create a pipe for a pool child: \(String(cString: strerror(errno)))")
        }
        return (descriptors[0], descriptors[1])
    }
}
