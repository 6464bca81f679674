/// Names the broker makes up, in RabbitMQ's shapes: `amq.gen-` plus 22 URL-safe base64
/// characters for queues, `amq.ctag-` for consumer tags.
enum ServerGeneratedName {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")

    static func queue() -> String { "amq.gen-" + random(22) }
    static func consumerTag() -> String { "amq.ctag-" + random(22) }

    private static func random(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next(upperBound: UInt(alphabet.count)))] })
    }
}
