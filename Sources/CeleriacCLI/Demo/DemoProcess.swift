import CeleriacWorker
import Foundation
import NIOConcurrencyHelpers

/// A process the demo started: its pid, a name for messages, and its exit — awaited, not
/// polled, because a thread of its own blocks in waitpid for it.
final class DemoProcess: Sendable {
    let name: String
    let pid: pid_t
    private let exit = NIOLockedValueBox(ExitState())

    private struct ExitState {
        var status: Int32?
        var observers: [@Sendable (Int32) -> Void] = []
    }

    /// Starts `arguments` in a session of its own, so a Ctrl-C at the terminal reaches only
    /// the demo, which then stops its children in order (workers before their broker).
    init(name: String, arguments: [String], stdout: ProcessLauncher.Stream, stderr: ProcessLauncher.Stream) throws {
        self.name = name
        pid = try ProcessLauncher.spawn(arguments, stdout: stdout, stderr: stderr, newSession: true)
        let (pid, exit) = (pid, exit)
        Thread.detachNewThread {
            var status: Int32 = 0
            while waitpid(pid, &status, 0) < 0, errno == EINTR {}
            let observers = exit.withLockedValue { state in
                state.status = status
                defer { state.observers = [] }
                return state.observers
            }
            observers.forEach { $0(status) }
        }
    }

    var hasExited: Bool { exit.withLockedValue { $0.status != nil } }

    /// Calls `observer` with the raw wait status once the process has exited (at once if it has).
    func onExit(_ observer: @escaping @Sendable (Int32) -> Void) {
        let status = exit.withLockedValue { state -> Int32? in
            if state.status == nil { state.observers.append(observer) }
            return state.status
        }
        if let status { observer(status) }
    }

    /// The raw wait status, once it has exited.
    func exited() async -> Int32 {
        await withCheckedContinuation { continuation in onExit { continuation.resume(returning: $0) } }
    }

    /// Whether it exits within `timeout`.
    func exited(within timeout: Duration) async -> Bool {
        await waitForCallback(timeout: timeout) { callback in
            onExit { _ in callback() }
            return false
        }
    }

    func signal(_ number: Int32) {
        guard !hasExited else { return }
        kill(pid, number)
    }

    /// Sends each signal in turn while the one before has not ended the process within its
    /// grace — e.g. SIGTERM (warm), then SIGQUIT (cold) — and SIGKILL last.
    func stop(_ steps: [(signal: Int32, grace: Duration)]) async {
        for step in steps {
            guard !hasExited else { return }
            signal(step.signal)
            if await exited(within: step.grace) { return }
        }
        signal(SIGKILL)
        _ = await exited()
    }

    /// "exited 0", "exited 1", "killed by signal 9", for messages.
    static func describe(_ status: Int32) -> String {
        let signal = status & 0x7f
        return signal == 0 ? "exited \((status >> 8) & 0xff)" : "killed by signal \(signal)"
    }
}
