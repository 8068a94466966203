@testable import BridgeGateway
import NIOCore
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
