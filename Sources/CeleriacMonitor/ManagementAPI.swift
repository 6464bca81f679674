import Celeriac
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A queue's figures as the management API reports them (RabbitMQ's field names; celeriac
/// broker will mirror them).
public struct ManagedQueue: Sendable, Hashable {
    public var name: String
    public var vhost: String
    /// `messages_ready`
    public var ready: Int
    /// `messages_unacknowledged`
    public var unacknowledged: Int
    /// `consumers`
    public var consumers: Int
    /// `message_stats.publish_details.rate`, messages per second.
    public var publishRate: Double?
    /// `message_stats.deliver_get_details.rate`
    public var deliverRate: Double?
    /// `message_stats.ack_details.rate`
    public var ackRate: Double?
    /// `head_message_timestamp` (seconds since 1970), when the broker reports it: only for
    /// a ready head message published with a timestamp property.
    public var headMessageTimestamp: Double?

    public init(name: String, vhost: String = "/", ready: Int = 0, unacknowledged: Int = 0, consumers: Int = 0,
                publishRate: Double? = nil, deliverRate: Double? = nil, ackRate: Double? = nil,
                headMessageTimestamp: Double? = nil) {
        self.name = name
        self.vhost = vhost
        self.ready = ready
        self.unacknowledged = unacknowledged
        self.consumers = consumers
        self.publishRate = publishRate
        self.deliverRate = deliverRate
        self.ackRate = ackRate
        self.headMessageTimestamp = headMessageTimestamp
    }
}

extension ManagedQueue {
    /// One element of `GET /api/queues`; nil when it has no name. RabbitMQ leaves the figures
    /// out until it has sampled the queue once (one `collect_statistics_interval`, 5 s by
    /// default, after the declare), so missing counts read as 0 and missing rates as nil.
    init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue else { return nil }
        let stats = json["message_stats"]
        self.init(name: name,
                  vhost: json["vhost"]?.stringValue ?? "/",
                  ready: json["messages_ready"]?.intValue ?? 0,
                  unacknowledged: json["messages_unacknowledged"]?.intValue ?? 0,
                  consumers: json["consumers"]?.intValue ?? 0,
                  publishRate: stats?["publish_details"]?["rate"]?.doubleValue,
                  deliverRate: stats?["deliver_get_details"]?["rate"]?.doubleValue,
                  ackRate: stats?["ack_details"]?["rate"]?.doubleValue,
                  headMessageTimestamp: json["head_message_timestamp"]?.doubleValue)
    }
}

/// Read-only client for RabbitMQ's management HTTP API (the `rabbitmq_management` plugin),
/// which the dashboard polls for queue depths and rates: AMQP itself only tells a queue's
/// ready count and consumers, one passive declare per queue.
public struct ManagementAPI: Sendable {
    /// The URL as given, without its password: for messages and logs.
    public let displayURL: String
    /// `scheme://host[:port]`, no credentials.
    let origin: String
    /// Percent-encoded path prefix without a trailing slash ("" for none), for an API behind
    /// a reverse proxy at e.g. `/rabbitmq`.
    let pathPrefix: String
    let username: String
    let password: String
    let requestTimeout: Double

    /// `http://user:pass@host:port` (optionally with a path prefix); credentials from the URL
    /// (guest/guest when absent, as for AMQP URLs), `/api/...` appended by us. Without a port
    /// the scheme's own (80/443) applies, as for any http URL: RabbitMQ's is 15672.
    public init(url: String, requestTimeout: Double = 5) throws(ManagementAPIError) {
        let shown = Self.redactingPassword(in: url)
        guard let components = URLComponents(string: url) else {
            throw .invalidURL(shown, reason: "it is not a URL (expected e.g. http://guest:guest@localhost:15672)")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            let given = components.scheme.map { "\($0)://" } ?? "no scheme"
            throw .invalidURL(shown, reason: "the management API speaks http or https, not \(given) "
                + "(expected e.g. http://guest:guest@localhost:15672)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw .invalidURL(shown, reason: "it has no host")
        }
        if let port = components.port, !(1...65535).contains(port) {
            throw .invalidURL(shown, reason: "port \(port) is outside 1-65535")
        }
        guard components.query == nil, components.fragment == nil else {
            throw .invalidURL(shown, reason: "a query or fragment has no meaning here; give user, password, "
                + "host, port and at most a path prefix")
        }

        var origin = components
        origin.scheme = scheme
        origin.user = nil
        origin.password = nil
        origin.percentEncodedPath = ""
        var display = components
        display.password = nil
        guard let originString = origin.string, let displayString = display.string else {
            throw .invalidURL(shown, reason: "it cannot be rebuilt without its credentials")
        }

        var prefix = components.percentEncodedPath
        while prefix.hasSuffix("/") { prefix.removeLast() }

        self.displayURL = displayString
        self.origin = originString
        self.pathPrefix = prefix
        self.username = components.user ?? "guest"
        self.password = components.password ?? "guest"
        self.requestTimeout = requestTimeout
    }

    /// Every queue (`GET /api/queues`), or those of one vhost (`GET /api/queues/{vhost}`).
    public func queues(vhost: String? = nil) async throws(ManagementAPIError) -> [ManagedQueue] {
        let path = Self.queuesPath(vhost: vhost)
        let json = try await get(path)
        guard let list = json.arrayValue else {
            throw .notManagementAPI(path: pathPrefix + path, preview: "expected a list of queues, got "
                + Self.preview(json.serializedBytes))
        }
        var queues: [ManagedQueue] = []
        queues.reserveCapacity(list.count)
        for element in list {
            guard let queue = ManagedQueue(json: element) else {
                throw .notManagementAPI(path: pathPrefix + path, preview: "a queue without a name: "
                    + Self.preview(element.serializedBytes))
            }
            queues.append(queue)
        }
        return queues
    }

    /// `GET /api/overview`: the broker's versions, totals and rates, as the JSON it is.
    public func overview() async throws(ManagementAPIError) -> JSONValue {
        let path = "/api/overview"
        let json = try await get(path)
        guard json.objectValue != nil else {
            throw .notManagementAPI(path: pathPrefix + path, preview: Self.preview(json.serializedBytes))
        }
        return json
    }

    // MARK: - HTTP

    var authorization: String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    /// The request URL for an API path, with no credentials in it (they go in a header, so
    /// no URL that reaches an error or a log carries the password).
    func requestURL(_ path: String) -> URL? {
        URL(string: origin + pathPrefix + path)
    }

    private func get(_ path: String) async throws(ManagementAPIError) -> JSONValue {
        guard let url = requestURL(path) else {
            throw .invalidURL(displayURL, reason: "cannot append \(path) to it")
        }
        var request = URLRequest(url: url, cachePolicy: .reloadIgnoringLocalCacheData, timeoutInterval: requestTimeout)
        request.httpMethod = "GET"
        request.setValue(authorization, forHTTPHeaderField: "Authorization")
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        let challenges = AuthChallengeDecliner()
        let answer: (Data, URLResponse)
        do {
            answer = try await Self.fetchLettingACancelledRequestFinish(request, timeout: requestTimeout, challenges: challenges)
        } catch {
            if challenges.declinedAChallenge { throw .unauthorized(user: username) }
            throw Self.classify(error, url: displayURL, path: pathPrefix + path, timeout: requestTimeout)
        }
        guard let response = answer.1 as? HTTPURLResponse else {
            throw .notManagementAPI(path: pathPrefix + path, preview: "the answer is not HTTP")
        }
        return try Self.decode(status: response.statusCode, body: Array(answer.0), path: pathPrefix + path,
                               user: username)
    }

    /// What a failed request means for the user. Works on the NSError form because that is
    /// what FoundationNetworking (libcurl) throws on Linux and what URLError bridges to on macOS.
    static func classify(_ error: any Error, url: String, path: String, timeout: Double) -> ManagementAPIError {
        if error is CancellationError { return .unreachable(url: url, reason: "the request was cancelled") }
        let nsError = error as NSError
        guard nsError.domain == NSURLErrorDomain else {
            return .unreachable(url: url, reason: nsError.localizedDescription)
        }
        switch URLError.Code(rawValue: nsError.code) {
        case .timedOut:
            return .timeout(url: url, seconds: timeout)
        case .cancelled:
            return .unreachable(url: url, reason: "the request was cancelled")
        // Something answered, but not in HTTP. An AMQP port does exactly this: it replies
        // with its protocol header "AMQP\0\0\t\u{1}" and closes. libcurl calls that an
        // unsupported protocol (HTTP/0.9, which it refuses), or a reset if the close wins the
        // race; CFNetwork calls it a bad server response.
        case .unsupportedURL, .badServerResponse, .cannotParseResponse, .zeroByteResource,
             .networkConnectionLost, .unknown:
            return .notManagementAPI(path: path, preview: "no HTTP answer: \(nsError.localizedDescription)")
        default:
            return .unreachable(url: url, reason: nsError.localizedDescription)
        }
    }

    /// The JSON of an answer, or the error its status and body mean.
    static func decode(status: Int, body: [UInt8], path: String, user: String) throws(ManagementAPIError) -> JSONValue {
        let json = try? JSONValue(parsing: body)
        switch status {
        case 200..<300:
            guard let json else { throw .notManagementAPI(path: path, preview: preview(body)) }
            return json
        case 401:
            throw .unauthorized(user: user)
        case 404 where json == nil:
            // RabbitMQ's own 404s are JSON ({"error":"Object Not Found",...}); a page of any
            // other kind means another server is listening there.
            throw .notManagementAPI(path: path, preview: "HTTP 404: " + preview(body))
        default:
            throw .httpStatus(status, path: path)
        }
    }

    static func queuesPath(vhost: String?) -> String {
        guard let vhost else { return "/api/queues" }
        return "/api/queues/" + percentEncodedSegment(vhost)
    }

    /// Percent-encodes everything but RFC 3986's unreserved characters: the default vhost
    /// "/" must become "%2F", or it would read as a path separator.
    static func percentEncodedSegment(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += byte < 0x10 ? "%0" + hex : "%" + hex
            }
        }
        return out
    }

    /// The start of a body for an error message, control bytes escaped (an AMQP header
    /// holds NULs).
    static func preview(_ body: [UInt8], limit: Int = 120) -> String {
        if body.isEmpty { return "an empty body" }
        var text = ""
        for scalar in String(decoding: body.prefix(limit), as: UTF8.self).unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F {
                text += scalar.escaped(asASCII: true)
            } else {
                text.unicodeScalars.append(scalar)
            }
        }
        return body.count > limit ? text + "…" : text
    }

    /// `url` with whatever sits between the user's ":" and the last "@" replaced by "***".
    /// Works on strings that are not URLs at all, which is when it is needed: an invalid URL
    /// is shown back to the user, and it must not show the password. Over-redacting (a port
    /// and path before an "@" in the path) is the safe side.
    static func redactingPassword(in url: String) -> String {
        let start = url.range(of: "://")?.upperBound ?? url.startIndex
        guard let at = url[start...].lastIndex(of: "@"),
              let colon = url[start..<at].firstIndex(of: ":") else { return url }
        return String(url[..<colon]) + ":***" + String(url[at...])
    }
}

/// Declines HTTP authentication challenges, which only a 401 raises: our credentials went in
/// the Authorization header already, so there is nothing better to answer with. The monitor's
/// management API client and `celeriac broker ctl` both answer with it.
///
/// swift-corelibs-foundation (Linux) needs this. For a 401 with `WWW-Authenticate` and no
/// stored credential, its default handling neither retries nor completes the task, and the
/// transfer's timeout timer is already gone, so the request hangs forever
/// (swiftlang/swift-corelibs-foundation#5456; still so in Swift 6.3.1). Declining cancels the
/// task, and `get` turns that into `.unauthorized`. On macOS default handling finds no
/// credential in the ephemeral session and completes with the 401, which `decode` reads.
package final class AuthChallengeDecliner: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    private let lock = NSLock()
    private var declined = false

    package override init() {}

    package var declinedAChallenge: Bool {
        lock.lock()
        defer { lock.unlock() }
        return declined
    }

    package func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                            completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        let method = challenge.protectionSpace.authenticationMethod
        guard method == NSURLAuthenticationMethodHTTPBasic || method == NSURLAuthenticationMethodHTTPDigest
            || method == NSURLAuthenticationMethodDefault
        else {
            completionHandler(.performDefaultHandling, nil)  // server trust and client certificates (macOS)
            return
        }
        #if canImport(FoundationNetworking)
        lock.lock()
        declined = true
        lock.unlock()
        completionHandler(.cancelAuthenticationChallenge, nil)
        #else
        completionHandler(.performDefaultHandling, nil)
        #endif
    }
}

/// Why the management API gave no figures, in words that say what to fix. No case carries
/// a password.
public enum ManagementAPIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL as given (password replaced by `***`) and what is wrong with it.
    case invalidURL(String, reason: String)
    /// No connection: refused, unknown host, TLS failure. `url` has no password.
    case unreachable(url: String, reason: String)
    /// HTTP 401 for this user.
    case unauthorized(user: String)
    /// Any other non-2xx answer.
    case httpStatus(Int, path: String)
    /// Something answered, but not with the management API's JSON.
    case notManagementAPI(path: String, preview: String)
    /// No answer within the request timeout.
    case timeout(url: String, seconds: Double)

    public var description: String {
        switch self {
        case .invalidURL(let url, let reason):
            return "management URL \(url) is invalid: \(reason)"
        case .unreachable(let url, let reason):
            return "cannot reach the management API at \(url): \(reason)"
        case .unauthorized(let user):
            return "the management API refused user '\(user)' (HTTP 401): check the user and password in "
                + "--management-url; the user also needs the management, monitoring or administrator tag, "
                + "and RabbitMQ lets 'guest' in from localhost only"
        case .httpStatus(let status, let path):
            let hint = status == 404 && path.contains("/api/queues/") ? "; does that vhost exist?" : ""
            return "the management API answered HTTP \(status) to GET \(path)\(hint)"
        case .notManagementAPI(let path, let preview):
            return "GET \(path) did not answer with the management API's JSON (\(preview)); is this RabbitMQ's "
                + "management plugin port (15672 by default), not the AMQP port?"
        case .timeout(let url, let seconds):
            return "the management API at \(url) did not answer within \(Self.format(seconds)) s"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
