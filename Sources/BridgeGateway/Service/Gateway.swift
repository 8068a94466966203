import BridgeDTLS
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// The running gateway: HTTP, WebRTC, route sources and, with `sip.enabled`, the SIP edge.
public struct Gateway: Sendable {
    /// Makes the call routes' handlers once the SIP edge runs (the call page side); routes it leaves out
    /// keep the built-in `FallbackCallHandler`.
    public typealias CallHandlerFactory = @Sendable (_ sip: SIPEndpoint) -> [String: any CallRouteHandler]

    public let config: GatewayConfig
    public let registry: RouteRegistry
    public let metrics: GatewayMetrics
    public let logger: Logger
    public let callHandlers: CallHandlerFactory?

    public init(config: GatewayConfig, metrics: GatewayMetrics = GatewayMetrics(), logger: Logger,
                callHandlers: CallHandlerFactory? = nil) {
        self.config = config
        self.callHandlers = callHandlers
        self.registry = RouteRegistry(routes: config.routes)
        self.metrics = metrics
        self.logger = logger
        metrics.routesConfigured.record(config.routes.count)
    }

    /// The HTTP application. `onServerRunning` receives the bound port (useful when `http.listen` has port 0).
    public func makeApplication(webrtc: WebRTCTransportServer? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        throws(GatewayStartError) -> some ApplicationProtocol
    {
        try makeApplication(webrtc: webrtc, hubs: nil, sip: nil, onServerRunning: onServerRunning)
    }

    func makeApplication(webrtc: WebRTCTransportServer?, hubs: RouteHubs?, sip: SIPEndpoint?, callRoutes: [String: CallRoute] = [:],
                         admission: AdmissionControl? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void)
        throws(GatewayStartError) -> some ApplicationProtocol
    {
        let router = GatewayRouter.make(registry: registry, metrics: metrics, logger: logger, webrtc: webrtc, hubs: hubs,
                                        http: config.http, webrtcConfig: config.webrtc, calls: config.calls, callRoutes: callRoutes, sip: sip,
                                        admission: admission)
        let socketRouter = Router(context: BasicWebSocketRequestContext.self)
        CallSocketEndpoint(routes: callRoutes, allowedOrigins: Set(config.http.allowedOrigins.map { $0.lowercased() })).addRoutes(to: socketRouter)
        // A connection that sent a request and then nothing for `http.idle_timeout` is closed (a WebSocket
        // keeps its own pings).
        let channelConfiguration = HTTP1WebSocketUpgradeChannel.Configuration(http1: .init(idleTimeout: TimeAmount(config.http.idleTimeout)))
        let server: HTTPServerBuilder
        if let tls = config.http.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
                server = try .tls(.http1WebSocketUpgrade(webSocketRouter: socketRouter, configuration: channelConfiguration),
                                  tlsConfiguration: configuration)
            } catch {
                throw GatewayStartError(message: "http.tls: cannot load certificate or key: \(error)")
            }
        } else {
            server = .http1WebSocketUpgrade(webSocketRouter: socketRouter, configuration: channelConfiguration)
        }
        let listen = config.http.listen
        let limiter = ConnectionLimiter(listener: "http", limit: config.http.maxConnections, metrics: metrics)
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "MediaBridge"),
            onServerRunning: { channel in
                // The listener's pipeline sees every accepted connection first: over http.max_connections, closed.
                do {
                    try await channel.pipeline.addHandler(limiter, position: .first).get()
                } catch {
                    logger.error("http.max_connections is not enforced: \(error)")
                }
                await onServerRunning(channel.localAddress?.port ?? listen.port)
            },
            logger: logger)
    }

    /// Runs until SIGINT or SIGTERM, then shuts down within about a second.
    public func run() async throws(GatewayStartError) {
        let scheme = config.http.tls == nil ? "http" : "https"
        let certificate: DTLSCertificate
        do {
            if let dtls = config.webrtc.dtls {
                certificate = try DTLSCertificate.load(certificatePath: dtls.certificatePath, privateKeyPath: dtls.privateKeyPath)
            } else {
                certificate = try DTLSCertificate.generate()
            }
        } catch {
            throw GatewayStartError(message: "webrtc.dtls: \(error.message)")
        }
        logger.info("DTLS certificate fingerprint sha-256 \(certificate.sha256Fingerprint)")
        let webrtc: WebRTCTransportServer
        do {
            let listenHost = config.http.listen.host == "localhost" ? "127.0.0.1" : config.http.listen.host
            let advertised = WebRTCTransportServer.advertisedHosts(
                configured: config.webrtc.hosts, boundHost: listenHost, includeInterfaces: config.webrtc.includeInterfaceAddresses)
            webrtc = try await WebRTCTransportServer.bind(
                host: listenHost, port: config.webrtc.udpPort, tcpPort: config.webrtc.tcpPort == 0 ? nil : config.webrtc.tcpPort,
                advertise: advertised, certificate: certificate, threads: config.webrtc.threads,
                tcpLimits: TCPLimits(maxConnections: config.webrtc.tcpMaxConnections, idleTimeout: config.webrtc.tcpIdleTimeout),
                segmentationOffload: config.webrtc.gso,
                metrics: metrics)
        } catch let error as ICETCPBindError {
            throw GatewayStartError.describing(error.underlying, key: "webrtc.tcp_port", host: config.http.listen.host, port: config.webrtc.tcpPort)
        } catch {
            throw GatewayStartError.describing(error, key: "webrtc.udp_port", host: config.http.listen.host, port: config.webrtc.udpPort)
        }
        var sip: SIPEndpoint?
        if config.sip.enabled {
            do {
                sip = try await startSIP()
            } catch let error as GatewayStartError {
                await webrtc.close()
                throw error
            } catch {
                await webrtc.close()
                throw GatewayStartError.describing(error, key: "sip.listen", host: config.sip.listen.host, port: config.sip.listen.port)
            }
        }
        do throws(GatewayStartError) {
            try await serve(webrtc: webrtc, sip: sip, scheme: scheme)
        } catch {
            await sip?.close()
            await webrtc.close()
            throw error
        }
        await sip?.close()
        await webrtc.close()
        logger.info("stopped")
    }

    /// The SIP edge with a `FallbackCallHandler` per call route, then the handlers `callHandlers` makes.
    private func startSIP() async throws -> SIPEndpoint {
        var handlers: [String: any CallRouteHandler] = [:]
        for call in config.calls { handlers[call.name] = FallbackCallHandler(route: call) }
        let sip = try await SIPEndpoint.start(config: config, handlers: handlers, logger: logger, metrics: metrics)
        for (route, handler) in callHandlers?(sip) ?? [:] { sip.setHandler(handler, forRoute: route) }
        return sip
    }

    /// A call page side for every call route, registered with the SIP edge (it replaces the fallback handler).
    private func makeCallRoutes(webrtc: WebRTCTransportServer, sip: SIPEndpoint?) async -> [String: CallRoute] {
        guard let sip else { return [:] }
        var routes: [String: CallRoute] = [:]
        for call in config.calls {
            var settings = CallRoute.Settings(name: call.name)
            settings.token = call.token
            settings.fallbackStatus = call.fallback.status
            settings.rtpAdvertisedAddress = sip.advertisedHost
            settings.rtpBindHost = config.sip.listen.host
            settings.rtpPorts = config.sip.rtpPorts
            settings.maxPages = call.maxPages
            let route = CallRoute(settings: settings, server: webrtc, logger: logger, metrics: metrics)
            await route.setPlacer(sip)
            if callHandlers?(sip)[call.name] == nil { sip.setHandler(route, forRoute: call.name) }
            routes[call.name] = route
        }
        return routes
    }

    /// HTTP until SIGINT or SIGTERM; the caller owns the WebRTC and SIP sockets.
    private func serve(webrtc: WebRTCTransportServer, sip: SIPEndpoint?, scheme: String) async throws(GatewayStartError) {
        let udpPort = webrtc.port, tcpPort = webrtc.tcpPort, advertised = webrtc.hosts, threads = webrtc.shards.count
        let admission = AdmissionControl(limits: config.webrtc.admissionLimits, metrics: metrics, logger: logger)
        let hubs = RouteHubs(config.routes.map { route in
            RouteHub(config: route, server: webrtc, registry: registry, logger: logger, metrics: metrics,
                     overloaded: { admission.noteShedding(late: $0) }, makeSource: MediaSourceFactory.make(for:))
        })
        for hub in hubs.all { hub.boot() }
        defer { for hub in hubs.all { hub.shutdown() } }
        let sipLine = sip.map { "  SIP on UDP/TCP \($0.listenHost.contains(":") ? "[\($0.listenHost)]" : $0.listenHost):\($0.port)"
            + ($0.tlsPort.map { ", TLS \($0)" } ?? "")
            + ($0.advertisedHost == $0.listenHost ? "" : ", Contact host \($0.advertisedHost)") }
        let callRoutes = await makeCallRoutes(webrtc: webrtc, sip: sip)
        let lagProbes = webrtc.eventLoops.map { admission.watch($0) }
        defer { for probe in lagProbes { probe.cancel() } }
        let app = try makeApplication(webrtc: webrtc, hubs: hubs, sip: sip, callRoutes: callRoutes, admission: admission) { port in
            printStartupBanner(scheme: scheme, port: port, udpPort: udpPort, tcpPort: tcpPort, threads: threads, advertised: advertised, sipLine: sipLine)
        }
        var groupConfig = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(1)
        // swift-service-lifecycle traps when cancellation overruns this: leave room for a loaded event loop.
        groupConfig.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: groupConfig).run()
        } catch {
            throw GatewayStartError.describing(error, listen: config.http.listen)
        }
    }

    private func printStartupBanner(scheme: String, port: Int, udpPort: Int, tcpPort: Int, threads: Int, advertised: [String], sipLine: String?) {
        let host = config.http.listen.host
        let shownHost = (host == "0.0.0.0" || host == "::") ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        var lines = ["MediaBridge \(MediaBridgeVersion.current) is running.",
                     "  Open \(scheme)://\(shownHost):\(port)/ in a browser."]
        if host == "0.0.0.0" || host == "::" {
            lines.append("  (listening on every interface: use this machine's address from other devices)")
        }
        lines.append("  Health \(scheme)://\(shownHost):\(port)/healthz · API /api/v1/routes · metrics /metrics")
        lines.append("  WebRTC on UDP \(udpPort)\(tcpPort == 0 ? "" : " and ICE-TCP \(tcpPort)") (\(threads) event loop\(threads == 1 ? "" : "s")), advertised as \(advertised.joined(separator: ", "))")
        for route in config.routes {
            lines.append("  route \(route.name): \(route.source.redacted) (\(route.mode.rawValue))")
        }
        if let sipLine { lines.append(sipLine) }
        for call in config.calls {
            let how = [call.account.map { "account \($0.username)@\($0.registrar.hostPort)" }, call.trunk.map { "trunk user \($0.user)" }]
            lines.append("  call \(call.name): \(how.compactMap { $0 }.joined(separator: ", "))")
        }
        lines.append("  Stop with Ctrl-C.")
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
    }
}

/// Why the gateway could not start or stopped with an error, in words for the operator.
public struct GatewayStartError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    static func describing(_ error: any Error, listen: ListenAddress) -> GatewayStartError {
        describing(error, key: "http.listen", host: listen.host, port: listen.port)
    }

    /// Names the config key behind a socket that would not open.
    static func describing(_ error: any Error, key: String, host: String, port: Int) -> GatewayStartError {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return GatewayStartError(message: "\(key): port \(port) on \(host) is already in use (is another gateway running?)")
        }
        if let io = error as? IOError, io.errnoCode == EADDRNOTAVAIL {
            return GatewayStartError(message: "\(key): \(host) is not an address of this machine")
        }
        if let io = error as? IOError, io.errnoCode == EACCES {
            return GatewayStartError(message: "\(key): no permission to listen on port \(port) (ports below 1024 need privileges)")
        }
        if error is SocketAddressError {
            return GatewayStartError(message: "\(key): cannot resolve host \"\(host)\"")
        }
        return GatewayStartError(message: "gateway stopped: \(error)")
    }
}
