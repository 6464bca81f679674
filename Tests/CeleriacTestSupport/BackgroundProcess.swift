import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A long-running child started with posix_spawn rather than Foundation's Process: on Linux,
/// Foundation's reaper can block in wait4 on a still-running child it started, and then no
/// other Process (rabbitmqctl, say) is ever seen to exit. Its stdin is a pipe whose write end
/// only this process holds, so the child sees EOF when the test process ends.
public final class BackgroundProcess: Sendable {
    public let pid: pid_t
    private let stdinWriter: Int32

    /// `environment` replaces this process's environment for the child when given; `logFile`
    /// receives its stdout and stderr (else they are discarded).
    public init(_ executable: String, arguments: [String], environment: [String: String]? = nil,
                logFile: String? = nil) throws {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }  // no other child may inherit them
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = SpawnAttributes.make()
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawn_file_actions_adddup2(&actions, fds[0], 0)  // dup2 clears CLOEXEC on fd 0
        posix_spawn_file_actions_addopen(&actions, 1, logFile ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status: Int32
        if let environment {
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { envp.forEach { free($0) } }
            status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            status = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        close(fds[0])
        guard status == 0 else {
            close(fds[1])
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        self.pid = pid
        self.stdinWriter = fds[1]
    }

    /// Closes the child's stdin (it then shuts down) and reaps it; returns its exit status
    /// (128 + the signal when a signal ended it).
    @discardableResult
    public func stop() -> Int32 {
        close(stdinWriter)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        let signal = status & 0x7F
        return signal == 0 ? (status >> 8) & 0xFF : 128 + signal
    }
}
