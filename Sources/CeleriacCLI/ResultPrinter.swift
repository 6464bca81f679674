import ArgumentParser
import Celeriac

/// Prints a result for people: the state, then the value or the error.
enum ResultPrinter {
    static func print(_ meta: ResultMeta, traceback: Bool) throws {
        Swift.print("\(meta.status): \(meta.result.serialized)")
        if traceback, let text = meta.traceback { Swift.print(text, terminator: text.hasSuffix("\n") ? "" : "\n") }
        if meta.status == .failure || meta.status == .revoked { throw ExitCode(2) }
    }
}
