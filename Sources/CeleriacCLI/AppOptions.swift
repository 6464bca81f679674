import ArgumentParser
import Celeriac

/// The options every command that talks to a cluster shares: where the broker and the
/// results are, and which configuration file to read. Flags beat the environment, which
/// beats the file, which beats the app's code.
public struct AppOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .long], help: "Broker URL (default: broker_url, amqp://guest:guest@localhost:5672//).")
    var broker: String?

    @Option(name: .customLong("result-backend"), help: "Result backend URL: rpc://, db+sqlite:///PATH, redis://HOST:PORT/DB.")
    var resultBackend: String?

    @Option(name: .customLong("config"), help: "Configuration file (default: ./celeriac.toml when present).")
    var configFile: String?

    public init() {}

    /// The configuration these options, the environment and the file give on top of `base`.
    public func configuration(base: CeleriacConfiguration = CeleriacConfiguration()) throws -> CeleriacConfiguration {
        var flags: [String: String] = [:]
        if let broker { flags["broker_url"] = broker }
        if let resultBackend { flags["result_backend"] = resultBackend }
        do {
            return try CeleriacConfiguration.load(base: base, file: configFile, flags: flags)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
