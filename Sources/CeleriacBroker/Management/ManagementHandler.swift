import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP connection to the management API: HTTP basic auth with the broker's users
/// (guest only from loopback, as for AMQP), then the route's JSON. Runs on the broker's
/// event loop, so it reads the live state directly.
final class ManagementHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: BrokerState
    private let routes: ManagementRoutes
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    /// A request body past this is refused (definitions files are the largest bodies).
    static let bodyLimit = 16 << 20

    init(state: BrokerState, sampler: StatisticsSampler) {
        self.state = state
        routes = ManagementRoutes(state: state, views: ManagementViews(state: state, sampler: sampler))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let chunk):
            guard body.count + chunk.readableBytes <= Self.bodyLimit else {
                write(.error(.payloadTooLarge, "request body over \(Self.bodyLimit) bytes"), keepAlive: false, context: context)
                return
            }
            body.append(contentsOf: chunk.readableBytesView)
        case .end:
            guard let head else { return }
            self.head = nil
            let remote = context.channel.remoteAddress
            write(respond(to: head, fromLoopback: remote?.isLoopback ?? false), keepAlive: head.isKeepAlive, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, fromLoopback: Bool) -> ManagementRoutes.Response {
        guard let credentials = Self.basicCredentials(head.headers["authorization"].first) else {
            return .error(.unauthorized, "this API needs HTTP basic authentication with a broker user")
        }
        let user: BrokerUser
        do {
            user = try state.authenticate(user: credentials.user, password: credentials.password, mechanism: "PLAIN",
                                          fromLoopback: fromLoopback)
        } catch {
            return .error(.unauthorized, "Not_Authorized: \(error.text)")
        }
        let pathOnly = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        var segments = pathOnly.split(separator: "/", omittingEmptySubsequences: false).map {
            String($0).removingPercentEncoding ?? String($0)
        }
        if segments.first == "" { segments.removeFirst() }
        if segments.last == "" { segments.removeLast() }
        guard segments.first == "api" else {
            return .error(.notFound, "the management API lives under /api/")
        }
        return routes.respond(method: head.method, path: Array(segments.dropFirst()), body: body, user: user,
                              reason: head.headers["x-reason"].first)
    }

    private func write(_ response: ManagementRoutes.Response, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        var buffer: ByteBuffer?
        if let body = response.body {
            let bytes = ManagementJSON.encode(body)
            headers.add(name: "content-type", value: "application/json")
            buffer = context.channel.allocator.buffer(bytes: bytes)
        }
        headers.add(name: "content-length", value: "\(buffer?.readableBytes ?? 0)")
        if response.status == .unauthorized {
            headers.add(name: "www-authenticate", value: #"Basic realm="Celeriac Management""#)
        }
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))),
                      promise: nil)
        if let buffer { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.whenComplete { [context] _ in context.close(promise: nil) } }
    }

    static func basicCredentials(_ header: String?) -> (user: String, password: String)? {
        guard let header, header.lowercased().hasPrefix("basic "),
              let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { return nil }
        return (String(text[..<colon]), String(text[text.index(after: colon)...]))
    }
}
