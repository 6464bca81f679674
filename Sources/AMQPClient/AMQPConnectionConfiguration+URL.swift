extension AMQPConnectionConfiguration {
    /// Celery's default broker URL.
    public static let celeryDefaultURL = "amqp://guest:guest@localhost:5672//"

    /// Parses `amqp://user:pass@host:port/vhost?options` the way kombu does: user, password and
    /// vhost are percent-decoded; an empty path means vhost "/", and so does "//" (Celery's
    /// default). Query options: heartbeat, frame_max, channel_max, connect_timeout,
    /// connection_name, and for amqps:// ssl_ca_certs, ssl_certfile, ssl_keyfile,
    /// ssl_cert_reqs (CERT_REQUIRED, CERT_OPTIONAL, CERT_NONE) and ssl_server_hostname.
    /// `heartbeat` and `connectTimeout` apply where the URL names none (an app's settings).
    public init(url: String, heartbeat defaultHeartbeat: UInt16 = defaultHeartbeat,
                connectTimeout defaultConnectTimeout: Double = defaultConnectTimeout) throws(AMQPURLError) {
        let scheme: String
        var rest: Substring
        if url.hasPrefix("amqp://") {
            scheme = "amqp"
            rest = url.dropFirst("amqp://".count)
        } else if url.hasPrefix("amqps://") {
            scheme = "amqps"
            rest = url.dropFirst("amqps://".count)
        } else {
            throw .unsupportedScheme(url: url)
        }
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        var path: Substring? = nil
        if let slash = rest.firstIndex(of: "/") {
            path = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
        }
        var username = "guest"
        var password = "guest"
        if let at = rest.lastIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            if let colon = userInfo.firstIndex(of: ":") {
                username = try Self.decode(userInfo[..<colon], part: "user name", url: url)
                password = try Self.decode(userInfo[userInfo.index(after: colon)...], part: "password", url: url)
            } else {
                username = try Self.decode(userInfo, part: "user name", url: url)
            }
        }
        let (host, port) = try Self.hostAndPort(rest, url: url)
        var vhost = "/"
        if let path, !path.isEmpty {
            vhost = try Self.decode(path, part: "virtual host", url: url)
        }

        var tls: TLSOptions? = scheme == "amqps" ? TLSOptions() : nil
        self.init(host: host.isEmpty ? "localhost" : host, port: port, virtualHost: vhost,
                  username: username, password: password, tls: tls, heartbeat: defaultHeartbeat, connectTimeout: defaultConnectTimeout)
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = String(parts[0])
            let value = try Self.decode(parts.count > 1 ? parts[1] : "", part: "option \(key)", url: url)
            switch key {
            case "heartbeat":
                heartbeat = try Self.number(value, option: key, url: url)
            case "frame_max":
                frameMax = try Self.number(value, option: key, url: url)
            case "channel_max":
                channelMax = try Self.number(value, option: key, url: url)
            case "connect_timeout", "connection_timeout":
                guard let seconds = Double(value), seconds > 0 else {
                    throw .invalidOption(name: key, value: value, expected: "a positive number of seconds")
                }
                connectTimeout = seconds
            case "connection_name":
                connectionName = value
            case "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_cert_reqs", "ssl_server_hostname":
                guard tls != nil else { throw .tlsOptionWithoutTLS(option: key, url: url) }
                switch key {
                case "ssl_ca_certs": tls!.caCertificatesFile = value
                case "ssl_certfile": tls!.certificateFile = value
                case "ssl_keyfile": tls!.keyFile = value
                case "ssl_server_hostname": tls!.serverName = value
                default:
                    guard let verification = TLSOptions.Verification(rawValue: value) else {
                        throw .invalidOption(name: key, value: value,
                                             expected: "CERT_REQUIRED, CERT_OPTIONAL or CERT_NONE")
                    }
                    tls!.verification = verification
                }
            default:
                throw .unknownOption(name: key)
            }
        }
        self.tls = tls
    }

    private static func hostAndPort(_ authority: Substring, url: String) throws(AMQPURLError) -> (String, Int?) {
        var hostPart = authority
        var portPart: Substring? = nil
        if authority.hasPrefix("[") {  // [::1]:5672
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost(url: url) }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portPart = after.dropFirst() } else if !after.isEmpty { throw .invalidHost(url: url) }
        } else if let colon = authority.lastIndex(of: ":") {
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        }
        var port: Int? = nil
        if let portPart, !portPart.isEmpty {
            guard let number = Int(portPart), (1...65535).contains(number) else {
                throw .invalidPort(String(portPart), url: url)
            }
            port = number
        }
        return (String(hostPart), port)
    }

    private static func number<T: FixedWidthInteger>(_ value: String, option: String, url: String) throws(AMQPURLError) -> T {
        guard let number = T(value) else {
            throw .invalidOption(name: option, value: value, expected: "a whole number from 0 to \(T.max)")
        }
        return number
    }

    private static func decode(_ part: Substring, part name: String, url: String) throws(AMQPURLError) -> String {
        var bytes: [UInt8] = []
        var iterator = part.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16)
                else { throw .invalidPercentEncoding(part: name, url: url) }
                bytes.append(value)
            } else {
                bytes.append(byte)
            }
        }
        guard let string = String(validating: bytes, as: UTF8.self) else {
            throw .invalidPercentEncoding(part: name, url: url)
        }
        return string
    }
}

/// Why a broker URL could not be used; each says what to write instead.
public enum AMQPURLError: Error, Sendable, Hashable, CustomStringConvertible {
    case unsupportedScheme(url: String)
    case invalidHost(url: String)
    case invalidPort(String, url: String)
    case invalidPercentEncoding(part: String, url: String)
    case invalidOption(name: String, value: String, expected: String)
    case unknownOption(name: String)
    case tlsOptionWithoutTLS(option: String, url: String)

    public var description: String {
        switch self {
        case .unsupportedScheme:
            return "the broker URL must start with amqp:// or amqps://, e.g. amqp://guest:guest@localhost:5672//"
        case .invalidHost:
            return "the broker URL's host is malformed; write an IPv6 address in brackets, e.g. amqp://[::1]:5672//"
        case .invalidPort(let port, _):
            return "the broker URL's port '\(port)' is not a number from 1 to 65535"
        case .invalidPercentEncoding(let part, _):
            return "the broker URL's \(part) has a bad %-escape; encode reserved characters as %XX (e.g. '/' as %2F)"
        case .invalidOption(let name, let value, let expected):
            return "broker URL option \(name)=\(value) is invalid; expected \(expected)"
        case .unknownOption(let name):
            return "unknown broker URL option '\(name)'; known: heartbeat, frame_max, channel_max, connect_timeout, connection_name, ssl_ca_certs, ssl_certfile, ssl_keyfile, ssl_cert_reqs, ssl_server_hostname"
        case .tlsOptionWithoutTLS(let option, _):
            return "option \(option) needs TLS; use an amqps:// URL"
        }
    }
}
