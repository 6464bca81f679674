import Celeriac
import Foundation

/// The demo's producer process (`celeriac demo --produce`): sends the task mix at `rate`
/// tasks a second, with task-sent events on (so the dashboard knows each task's queue before
/// a worker takes it), until it is stopped. A send that fails is logged and the flow goes on:
/// the demo's broker may be restarting, or the user's may be briefly away.
struct DemoProducer {
    let brokerURL: String
    /// Where the workers keep results; chords count their parts there.
    let resultBackend: String?
    let rate: Double

    func run() async throws {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = brokerURL
        configuration.resultBackend = resultBackend
        configuration.sendSentEvent = true
        let app = App(configuration)
        var random: any RandomNumberGenerator = SystemRandomNumberGenerator()
        let clock = ContinuousClock()
        let start = clock.now
        let interval = Duration.seconds(1 / rate)
        var due = start
        var previousElapsed = 0.0
        var sent = 0
        var opening = DemoTaskMix.opening(using: &random)
        while !Task.isCancelled {
            let elapsed = (clock.now - start).inSeconds
            var calls = [opening.isEmpty ? DemoTaskMix.next(using: &random) : opening.removeFirst()]
            if DemoTaskMix.burstDue(previousElapsed: previousElapsed, elapsed: elapsed) {
                calls += DemoTaskMix.burst(using: &random)
            }
            previousElapsed = elapsed
            for call in calls {
                do {
                    if let workflow = call.workflow {
                        try await app.apply(workflow, expectResult: false)
                    } else {
                        try await app.send(call.name, args: call.args, options: call.options, expectResult: false)
                    }
                    sent += 1
                } catch {
                    FileHandle.standardError.write(Data("demo producer: could not send \(call.name) (\(sent) sent so far): \(error)\n".utf8))
                    try await Task.sleep(for: .seconds(1))  // a broker that is away: try again later
                }
            }
            due = max(due + interval, clock.now - interval * 10)  // after a stall, no catch-up flood
            try await Task.sleep(until: due, clock: clock)  // the pace of the flow itself
        }
    }
}
