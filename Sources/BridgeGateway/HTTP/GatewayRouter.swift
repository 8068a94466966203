import Hummingbird
import Logging

/// The gateway's HTTP surface: health, routes API, Prometheus metrics and the web page.
enum GatewayRouter {
    static func make(registry: RouteRegistry, metrics: GatewayMetrics, logger: Logger, webrtc: WebRTCTransportServer?,
                     hubs: RouteHubs? = nil, iceServers: [WebRTCConfig.ICEServer] = [], calls: [CallRouteConfig] = [],
                     callRoutes: [String: CallRoute] = [:], sip: SIPEndpoint? = nil) -> Router<BasicRequestContext>
    {
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: MetricsMiddleware())

        router.get("healthz") { _, _ in
            HealthStatus(status: "ok", version: MediaBridgeVersion.current)
        }
        router.get("api/v1/routes") { _, _ in
            RouteList(routes: registry.snapshot.map(RouteSummary.init))
        }
        CallsEndpoint.addRoutes(to: router, calls: calls, callRoutes: callRoutes, sip: sip)
        router.get("metrics") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
        }
        router.get("favicon.ico") { _, _ in Response(status: .noContent) }
        router.get("/") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(string: IndexPage.html)))
        }
        if let webrtc, let hubs {
            WHEPEndpoint(hubs: hubs, server: webrtc, iceServers: iceServers).addRoutes(to: router)
            SessionsEndpoint(hubs: hubs).addRoutes(to: router)
        }
        router.get("call/:route") { _, context -> Response in
            guard let name = context.parameters.get("route"), callRoutes[name] != nil else {
                let asked = context.parameters.get("route") ?? ""
                return WHEPEndpoint.plain(.notFound, "no call route \"\(asked)\"\(DidYouMean.hint(for: asked, among: Array(callRoutes.keys)))\n")
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-cache"],
                            body: .init(byteBuffer: ByteBuffer(string: CallPage.html(route: name))))
        }
        if let webrtc, EchoTestEndpoint.isEnabled {
            EchoTestEndpoint(server: webrtc).addRoutes(to: router)
        }
        return router
    }
}
