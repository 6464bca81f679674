import NIOCore

extension SocketAddress {
    /// Whether a peer came over loopback, where RabbitMQ lets `guest` in (loopback_users).
    var isLoopback: Bool {
        guard let ip = ipAddress else { return self.protocol == .unix }
        return ip.hasPrefix("127.") || ip == "::1" || ip.hasPrefix("::ffff:127.")
    }
}
