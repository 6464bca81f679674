import ArgumentParser
import Foundation

/// `celeriac broker ctl`: rabbitmqctl's verbs for a running celeriac broker, over its
/// management API — so scripts written for rabbitmqctl work with a change of command name.
struct BrokerCtlCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ctl",
        abstract: "Administer a running celeriac broker, with rabbitmqctl's verbs.",
        discussion: """
            Verbs: list_queues, list_exchanges, list_bindings, list_connections, list_consumers, list_users, \
            list_vhosts, list_permissions [columns...]; add_user NAME PASSWORD, delete_user NAME, change_password \
            NAME PASSWORD, set_user_tags NAME TAG...; add_vhost NAME, delete_vhost NAME; set_permissions USER \
            CONF WRITE READ, clear_permissions USER; close_connection NAME REASON; purge_queue NAME, delete_queue \
            NAME; export_definitions FILE|-, import_definitions FILE|-; set_vm_memory_high_watermark 0.4|512MB, \
            set_disk_free_limit 50MB. -p VHOST picks the vhost (default /); -q leaves out the informational line.
            """
    )

    @Option(name: .customLong("management-url"), help: "The broker's management API, http://user:password@host:port.")
    var managementURL = "http://guest:guest@127.0.0.1:15672"

    @Argument(parsing: .captureForPassthrough, help: "The verb and its arguments, as rabbitmqctl takes them.")
    var words: [String] = []

    func run() async throws {
        var arguments: [String] = []
        var vhost = "/"
        var quiet = false
        var index = 0
        while index < words.count {
            switch words[index] {
            case "-p", "--vhost":
                guard index + 1 < words.count else { throw ValidationError("-p needs a vhost") }
                vhost = words[index + 1]
                index += 1
            case "-q", "--quiet": quiet = true
            case "-n", "--node":
                index += 1  // one broker per management URL: the node name is accepted and ignored
            default: arguments.append(words[index])
            }
            index += 1
        }
        guard let verb = arguments.first else {
            throw ValidationError("give a verb, e.g. 'celeriac broker ctl list_queues'; see --help")
        }
        let client = try BrokerAdminClient(url: managementURL)
        let ctl = BrokerCtl(client: client, vhost: vhost, quiet: quiet)
        try await ctl.run(verb, Array(arguments.dropFirst()))
    }
}
