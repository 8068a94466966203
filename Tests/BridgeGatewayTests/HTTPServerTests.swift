@testable import BridgeGateway
import BridgeCore
import NIOCore
import NIOPosix
import Foundation
import Logging
import ServiceLifecycle
import Testing

@Suite struct HTTPServerTests {
    /// Starts a gateway on 127.0.0.1 with a free port, runs `body`, and stops the gateway.
    func withGateway(_ yaml: String, _ body: @Sendable (Int) async throws -> Void) async throws {
        let config = try ConfigLoader(environment: [:], isReadableFile: { _ in true }).parse(yaml: yaml)
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let gateway = Gateway(config: config, logger: logger)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = try gateway.makeApplication { port in continuation.yield(port) }
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            var iterator = ports.makeAsyncIterator()
            let port = try #require(await iterator.next())
            do {
                try await body(port)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
    }

    static let twoRoutes = """
        http: {listen: "127.0.0.1:0"}
        routes:
          - name: demo
            source: file:samples/demo.mp4
            mode: always-on
          - name: door
            source: rtsp://admin:hunter2@10.0.0.5:554/Streaming/101
            token: tok-hunter3
        """

    @Test func healthzAnswers() async throws {
        try await withGateway(Self.twoRoutes) { port in
            let reply = try await TestHTTPClient.get("/healthz", port: port)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("application/json") == true)
            let health = try JSONDecoder().decode([String: String].self, from: Data(reply.body.utf8))
            #expect(health == ["status": "ok", "version": MediaBridgeVersion.current])
        }
    }

    @Test func routesListRedactsCredentials() async throws {
        try await withGateway(Self.twoRoutes) { port in
            let reply = try await TestHTTPClient.get("/api/v1/routes", port: port)
            #expect(reply.status == 200)
            #expect(!reply.body.contains("hunter2"))
            #expect(!reply.body.contains("hunter3"))
            let list = try JSONDecoder().decode(RouteList.self, from: Data(reply.body.utf8))
            #expect(list.routes.map(\.name) == ["demo", "door"])
            #expect(list.routes[1].source == "rtsp://admin:***@10.0.0.5:554/Streaming/101")
            #expect(list.routes[1].protected)
            #expect(list.routes[0].mode == "always-on" && list.routes[1].mode == "on-demand")
            #expect(list.routes.allSatisfy { $0.state == .idle })
        }
    }

    @Test func metricsArePrometheusText() async throws {
        try await withGateway(Self.twoRoutes) { port in
            let reply = try await TestHTTPClient.get("/metrics", port: port)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(reply.body.contains("mediabridge_routes_configured 2"))
            #expect(reply.body.contains(#"mediabridge_build_info{version="\#(MediaBridgeVersion.current)"} 1"#))
        }
    }

    @Test func pageListsRoutesFromTheAPI() async throws {
        try await withGateway(Self.twoRoutes) { port in
            let reply = try await TestHTTPClient.get("/", port: port)
            #expect(reply.status == 200)
            #expect(reply.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(reply.body.contains("<title>MediaBridge</title>"))
            #expect(reply.body.contains("/api/v1/routes"))
        }
    }

    @Test func connectionsOverHTTPMaxConnectionsAreClosed() async throws {
        try await withGateway("http: {listen: \"127.0.0.1:0\", max_connections: 2}\n") { port in
            let group = MultiThreadedEventLoopGroup.singleton
            var clients: [any Channel] = []
            for _ in 0..<3 {
                clients.append(try await ClientBootstrap(group: group).connect(host: "127.0.0.1", port: port).get())
            }
            try await clients[2].closeFuture.get()
            #expect(clients[0].isActive && clients[1].isActive)
            for client in clients { try? await client.close() }
        }
    }

    @Test func unknownPathIs404() async throws {
        try await withGateway(Self.twoRoutes) { port in
            let reply = try await TestHTTPClient.get("/nope", port: port)
            #expect(reply.status == 404)
        }
    }

    @Test func portInUseNamesPortAndKey() {
        let error = GatewayStartError.describing(
            IOError(errnoCode: EADDRINUSE, reason: "bind"), listen: ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(error.message == "http.listen: port 8080 on 127.0.0.1 is already in use (is another gateway running?)")
    }
}

@Suite struct AdvertisedHostsTests {
    @Test func configuredHostsComeFirstThenTheBoundAddress() {
        #expect(WebRTCTransportServer.advertisedHosts(configured: ["203.0.113.9", "cam.example.org"], boundHost: "127.0.0.1", includeInterfaces: true)
            == ["203.0.113.9", "cam.example.org", "127.0.0.1"])
    }

    @Test func everyInterfaceWhenBoundToAll() {
        let hosts = WebRTCTransportServer.advertisedHosts(configured: [], boundHost: "0.0.0.0", includeInterfaces: true)
        #expect(hosts.contains("127.0.0.1"))
        #expect(hosts.last == "127.0.0.1")
        #expect(WebRTCTransportServer.advertisedHosts(configured: ["198.51.100.1"], boundHost: "0.0.0.0", includeInterfaces: false) == ["198.51.100.1"])
    }
}

/// `http.admin_token`, `http.metrics_token`, the public view of the lists, the Host check and the page headers.
@Suite struct HTTPAccessTests {
    static let protected = """
        http: {listen: "127.0.0.1:0", admin_token: adm-secret, metrics_token: scrape-me}
        routes:
          - name: demo
            source: file:samples/demo.mp4
            mode: always-on
          - name: door
            source: rtsp://admin:hunter2@10.0.0.5:554/Streaming/101
            token: tok-hunter3
        """

    func bearer(_ token: String) -> [String: String] { ["Authorization": "Bearer \(token)"] }

    @Test func withoutTheAdminTokenTheRoutesListShowsOnlyPublicRoutesByName() async throws {
        try await HTTPServerTests().withGateway(Self.protected) { port in
            for headers in [[:], bearer("tok-hunter3"), bearer("scrape-me"), bearer("adm-secreT")] {
                let reply = try await TestHTTPClient.get("/api/v1/routes", port: port, headers: headers)
                let list = try JSONDecoder().decode(RouteList.self, from: Data(reply.body.utf8))
                #expect(list.routes.map(\.name) == ["demo"], "\(headers)")
                #expect(list.routes.first?.source == nil)
                #expect(!reply.body.contains("10.0.0.5"))
            }
            let admin = try await TestHTTPClient.get("/api/v1/routes", port: port, headers: bearer("adm-secret"))
            let list = try JSONDecoder().decode(RouteList.self, from: Data(admin.body.utf8))
            #expect(list.routes.map(\.name) == ["demo", "door"])
            #expect(list.routes.last?.source == "rtsp://admin:***@10.0.0.5:554/Streaming/101")
        }
    }

    @Test func metricsNeedTheMetricsOrTheAdminToken() async throws {
        try await HTTPServerTests().withGateway(Self.protected) { port in
            let anonymous = try await TestHTTPClient.get("/metrics", port: port)
            #expect(anonymous.status == 401)
            #expect(anonymous.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            #expect(try await TestHTTPClient.get("/metrics", port: port, headers: bearer("tok-hunter3")).status == 401)
            #expect(try await TestHTTPClient.get("/metrics", port: port, headers: bearer("scrape-me")).status == 200)
            #expect(try await TestHTTPClient.get("/metrics", port: port, headers: bearer("adm-secret")).status == 200)
        }
    }

    @Test func withoutAnAdminTokenOnlyThisMachineIsTheOperator() {
        let open = AccessPolicy(adminToken: nil, metricsToken: nil)
        #expect(open.refusal(for: .admin, bearer: nil, fromLoopback: true) == nil)
        #expect(open.refusal(for: .admin, bearer: "anything", fromLoopback: false)?.status == .forbidden)
        #expect(open.refusal(for: .metrics, bearer: nil, fromLoopback: false)?.status == .forbidden)
        let scraped = AccessPolicy(adminToken: nil, metricsToken: Redacted("m"))
        #expect(scraped.refusal(for: .metrics, bearer: "m", fromLoopback: false) == nil)
        #expect(scraped.refusal(for: .admin, bearer: "m", fromLoopback: false) != nil)
        let closed = AccessPolicy(adminToken: Redacted("a"), metricsToken: nil)
        #expect(closed.refusal(for: .admin, bearer: nil, fromLoopback: true)?.status == .unauthorized)
        #expect(closed.refusal(for: .admin, bearer: "a", fromLoopback: false) == nil)
    }

    @Test func aHostThatIsNotTheGatewaysIsRefusedAgainstDNSRebinding() async throws {
        let yaml = "http: {listen: \"127.0.0.1:0\", hosts: [cams.example.org]}\nwebrtc: {hosts: [gw.example.net]}\n"
        try await HTTPServerTests().withGateway(yaml) { port in
            let evil = try await TestHTTPClient.get("/api/v1/routes", port: port, headers: ["Host": "attacker.example:\(port)"])
            #expect(evil.status == 421)
            for host in ["127.0.0.1:\(port)", "localhost:\(port)", "[::1]:\(port)", "CAMS.example.org", "gw.example.net:\(port)"] {
                #expect(try await TestHTTPClient.get("/healthz", port: port, headers: ["Host": host]).status == 200, "\(host)")
            }
        }
        try await HTTPServerTests().withGateway("http: {listen: \"127.0.0.1:0\", hosts: [\"*\"]}\n") { port in
            let reply = try await TestHTTPClient.get("/healthz", port: port, headers: ["Host": "anything.example"])
            #expect(reply.status == 200)
        }
    }

    @Test func pagesCarryAContentSecurityPolicyAndNoSniff() async throws {
        try await HTTPServerTests().withGateway(Self.protected) { port in
            let page = try await TestHTTPClient.get("/", port: port)
            #expect(page.headers["content-security-policy"]?.contains("frame-ancestors 'self'") == true)
            #expect(page.headers["x-content-type-options"] == "nosniff")
            #expect(page.headers["x-frame-options"] == "SAMEORIGIN")
            let api = try await TestHTTPClient.get("/healthz", port: port)
            #expect(api.headers["x-content-type-options"] == "nosniff")
            #expect(api.headers["content-security-policy"] == nil)
        }
    }
}

@Suite struct CallSocketOriginTests {
    /// Another site's page must not open the call WebSocket with the visitor's browser.
    @Test func onlyTheGatewaysOwnOrAllowedOriginsOpenTheCallSocket() {
        let allowed: Set<String> = ["https://portal.example.org"]
        #expect(CallSocketEndpoint.admitsOrigin(nil, host: "127.0.0.1:8080", allowed: allowed))
        #expect(CallSocketEndpoint.admitsOrigin("http://127.0.0.1:8080", host: "127.0.0.1:8080", allowed: allowed))
        #expect(CallSocketEndpoint.admitsOrigin("https://Portal.example.org", host: "127.0.0.1:8080", allowed: allowed))
        #expect(!CallSocketEndpoint.admitsOrigin("https://evil.example", host: "127.0.0.1:8080", allowed: allowed))
        #expect(!CallSocketEndpoint.admitsOrigin("http://127.0.0.1:9999", host: "127.0.0.1:8080", allowed: allowed))
        #expect(!CallSocketEndpoint.admitsOrigin("null", host: nil, allowed: allowed))
    }
}
