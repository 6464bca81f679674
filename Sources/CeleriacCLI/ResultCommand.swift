import ArgumentParser
import Celeriac

/// `celeriac result`: read a task's result from a stored backend.
struct ResultCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "result",
        abstract: "Show a task's state and result from the result backend.",
        discussion: """
            Reads a stored backend (db+sqlite://). rpc:// results go only to the process that \
            sent the task: use 'celeriac call --wait' for those. Exit status 2 when the task failed \
            or was revoked, 3 when it is still pending.
            """
    )

    @OptionGroup var app: AppOptions

    @Argument(help: "The task id.")
    var id: String

    @Flag(help: "Wait until the task is ready.")
    var wait = false

    @Option(help: "With --wait: give up after this many seconds.")
    var timeout: Double?

    @Flag(help: "Show the traceback of a failed task.")
    var traceback = false

    func run() async throws {
        let configuration = try app.configuration()
        guard let url = configuration.resultBackend else {
            throw ValidationError(ResultError.noBackendConfigured.description)
        }
        if url.hasPrefix("rpc://") {
            throw ValidationError(ResultError.notReadableHere(taskID: id, backend: url).description)
        }
        let celeriac = App(configuration)
        let result = try await celeriac.result(id)
        let meta = wait ? try await result.wait(timeout: timeout) : try await result.meta()
        await celeriac.close()
        guard let meta else {
            print("PENDING")
            throw ExitCode(3)
        }
        try ResultPrinter.print(meta, traceback: traceback)
    }
}
