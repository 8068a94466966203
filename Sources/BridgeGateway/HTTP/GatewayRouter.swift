import Hummingbird
import Logging

/// The gateway's HTTP surface: health, routes API, Prometheus metrics and the web page.
///
/// Who may call what:
/// - `/`, `/healthz`, `/call/{route}`: anyone (the pages ask for a route's token themselves);
/// - `GET /api/v1/routes`, `GET /api/v1/calls`: anyone, but only the operator (`AccessPolicy`) sees every
///   route with its source and state; others see the routes without a token, by name;
/// - `/api/v1/routes/{route}/sessions` (viewer addresses, kick): the operator;
/// - `/metrics`: the operator, or `http.metrics_token`;
/// - `/whep/{route}`: the route's token when it has one.
enum GatewayRouter {
    static func make(registry: RouteRegistry, metrics: GatewayMetrics, logger: Logger, webrtc: WebRTCTransportServer?,
                     hubs: RouteHubs? = nil, http: HTTPConfig = HTTPConfig(), webrtcConfig: WebRTCConfig = WebRTCConfig(),
                     calls: [CallRouteConfig] = [], callRoutes: [String: CallRoute] = [:], sip: SIPEndpoint? = nil,
                     admission: AdmissionControl? = nil)
        -> Router<GatewayRequestContext>
    {
        let router = Router(context: GatewayRequestContext.self)
        let access = AccessPolicy(adminToken: http.adminToken, metricsToken: http.metricsToken)
        router.add(middleware: LogRequestsMiddleware(.debug))
        router.add(middleware: MetricsMiddleware())
        router.add(middleware: HTTPHygieneMiddleware(hosts: Self.admittedHosts(http: http, webrtc: webrtcConfig)))

        router.get("healthz") { _, _ in
            HealthStatus(status: "ok", version: MediaBridgeVersion.current)
        }
        router.get("api/v1/routes") { request, context in
            let all = registry.snapshot.map(RouteSummary.init)
            guard access.isAdmin(request, context) else { return RouteList(routes: all.filter { !$0.protected }.map(\.publicView)) }
            return RouteList(routes: all)
        }
        CallsEndpoint.addRoutes(to: router, calls: calls, callRoutes: callRoutes, sip: sip, access: access)
        router.get("metrics") { request, context in
            if let refusal = access.refusal(for: .metrics, request, context) { return refusal }
            return Response(
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
            let admission = admission ?? AdmissionControl(limits: webrtcConfig.admissionLimits, metrics: metrics, logger: logger)
            WHEPEndpoint(hubs: hubs, server: webrtc, iceServers: webrtcConfig.iceServers, admission: admission).addRoutes(to: router)
            SessionsEndpoint(hubs: hubs, access: access).addRoutes(to: router)
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

    /// The Host names the gateway answers to besides IP literals and localhost: `http.hosts`, the listen host
    /// and `webrtc.hosts`.
    static func admittedHosts(http: HTTPConfig, webrtc: WebRTCConfig) -> Set<String> {
        Set((http.hosts + [http.listen.host] + webrtc.hosts).map { HTTPHygieneMiddleware<GatewayRequestContext>.hostName(of: $0) })
    }
}
