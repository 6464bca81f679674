import AMQPProtocol
import NIOCore

/// The credentials in connection.start-ok, for the two mechanisms clients use: PLAIN
/// (pika, our client: "\0user\0password") and AMQPLAIN (py-amqp, hence Celery: a field
/// table without its length prefix holding LOGIN and PASSWORD).
enum SASLResponse {
    static let mechanisms = "PLAIN AMQPLAIN"

    static func credentials(mechanism: String, response: String) -> (user: String, password: String)? {
        switch mechanism {
        case "PLAIN":
            let parts = response.split(separator: "\u{0}", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return nil }
            return (String(parts[1]), String(parts[2]))
        case "AMQPLAIN":
            var buffer = ByteBuffer()
            buffer.writeInteger(UInt32(response.utf8.count))
            buffer.writeString(response)
            guard let table = try? buffer.readAMQPTable(),
                  case .string(let user)? = table["LOGIN"], case .string(let password)? = table["PASSWORD"]
            else { return nil }
            return (user, password)
        default:
            return nil
        }
    }
}
