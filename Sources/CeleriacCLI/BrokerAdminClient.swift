import CeleriacMonitor
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The management API as an administrator uses it: any verb, a JSON body, the status back.
/// `celeriac broker ctl` is built on it, as rabbitmqctl is built on talking to the node.
struct BrokerAdminClient: Sendable {
    let base: URL
    let authorization: String

    /// `http://user:password@host:port` (guest/guest when no credentials are given).
    init(url: String) throws {
        guard var parts = URLComponents(string: url), parts.scheme == "http" || parts.scheme == "https", parts.host != nil else {
            throw CommandFailure("--management-url \(url): expected http://user:password@host:port")
        }
        let user = parts.user ?? "guest"
        let password = parts.password ?? "guest"
        authorization = "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        parts.user = nil
        parts.password = nil
        parts.path = ""
        guard let base = parts.url else { throw CommandFailure("--management-url \(url) is not a URL") }
        self.base = base
    }

    /// Seconds a request may take.
    static let timeout: Double = 30

    /// Sends the request; a status outside 2xx is an error carrying the broker's reason.
    @discardableResult
    func send(_ method: String, _ path: String, body: Any? = nil, headers: [String: String] = [:]) async throws -> Any? {
        guard let url = URL(string: base.absoluteString + "/api" + path) else { throw CommandFailure("bad path \(path)") }
        var request = URLRequest(url: url, timeoutInterval: Self.timeout)
        request.httpMethod = method
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = try JSONSerialization.data(withJSONObject: body) }
        let decliner = AuthChallengeDecliner()
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await ManagementAPI.fetchLettingACancelledRequestFinish(
                request, timeout: Self.timeout, challenges: decliner)
        } catch {
            if decliner.declinedAChallenge { throw CommandFailure("the broker refused the credentials in --management-url") }
            throw CommandFailure("cannot reach the management API at \(base.absoluteString): \(error.localizedDescription); is the broker running with its management port there?")
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let json = data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        guard (200..<300).contains(status) else {
            let reason = (json as? [String: Any])?["reason"] as? String ?? String(decoding: data.prefix(300), as: UTF8.self)
            throw CommandFailure("\(method) /api\(path): \(status) \(reason)")
        }
        return json
    }

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? text
    }
}
