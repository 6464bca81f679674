import Celeriac
import Foundation
import Testing

@Suite("celeriac call, result, purge")
struct CallResultPurgeTests {
    @Test func versionIsPrinted() throws {
        let output = try CeleriacBinary.run(["--version"])
        #expect(output.status == 0)
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0")
    }

    @Test func invalidJSONPointsAtTheMistake() throws {
        let output = try CeleriacBinary.run(["call", "fix.add", "--args", "[2, 3"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("--args is not valid JSON"))
        #expect(output.stderr.contains("     ^"))
    }

    @Test func argsMustBeAList() throws {
        let output = try CeleriacBinary.run(["call", "fix.add", "--args", "{\"x\": 1}"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("must be a JSON list"))
    }

    @Test func canvasFlagsAreCheckedBeforeAnythingIsSent() throws {
        let both = try CeleriacBinary.run(["call", "demo.add", "--signature", "{\"task\": \"demo.add\"}"])
        #expect(both.status == 64 && both.stderr.contains("not both"), "\(both.stderr)")
        let neither = try CeleriacBinary.run(["call"])
        #expect(neither.status == 64 && neither.stderr.contains("--signature"), "\(neither.stderr)")
        let nameless = try CeleriacBinary.run(["call", "demo.add", "--then", ":[1]"])
        #expect(nameless.status == 64 && nameless.stderr.contains("no task name"), "\(nameless.stderr)")
        let badArgs = try CeleriacBinary.run(["call", "demo.add", "--link", "demo.mul:{\"x\": 1}"])
        #expect(badArgs.status == 64 && badArgs.stderr.contains("must be a JSON list"), "\(badArgs.stderr)")
        let notASignature = try CeleriacBinary.run(["call", "--signature", "[1, 2]"])
        #expect(notASignature.status == 64 && notASignature.stderr.contains("not a Celery signature"), "\(notASignature.stderr)")
        let mixed = try CeleriacBinary.run(["call", "--signature", "{\"task\": \"demo.add\"}", "--args", "[1]"])
        #expect(mixed.status == 64 && mixed.stderr.contains("put them in the JSON"), "\(mixed.stderr)")
    }

    @Test func badPriorityAndBadSettingsAreRefused() throws {
        #expect(try CeleriacBinary.run(["call", "t", "--priority", "300"]).stderr.contains("0 to 255"))
        let badBroker = try CeleriacBinary.run(["call", "t", "-b", "redis://nowhere"])
        #expect(badBroker.status != 0)
        #expect(badBroker.stderr.contains("amqp://"))
    }

    @Test func rpcResultsAreOnlyForTheirSender() throws {
        let output = try CeleriacBinary.run(["result", "some-id", "--result-backend", "rpc://"])
        #expect(output.status == 64)
        #expect(output.stderr.contains("only to the process that sent the task"))
    }

    @Test(.enabled(if: CeleriacBinary.amqpURL != nil))
    func unknownIDsArePendingInAStoredBackend() throws {
        let path = NSTemporaryDirectory() + "cli-\(UUID().uuidString).db"
        let output = try CeleriacBinary.run(["result", UUID().uuidString, "--result-backend", "db+sqlite:///" + path,
                                             "-b", CeleriacBinary.amqpURL!])
        #expect(output.status == 3)
        #expect(output.stdout == "PENDING\n")
    }

    @Test(.enabled(if: CeleriacBinary.amqpURL != nil))
    func callThenPurgeCountsTheWaitingTasks() throws {
        let broker = CeleriacBinary.amqpURL!
        let queue = "cli-\(UUID().uuidString.prefix(8))"
        for _ in 0..<2 {
            let sent = try CeleriacBinary.run(["call", "nobody.listens", "--args", "[1]", "-Q", queue, "-b", broker])
            #expect(sent.status == 0, "\(sent.stderr)")
            #expect(UUID(uuidString: sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) != nil)
        }
        let declined = try CeleriacBinary.run(["purge", "-Q", queue, "-b", broker], input: "n\n")
        #expect(declined.stdout.contains("Nothing deleted."))
        let purged = try CeleriacBinary.run(["purge", "-Q", queue, "-f", "-b", broker])
        #expect(purged.status == 0)
        #expect(purged.stdout.contains("\(queue): 2 messages deleted"))
    }
}
