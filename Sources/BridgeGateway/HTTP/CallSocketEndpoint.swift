import Foundation
import Hummingbird
import HummingbirdWebSocket

/// The call page's WebSocket at `/call/{route}/ws`: JSON `CallMessage`s both ways between one page and its
/// call route.
/// - A browser's `Origin` must be the gateway's own (scheme and Host of the request) or one of
///   `http.allowedOrigins`, so that another site cannot drive the page's calls with the visitor's browser.
/// - A protected route's token comes in the page's first message (`{"type":"auth","token":…}`), never in
///   the URL, where proxies and logs would keep it; a wrong or missing token closes the socket.
/// - A route takes at most `calls[].max_pages` pages at once.
struct CallSocketEndpoint: Sendable {
    let routes: [String: CallRoute]
    let allowedOrigins: Set<String>

    /// How long a protected route waits for the page's `auth` message.
    static let authTimeout: Duration = .seconds(10)

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        let routes = self.routes, allowedOrigins = self.allowedOrigins
        router.ws("call/:route/ws") { request, context in
            guard let name = context.parameters.get("route"), routes[name] != nil else { return .dontUpgrade }
            guard Self.admitsOrigin(request.headers[.origin], host: request.head.authority, allowed: allowedOrigins) else { return .dontUpgrade }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let name = context.request.uri.path.split(separator: "/").dropFirst().first.map(String.init),
                  let route = routes[name] else { return }
            let encoder = JSONEncoder()
            let decoder = JSONDecoder()
            func write(_ message: CallMessage) async throws {
                let data = (try? encoder.encode(message)) ?? Data()
                try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
            }
            var messages = inbound.messages(maxSize: 256 * 1024).makeAsyncIterator()
            if let token = route.settings.token?.revealed {
                // A page that never authenticates is closed, so that idle sockets cannot pile up.
                let deadline = Task {
                    try await Task.sleep(for: Self.authTimeout)
                    try await outbound.close(.policyViolation, reason: "no auth message")
                }
                let first = try await messages.next()
                deadline.cancel()
                guard case .text(let first)? = first, let auth = try? decoder.decode(CallMessage.self, from: Data(first.utf8)), auth.type == "auth",
                      let presented = auth.token, BearerToken.matches(presented, token) else {
                    try await write(CallMessage("error", message: "call route \(name) needs its token (first message: auth)"))
                    return
                }
            }
            let (stream, continuation) = AsyncStream<CallMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
            guard let page = await route.attach(continuation) else {
                try await write(CallMessage("error", message: "call route \(name) has as many pages open as it takes"))
                return
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in stream { try await write(message) }
                }
                do {
                    while let message = try await messages.next() {
                        guard case .text(let text) = message else { continue }
                        guard let decoded = try? decoder.decode(CallMessage.self, from: Data(text.utf8)) else {
                            continuation.yield(CallMessage("error", message: "not a call message"))
                            continue
                        }
                        if decoded.type == "auth" { continue }  // a page sends it to open routes too
                        await route.handle(decoded, from: page)
                    }
                } catch {}
                await route.detach(page)
                continuation.finish()
                group.cancelAll()
            }
        }
    }

    /// Whether a WebSocket's `Origin` may use the call page: absent (not a browser), the gateway's own
    /// origin (its host matches the request's Host), or listed in `http.allowed_origins`.
    static func admitsOrigin(_ origin: String?, host: String?, allowed: Set<String>) -> Bool {
        guard let origin = origin?.lowercased() else { return true }
        if allowed.contains(origin) { return true }
        guard let host = host?.lowercased() else { return false }
        return origin == "http://" + host || origin == "https://" + host
    }
}
