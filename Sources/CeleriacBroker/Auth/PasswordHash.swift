import Foundation

/// A password as RabbitMQ stores it (`rabbit_password_hashing_sha256`): base64 of a 4-byte
/// random salt followed by SHA-256(salt + password). No password is kept in the clear, and
/// definitions exported from RabbitMQ import here (and the other way round).
struct PasswordHash: Sendable, Hashable {
    let encoded: String

    static let algorithm = "rabbit_password_hashing_sha256"

    init(encoded: String) {
        self.encoded = encoded
    }

    init(password: String) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) }
        encoded = Data(salt + SHA256.hash(salt + Array(password.utf8))).base64EncodedString()
    }

    func matches(_ password: String) -> Bool {
        guard let bytes = Data(base64Encoded: encoded).map(Array.init), bytes.count == 36 else { return false }
        let salt = Array(bytes[0..<4])
        let expected = bytes[4...]
        let actual = SHA256.hash(salt + Array(password.utf8))
        // Compared in full whatever differs, so the time taken says nothing of where.
        return zip(expected, actual).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
