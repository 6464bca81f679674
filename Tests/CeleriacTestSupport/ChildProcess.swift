import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs a short-lived command to completion with posix_spawn and waitpid on its own pid.
/// Foundation's Process is not used in tests that also hold long-running children
/// (`BackgroundProcess`): on Linux its reaper can then miss the exit and wait for ever.
public enum ChildProcess {
    public struct Output: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// Runs `arguments[0]` (searched in PATH) with the rest as arguments. `capture: false`
    /// sends output to /dev/null — for commands that leave daemons holding their output open.
    public static func run(_ arguments: [String], environment: [String: String]? = nil, directory: String? = nil,
                           input: String? = nil, capture: Bool = true) throws -> Output {
        // posix_spawn hands the child every descriptor not marked close-on-exec — sockets of other
        // tests included — and a daemon it starts (tmux's server) would hold them open, so a
        // connection a test closes never ends. bash closes them all first, then changes
        // directory (posix_spawn's own chdir and closefrom are GNU extensions Swift cannot see).
        let prelude = #"for fd in /proc/$$/fd/*; do n=${fd##*/}; if [ "$n" -gt 2 ] 2>/dev/null; then eval "exec $n>&-" 2>/dev/null; fi; done; "#
        let arguments = ["/bin/bash", "-c", prelude + #"cd "$0" && exec "$@""#, directory ?? "."] + arguments
        var stdinPipe: [Int32] = [0, 0], outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        guard pipe(&stdinPipe) == 0, pipe(&outPipe) == 0, pipe(&errPipe) == 0 else { throw errnoError() }
        for fd in stdinPipe + outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = SpawnAttributes.make()
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
        if capture {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        }
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let envp: [UnsafeMutablePointer<CChar>?]? = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { envp?.forEach { free($0) } }
        var pid: pid_t = 0
        let status = envp.map { posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, $0) }
            ?? posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        for fd in [stdinPipe[0], outPipe[1], errPipe[1]] { close(fd) }
        guard status == 0 else {
            for fd in [stdinPipe[1], outPipe[0], errPipe[0]] { close(fd) }
            throw POSIXError(POSIXErrorCode(rawValue: status) ?? .EIO)
        }
        if let input { input.utf8CString.withUnsafeBufferPointer { _ = write(stdinPipe[1], $0.baseAddress, $0.count - 1) } }
        close(stdinPipe[1])
        let (out, err) = readBoth(outPipe[0], errPipe[0])
        var exit: Int32 = 0
        while waitpid(pid, &exit, 0) == -1, errno == EINTR {}
        let code = (exit & 0x7f) == 0 ? (exit >> 8) & 0xff : 128 + (exit & 0x7f)
        return Output(status: code, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
    }

    /// Reads two pipes to their ends together, so neither fills up and stalls the child.
    private static func readBoth(_ first: Int32, _ second: Int32) -> ([UInt8], [UInt8]) {
        var data: [[UInt8]] = [[], []]
        var fds = [pollfd(fd: first, events: Int16(POLLIN), revents: 0), pollfd(fd: second, events: Int16(POLLIN), revents: 0)]
        var open = 2
        var buffer = [UInt8](repeating: 0, count: 65536)
        while open > 0 {
            guard poll(&fds, 2, -1) >= 0 || errno == EINTR else { break }
            for index in 0..<2 where fds[index].fd >= 0 && fds[index].revents != 0 {
                let count = read(fds[index].fd, &buffer, buffer.count)
                if count > 0 {
                    data[index].append(contentsOf: buffer[0..<count])
                } else if count == 0 || errno != EINTR {
                    close(fds[index].fd)
                    fds[index].fd = -1
                    open -= 1
                }
            }
        }
        return (data[0], data[1])
    }

    private static func errnoError() -> POSIXError {
        POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
    }
}
