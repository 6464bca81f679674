/// The four exchange types RabbitMQ ships, by the names clients declare them with.
enum ExchangeType: String, Sendable, Hashable, CaseIterable {
    case direct, fanout, topic, headers

    init(declared name: String) throws(AMQPException) {
        guard let type = ExchangeType(rawValue: name) else {
            // RabbitMQ closes the connection here: an unknown type is a command error.
            throw .commandInvalid("invalid exchange type '\(name)'")
        }
        self = type
    }
}
