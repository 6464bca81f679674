import Foundation
import NIOConcurrencyHelpers

/// A stop asked for by a signal (Ctrl-C, SIGTERM) while the demo starts or runs headless:
/// steps check it between them, and a headless run waits on it with its duration.
final class StopRequest: Sendable {
    private struct State {
        var requested = false
        var waiters: [@Sendable () -> Void] = []
    }

    private let state = NIOLockedValueBox(State())

    var isRequested: Bool { state.withLockedValue { $0.requested } }

    func request() {
        let waiters = state.withLockedValue { state -> [@Sendable () -> Void] in
            state.requested = true
            defer { state.waiters = [] }
            return state.waiters
        }
        waiters.forEach { $0() }
    }

    /// Runs `callback` once a stop is asked for — at once if it already was.
    func whenRequested(_ callback: @escaping @Sendable () -> Void) {
        let now = state.withLockedValue { state in
            if !state.requested { state.waiters.append(callback) }
            return state.requested
        }
        if now { callback() }
    }

    /// Throws once a stop was asked for, so a start in progress goes no further.
    func check() throws {
        if isRequested { throw DemoError("interrupted; everything the demo had started is stopped") }
    }

    /// Returns when a stop is asked for or `timeout` has passed, whichever comes first.
    func wait(timeout: Duration) async {
        _ = await waitForCallback(timeout: timeout) { callback in
            state.withLockedValue { state in
                if !state.requested { state.waiters.append(callback) }
                return state.requested
            }
        }
    }
}

/// Where the demo keeps its broker's data and every process's log: a fresh temporary
/// directory, removed at the end — or the user's `--keep-data` directory, kept.
struct DemoDirectory: Sendable {
    let path: String
    let kept: Bool

    init(keeping: String?) throws {
        if let keeping {
            let absolute = URL(fileURLWithPath: keeping).standardizedFileURL.path
            do {
                try FileManager.default.createDirectory(atPath: absolute, withIntermediateDirectories: true)
            } catch {
                throw DemoError("--keep-data \(keeping): cannot create it (\(error.localizedDescription)); give a directory you can write")
            }
            path = absolute
            kept = true
        } else {
            var template = Array((NSTemporaryDirectory() + "/celeriac-demo-XXXXXX").utf8CString)
            guard let made = mkdtemp(&template) else {
                throw DemoError("cannot make a temporary directory in \(NSTemporaryDirectory()): \(String(cString: strerror(errno))); set TMPDIR to a writable one, or give --keep-data DIR")
            }
            path = URL(fileURLWithPath: String(cString: made)).standardizedFileURL.path
            kept = false
        }
    }

    func removeUnlessKept() {
        guard !kept else { return }
        try? FileManager.default.removeItem(atPath: path)
    }
}
