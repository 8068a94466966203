import Foundation
import Hummingbird
import HummingbirdWebSocket

/// The call page's WebSocket at `/call/{route}/ws[?token=…]`: JSON `CallMessage`s both ways between one page
/// and its call route. Browsers cannot set headers on a WebSocket, so a protected route's token comes as a
/// query parameter (the page keeps it from its form).
struct CallSocketEndpoint: Sendable {
    let routes: [String: CallRoute]

    func addRoutes(to router: Router<BasicWebSocketRequestContext>) {
        let routes = self.routes
        router.ws("call/:route/ws") { request, context in
            guard let name = context.parameters.get("route"), let route = routes[name] else { return .dontUpgrade }
            if let token = route.settings.token?.revealed {
                guard let presented = request.uri.queryParameters["token"].map(String.init), BearerToken.matches(presented, token) else {
                    return .dontUpgrade
                }
            }
            return .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            guard let name = context.request.uri.path.split(separator: "/").dropFirst().first.map(String.init),
                  let route = routes[name] else { return }
            let (stream, continuation) = AsyncStream<CallMessage>.makeStream(bufferingPolicy: .bufferingNewest(64))
            let page = await route.attach(continuation)
            let encoder = JSONEncoder()
            let decoder = JSONDecoder()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    for await message in stream {
                        let data = (try? encoder.encode(message)) ?? Data()
                        try await outbound.write(.text(String(decoding: data, as: UTF8.self)))
                    }
                }
                do {
                    for try await message in inbound.messages(maxSize: 256 * 1024) {
                        guard case .text(let text) = message else { continue }
                        guard let decoded = try? decoder.decode(CallMessage.self, from: Data(text.utf8)) else {
                            continuation.yield(CallMessage("error", message: "not a call message"))
                            continue
                        }
                        await route.handle(decoded, from: page)
                    }
                } catch {}
                await route.detach(page)
                continuation.finish()
                group.cancelAll()
            }
        }
    }
}
