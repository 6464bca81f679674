// The README's code, compiled with the tests so the examples cannot rot. Never run:
// they need a broker on localhost.
import AMQPClient
import Celeriac

func readmeClient() async throws {
    let connection = try await AMQPConnection.connect(url: "amqp://guest:guest@localhost:5672//")
    let channel = try await connection.openChannel()
    try await channel.queueDeclare("celery", durable: true)
    try await channel.confirmSelect()
    try await channel.publish(ByteBuffer(string: "hello"), routingKey: "celery",
                              properties: AMQPBasicProperties(deliveryMode: 2))
    try await channel.waitForConfirms()
    for try await delivery in try await channel.consume(queue: "celery") {
        print(String(buffer: delivery.body))
        try delivery.ack()
    }
}

private struct Add: Codable, Sendable { var x: Int; var y: Int }

func readmeTask() async throws {
    let app = App(try CeleriacConfiguration.load())
    let add = try app.register(TaskDefinition<Add, Int>("proj.add", argumentNames: ["x", "y"],
                                                        options: TaskOptions(queue: "math", maxRetries: 5)) { context, a in
        a.x + a.y
    })
    let answer = try await add.delay(Add(x: 20, y: 22), on: app).get(Int.self, timeout: 10)
    _ = answer
}

func readmePython() async throws {
    var configuration = CeleriacConfiguration()
    configuration.brokerURL = "amqp://guest:guest@localhost:5672//"
    configuration.resultBackend = "rpc://"
    let app = App(configuration)
    let sum = try await app.send("proj.add", args: [2, 3]).get(Int.self, timeout: 10)
    let report = try await app.send("reports.daily", kwargs: ["day": "2026-11-25"],
                                    options: TaskSendOptions(countdown: 60, queue: "reports"))
    try await app.revoke(report.id)
    let pongs = try await app.control().broadcast(.ping(), timeout: 1)
    _ = (sum, pongs)
}

func readmeWorkflows() async throws {
    var configuration = CeleriacConfiguration()
    configuration.resultBackend = "redis://localhost:6379/0"   // chords need redis:// or db+sqlite://
    let app = App(configuration)

    let total = try await app.apply(Signature.s("demo.add", 1, 2) | .s("demo.mul", 10) | .s("demo.add", 5))
        .get(timeout: 10)                                                                  // 35
    let squares = try await app.apply(.group((1...4).map { Signature.s("demo.mul", .int($0), .int($0)) }))
        .get(timeout: 10)                                                                  // [1, 4, 9, 16]
    let sum = try await app.apply(.chord([.s("demo.add", 1, 1), .s("demo.add", 2, 2)], body: .s("demo.xsum")))
        .get(timeout: 10)                                                                  // 6
    let linked = Signature.s("demo.add", 1, 1).set(["link": [Signature.si("demo.noop").json],
                                                    "link_error": [Signature.s("demo.fail").json]])
    try await app.apply(linked)
    _ = (total, squares, sum)
}
