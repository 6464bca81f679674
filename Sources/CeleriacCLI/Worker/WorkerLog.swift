import ArgumentParser
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Where the worker's log lines go: standard error, or `--logfile` — appended to, and
/// reopened on SIGHUP so logrotate can move it away, as Celery's worker does.
final class WorkerLogSink: Sendable {
    private let path: String?
    /// The open file's descriptor; standard error's without a file.
    private let descriptor = NIOLockedValueBox<Int32>(STDERR_FILENO)

    /// Opens the file now, so a bad path is an error before the worker starts.
    init(path: String?) throws {
        self.path = path
        if path != nil { try reopen() }
    }

    func reopen() throws {
        guard let path else { return }
        let opened = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard opened >= 0 else {
            throw WorkerLogError("cannot open log file \(path): \(String(cString: strerror(errno)))")
        }
        let old = descriptor.withLockedValue { descriptor in
            defer { descriptor = opened }
            return descriptor
        }
        if old != STDERR_FILENO { close(old) }
    }

    /// One line, in one write, so lines from several threads never interleave.
    func append(_ line: String) {
        descriptor.withLockedValue { descriptor in
            var line = line
            line.withUTF8 { bytes in _ = write(descriptor, bytes.baseAddress, bytes.count) }
        }
    }
}

extension WorkerLogSink {
    /// `-l LEVEL` as the long-running commands take it: Celery's names, any case.
    static func validateLevel(_ name: String) throws {
        guard Logger.Level(celeryName: name) != nil else {
            throw ValidationError("-l \(name): use debug, info, warning, error or critical")
        }
    }

    /// Opens the log (`path`, or standard error) and makes it swift-log's, in Celery's line
    /// format; a path that cannot be opened is a usage error naming it.
    static func bootstrap(path: String?, level name: String, processName: String) throws -> WorkerLogSink {
        let level = Logger.Level(celeryName: name) ?? .info
        let sink: WorkerLogSink
        do {
            sink = try WorkerLogSink(path: path)
        } catch {
            throw ValidationError("\(error)")
        }
        LoggingSystem.bootstrap { _ in WorkerLogHandler(sink: sink, logLevel: level, processName: processName) }
        return sink
    }
}

struct WorkerLogError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Celery's worker log format: `[2026-11-25 21:00:00,123: INFO/MainProcess] message`.
struct WorkerLogHandler: LogHandler {
    let sink: WorkerLogSink
    var logLevel: Logger.Level
    /// Celery's process name: MainProcess, or ForkPoolWorker-N in a pool child.
    var processName = "MainProcess"
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        sink.append("[\(Self.timestamp()): \(Self.name(event.level))/\(processName)] \(event.message)\n")
    }

    static func name(_ level: Logger.Level) -> String {
        switch level {
        case .trace, .debug: "DEBUG"
        case .info, .notice: "INFO"
        case .warning: "WARNING"
        case .error: "ERROR"
        case .critical: "CRITICAL"
        }
    }

    static func timestamp(_ date: Date = Date()) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        localtime_r(&seconds, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        return String(format: "%04d-%02d-%02d %02d:%02d:%02d,%03d", parts.tm_year + 1900, parts.tm_mon + 1,
                      parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec, min(999, max(0, millis)))
    }
}
