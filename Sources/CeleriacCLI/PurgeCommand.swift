import ArgumentParser
import Celeriac
import Foundation

/// `celeriac purge`: empty task queues, after asking.
struct PurgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete every waiting message from task queues.",
        discussion: "Asks before deleting unless -f is given. Messages a worker holds unacked are not touched."
    )

    @OptionGroup var app: AppOptions

    @Option(name: [.customShort("Q"), .long], help: "Comma-separated queues (default: the default queue).")
    var queues: String?

    @Flag(name: [.customShort("f"), .long], help: "Do not ask for confirmation.")
    var force = false

    func run() async throws {
        let configuration = try app.configuration()
        let names = (queues ?? configuration.defaultQueue).split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("-Q names no queue") }
        if !force {
            print("Delete all waiting messages in \(names.joined(separator: ", "))? [y/N] ", terminator: "")
            guard let answer = readLine(), ["y", "yes"].contains(answer.lowercased()) else {
                print("Nothing deleted.")
                return
            }
        }
        let celeriac = App(configuration)
        let removed = try await celeriac.purge(queues: names)
        await celeriac.close()
        let total = removed.values.reduce(0, +)
        for name in names {
            let count = removed[name] ?? 0
            print("\(name): \(count) message\(count == 1 ? "" : "s") deleted")
        }
        print("Purged \(total) message\(total == 1 ? "" : "s") from \(names.count) queue\(names.count == 1 ? "" : "s").")
    }
}
