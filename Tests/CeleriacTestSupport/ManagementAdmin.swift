import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Administration through a broker's management HTTP API (RabbitMQ's, and later celeriac
/// broker's, which mirrors it): a test makes a virtual host of its own, so its workers,
/// events and mailboxes are alone there, whatever else runs on the broker.
public struct ManagementAdmin: Sendable {
    let base: URL
    let authorization: String
    let user: String

    /// `url`: http://user:password@host:port, as `--management-url` takes it.
    public init(url: String) throws {
        guard var parts = URLComponents(string: url), let user = parts.user, let password = parts.password else {
            throw AdminError("management URL \(url) needs http://user:password@host:port")
        }
        self.user = user
        authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        parts.user = nil
        parts.password = nil
        guard let base = parts.url else { throw AdminError("management URL \(url) is invalid") }
        self.base = base
    }

    /// Creates `vhost` and gives the URL's user every permission on it.
    public func createVirtualHost(_ vhost: String) async throws {
        try await send("PUT", "/api/vhosts/\(Self.encode(vhost))", body: "{}")
        try await send("PUT", "/api/permissions/\(Self.encode(vhost))/\(Self.encode(user))",
                       body: #"{"configure":".*","write":".*","read":".*"}"#)
    }

    public func deleteVirtualHost(_ vhost: String) async throws {
        try await send("DELETE", "/api/vhosts/\(Self.encode(vhost))", body: nil)
    }

    /// A policy on `vhost`: `definition` (JSON, e.g. {"delivery-limit": 1}) for the queues of
    /// `applyTo` (queues, classic_queues, quorum_queues) whose names match `pattern`.
    public func setPolicy(_ name: String, vhost: String, pattern: String, applyTo: String, definition: String) async throws {
        try await send("PUT", "/api/policies/\(Self.encode(vhost))/\(Self.encode(name))",
                       body: #"{"pattern":"\#(pattern)","apply-to":"\#(applyTo)","definition":\#(definition)}"#)
    }

    private func send(_ method: String, _ path: String, body: String?) async throws {
        guard let url = URL(string: base.absoluteString + path) else { throw AdminError("bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: 10)
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        guard (200..<300).contains(status) else {
            throw AdminError("\(method) \(path) answered \(status): \(String(decoding: data.prefix(200), as: UTF8.self))")
        }
    }

    static func encode(_ segment: String) -> String {
        segment.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? segment
    }
}

public struct AdminError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
