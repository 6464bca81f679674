import CeleriacWorker
import Foundation
import NIOConcurrencyHelpers

/// The processes behind `celeriac demo`: the broker, the workers and the producer, started
/// in that order and stopped in the reverse — the producer first, the workers warm (they
/// finish what runs and say worker-offline while their broker is still there), the broker
/// last. Each logs to a file in the demo's directory. A child that exits while the demo runs
/// is noted, so the demo can say so instead of showing a cluster that is quietly gone.
actor DemoCluster {
    let executable: String
    let directory: String
    private var broker: DemoProcess?
    private var workers: [DemoProcess] = []
    private var producer: DemoProcess?
    private var beat: DemoProcess?
    private var stopping = false
    private let unexpectedExits = NIOLockedValueBox<[String]>([])

    init(executable: String, directory: String) {
        self.executable = executable
        self.directory = directory
    }

    /// The workers' results: a SQLite file beside the logs, so chords can count their parts
    /// and the dashboard can read groups and exact arguments.
    var resultBackend: String { "db+sqlite:///\(directory)/results.db" }
    private var configurationFile: String { directory + "/celeriac.toml" }

    /// Every process started so far, for the user (and the tests) to see by pid.
    var processes: [DemoProcess] { [broker].compactMap { $0 } + workers + [producer, beat].compactMap { $0 } }

    /// Children that exited before `stop`, with how.
    var failures: [String] { unexpectedExits.withLockedValue { $0 } }

    func startBroker() async throws -> EmbeddedBroker.Endpoints {
        let dataDirectory = directory + "/broker"
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        let (process, endpoints) = try await EmbeddedBroker.start(executable: executable, dataDirectory: dataDirectory,
                                                                  log: log("broker"))
        broker = process
        watch(process)
        return endpoints
    }

    func startWorkers(_ plans: [DemoWorkerPlan], brokerURL: String) throws {
        // result_extended has no flag: the workers read it from a file of their own, and the
        // beat its schedule.
        let settings = "result_backend = \"\(resultBackend)\"\nresult_extended = true\n\n" + Self.beatSchedule
        try settings.write(toFile: configurationFile, atomically: true, encoding: .utf8)
        for plan in plans {
            let arguments = [executable, "worker", "--config", configurationFile]
                + plan.arguments(brokerURL: brokerURL, logFile: log(plan.label))
            let process = try DemoProcess(name: plan.label, arguments: arguments,
                                           stdout: .file(log(plan.label), append: true), stderr: .file(log(plan.label), append: true))
            workers.append(process)
            watch(process)
        }
    }

    func startProducer(brokerURL: String, rate: Double) throws {
        let process = try DemoProcess(name: "producer",
                                       arguments: [executable, "demo", "--produce", "--broker", brokerURL, "--rate", "\(rate)",
                                                   "--results", resultBackend],
                                       stdout: .file(log("producer"), append: true), stderr: .file(log("producer"), append: true))
        producer = process
        watch(process)
    }

    /// The beat's database store: its entries can be edited on screen 5 (e) or with
    /// `celeriac beat edit --db` while the demo runs.
    var beatDatabase: String { directory + "/beat.db" }

    /// The demo's beat: an interval, a crontab and a solar entry, so screen 5 has each kind.
    static let beatSchedule = """
        [beat_schedule.add-every-10s]
        task = "demo.add"
        schedule = 10
        args = [4, 4]

        [beat_schedule.xsum-every-minute]
        task = "demo.xsum"
        crontab = "* * * * *"
        args = [[1, 2, 3]]

        [beat_schedule.noop-at-berlin-sunset]
        task = "demo.noop"
        solar = "sunset"
        latitude = 52.52
        longitude = 13.405

        """

    func startBeat(brokerURL: String) throws {
        let process = try DemoProcess(name: "beat",
                                       arguments: [executable, "beat", "--config", configurationFile, "-b", brokerURL,
                                                   "--scheduler", "db", "--db", beatDatabase],
                                       stdout: .file(log("beat"), append: true), stderr: .file(log("beat"), append: true))
        beat = process
        watch(process)
    }

    func stopProducer() async {
        stopping = true
        await producer?.stop([(SIGTERM, .seconds(3))])
        await beat?.stop([(SIGTERM, .seconds(3))])
    }

    /// Warm shutdown, as Celery's: running tasks finish (the demo's longest take a few
    /// seconds); a worker still busy after 20 s gets a cold shutdown, then SIGKILL.
    func stopWorkers() async {
        stopping = true
        await withTaskGroup(of: Void.self) { group in
            for worker in workers {
                group.addTask { await worker.stop([(SIGTERM, .seconds(20)), (SIGQUIT, .seconds(5))]) }
            }
        }
    }

    func stopBroker() async {
        stopping = true
        await broker?.stop([(SIGTERM, .seconds(5))])
    }

    /// Everything, in order; safe to call more than once and after a failed start.
    func stop() async {
        await stopProducer()
        await stopWorkers()
        await stopBroker()
    }

    private func log(_ name: String) -> String { "\(directory)/\(name).log" }

    private func watch(_ process: DemoProcess) {
        let (name, unexpectedExits) = (process.name, unexpectedExits)
        process.onExit { [weak self] status in
            Task {
                guard let self, await !self.stopping else { return }
                unexpectedExits.withLockedValue {
                    $0.append("\(name) (pid \(process.pid)) \(DemoProcess.describe(status)); see \(name).log")
                }
            }
        }
    }
}

/// One of the demo's workers: which pool, which queues, and its node name.
struct DemoWorkerPlan: Sendable, Equatable {
    var label: String
    var pool: String
    var extraArguments: [String]
    var queues: [String]

    var nodeName: String { "\(label)@%h" }

    func arguments(brokerURL: String, logFile: String) -> [String] {
        ["-A", "demo", "-b", brokerURL, "-E", "-n", nodeName, "-P", pool] + extraArguments
            + ["-Q", queues.joined(separator: ","), "-l", "info", "--logfile", logFile]
    }

    /// The first is the prefork worker with an autoscaler (it alone takes the CPU queue and the
    /// bursts), the second the async pool; more alternate, numbered from 2.
    static func plans(count: Int) -> [DemoWorkerPlan] {
        (0..<count).map { index in
            let suffix = index < 2 ? "" : "-\(index / 2 + 1)"
            if index % 2 == 0 {
                return DemoWorkerPlan(label: "demo-prefork" + suffix, pool: "prefork", extraArguments: ["--autoscale", "6,2"],
                                      queues: ["celery", DemoTaskMix.cpuQueue])
            }
            return DemoWorkerPlan(label: "demo-async" + suffix, pool: "async", extraArguments: ["-c", "20"], queues: ["celery"])
        }
    }
}
