import NIOSSL

extension AMQPConnection {
    /// Builds the TLS context for amqps://, turning unreadable files into errors that name them.
    static func makeSSLContext(_ options: AMQPConnectionConfiguration.TLSOptions) throws -> NIOSSLContext {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch options.verification {
        case .required, .optional: tls.certificateVerification = .fullVerification
        case .none: tls.certificateVerification = .none
        }
        do {
            if let caFile = options.caCertificatesFile {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            }
        } catch {
            throw AMQPClientError.tlsFailed(reason: "cannot read ssl_ca_certs file '\(options.caCertificatesFile!)': \(error)")
        }
        if let certificateFile = options.certificateFile {
            do {
                tls.certificateChain = try NIOSSLCertificate.fromPEMFile(certificateFile).map { .certificate($0) }
            } catch {
                throw AMQPClientError.tlsFailed(reason: "cannot read ssl_certfile '\(certificateFile)': \(error)")
            }
            let keyFile = options.keyFile ?? certificateFile
            do {
                tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: keyFile, format: .pem))
            } catch {
                throw AMQPClientError.tlsFailed(reason: "cannot read ssl_keyfile '\(keyFile)': \(error)")
            }
        }
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw AMQPClientError.tlsFailed(reason: "\(error)")
        }
    }
}
