@testable import CeleriacBroker
import Testing

struct PasswordHashTests {
    @Test func sha256MatchesTheStandardVectors() {
        let hex = { (bytes: [UInt8]) in bytes.map { String(format: "%02x", $0) }.joined() }
        #expect(hex(SHA256.hash(Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(SHA256.hash([])) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // Two blocks: the padding spills into a second one.
        #expect(hex(SHA256.hash(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// The example hash of "test12" from RabbitMQ's documentation on passwords.
    @Test func aHashRabbitMQMadeIsAccepted() {
        let hash = PasswordHash(encoded: "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR")
        #expect(hash.matches("test12"))
        #expect(!hash.matches("test13"))
    }

    @Test func eachHashHasItsOwnSalt() {
        let first = PasswordHash(password: "secret")
        let second = PasswordHash(password: "secret")
        #expect(first != second)
        #expect(first.matches("secret") && second.matches("secret"))
        #expect(!PasswordHash(encoded: "not base64 at all").matches("secret"))
    }
}
