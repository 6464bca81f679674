import NIOCore

/// Where and how to connect. Usually made from a URL:
/// `try AMQPConnectionConfiguration(url: "amqp://guest:guest@localhost:5672//")`.
public struct AMQPConnectionConfiguration: Sendable, Hashable {
    public var host: String
    public var port: Int
    public var virtualHost: String
    public var username: String
    public var password: String
    /// Set for amqps://; nil means plain TCP.
    public var tls: TLSOptions?
    /// Seconds between heartbeats we ask for; 0 turns them off. The lower of ours and the
    /// server's nonzero value wins.
    public var heartbeat: UInt16
    /// The largest frame we accept; 0 takes the server's.
    public var frameMax: UInt32
    /// The most channels we open; 0 takes the server's.
    public var channelMax: UInt16
    /// Seconds to wait for TCP, TLS and the AMQP handshake together.
    public var connectTimeout: Double
    /// Shown in the RabbitMQ management UI and `rabbitmqctl list_connections`.
    public var connectionName: String?

    /// The TLS settings of an amqps:// URL, named as kombu's `ssl_*` query options are.
    public struct TLSOptions: Sendable, Hashable {
        public enum Verification: String, Sendable, Hashable {
            /// Verify the chain and the host name (the default, and Python's CERT_REQUIRED).
            case required = "CERT_REQUIRED"
            /// Same as required for a client: a server always presents a certificate.
            case optional = "CERT_OPTIONAL"
            /// Accept any certificate: only for tests and private networks.
            case none = "CERT_NONE"
        }

        public var verification: Verification
        /// PEM file with the CAs that may sign the server's certificate; nil uses the system's.
        public var caCertificatesFile: String?
        /// PEM client certificate and key, for brokers that ask for one.
        public var certificateFile: String?
        public var keyFile: String?
        /// The name checked against the certificate and sent as SNI; nil uses the host.
        public var serverName: String?

        public init(verification: Verification = .required, caCertificatesFile: String? = nil,
                    certificateFile: String? = nil, keyFile: String? = nil, serverName: String? = nil) {
            self.verification = verification
            self.caCertificatesFile = caCertificatesFile
            self.certificateFile = certificateFile
            self.keyFile = keyFile
            self.serverName = serverName
        }
    }

    /// Seconds between heartbeats, and to connect, when nobody says otherwise.
    public static let defaultHeartbeat: UInt16 = 60
    public static let defaultConnectTimeout: Double = 10

    public init(host: String = "localhost", port: Int? = nil, virtualHost: String = "/",
                username: String = "guest", password: String = "guest", tls: TLSOptions? = nil,
                heartbeat: UInt16 = defaultHeartbeat, frameMax: UInt32 = 131_072, channelMax: UInt16 = 2047,
                connectTimeout: Double = defaultConnectTimeout, connectionName: String? = nil) {
        self.host = host
        self.port = port ?? (tls == nil ? AMQP.defaultPort : AMQP.defaultTLSPort)
        self.virtualHost = virtualHost
        self.username = username
        self.password = password
        self.tls = tls
        self.heartbeat = heartbeat
        self.frameMax = frameMax
        self.channelMax = channelMax
        self.connectTimeout = connectTimeout
        self.connectionName = connectionName
    }

    /// The URL without the password, for logs and error messages.
    public var redactedURL: String {
        let scheme = tls == nil ? "amqp" : "amqps"
        let vhost = virtualHost == "/" ? "/" : percentEncode(virtualHost)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(scheme)://\(username)@\(hostPart):\(port)/\(vhost)"
    }
}

func percentEncode(_ string: String) -> String {
    var out = ""
    for byte in string.utf8 {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            out.unicodeScalars.append(Unicode.Scalar(byte))
        default:
            out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
        }
    }
    return out
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
