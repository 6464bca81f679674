import AMQPClient
import Testing

@Suite struct ConnectionConfigurationURLTests {
    @Test func celerysDefaultURLMeansTheRootVirtualHost() throws {
        let configuration = try AMQPConnectionConfiguration(url: AMQPConnectionConfiguration.celeryDefaultURL)
        #expect(configuration.host == "localhost")
        #expect(configuration.port == 5672)
        #expect(configuration.virtualHost == "/")
        #expect(configuration.username == "guest")
        #expect(configuration.password == "guest")
        #expect(configuration.tls == nil)
    }

    @Test(arguments: [
        ("amqp://h", "/"), ("amqp://h/", "/"), ("amqp://h//", "/"), ("amqp://h/%2F", "/"),
        ("amqp://h/prod", "prod"), ("amqp://h/a%2Fb", "a/b"),
    ])
    func virtualHostsFollowKombu(url: String, vhost: String) throws {
        #expect(try AMQPConnectionConfiguration(url: url).virtualHost == vhost)
    }

    @Test func credentialsArePercentDecoded() throws {
        let configuration = try AMQPConnectionConfiguration(url: "amqp://us%40er:p%3Ass%2Fw@rabbit.example:5673/v")
        #expect(configuration.username == "us@er")
        #expect(configuration.password == "p:ss/w")
        #expect(configuration.host == "rabbit.example")
        #expect(configuration.port == 5673)
        #expect(!configuration.redactedURL.contains("p:ss"))
    }

    @Test func ipv6HostsAreBracketed() throws {
        let configuration = try AMQPConnectionConfiguration(url: "amqp://[::1]:5680//")
        #expect(configuration.host == "::1")
        #expect(configuration.port == 5680)
    }

    @Test func amqpsTakesKombusSSLOptions() throws {
        let url = "amqps://u:p@broker/v?ssl_ca_certs=/ca.pem&ssl_certfile=/c.pem&ssl_keyfile=/k.pem&ssl_cert_reqs=CERT_NONE&heartbeat=30"
        let configuration = try AMQPConnectionConfiguration(url: url)
        #expect(configuration.port == 5671)
        #expect(configuration.heartbeat == 30)
        let tls = try #require(configuration.tls)
        #expect(tls.caCertificatesFile == "/ca.pem")
        #expect(tls.certificateFile == "/c.pem")
        #expect(tls.keyFile == "/k.pem")
        #expect(tls.verification == .none)
        #expect(try AMQPConnectionConfiguration(url: "amqps://broker").tls?.verification == .required)
    }

    @Test func badURLsSayWhatToFix() {
        #expect(throws: AMQPURLError.unsupportedScheme(url: "redis://x")) {
            try AMQPConnectionConfiguration(url: "redis://x")
        }
        #expect(throws: AMQPURLError.invalidPort("99999", url: "amqp://h:99999/")) {
            try AMQPConnectionConfiguration(url: "amqp://h:99999/")
        }
        #expect(throws: AMQPURLError.tlsOptionWithoutTLS(option: "ssl_ca_certs", url: "amqp://h/?ssl_ca_certs=x")) {
            try AMQPConnectionConfiguration(url: "amqp://h/?ssl_ca_certs=x")
        }
        #expect(throws: AMQPURLError.unknownOption(name: "hearbeat")) {
            try AMQPConnectionConfiguration(url: "amqp://h/?hearbeat=5")
        }
        #expect(throws: AMQPURLError.invalidPercentEncoding(part: "password", url: "amqp://u:%zz@h/")) {
            try AMQPConnectionConfiguration(url: "amqp://u:%zz@h/")
        }
        #expect(AMQPURLError.unknownOption(name: "hearbeat").description.contains("heartbeat"))
    }
}
