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

/// The running gateway: HTTP today; WebRTC, sources and SIP join it as they land.
public struct Gateway: Sendable {
    public let config: GatewayConfig
    public let registry: RouteRegistry
    public let metrics: GatewayMetrics
    public let logger: Logger

    public init(config: GatewayConfig, metrics: GatewayMetrics = GatewayMetrics(), logger: Logger) {
        self.config = config
        self.registry = RouteRegistry(routes: config.routes)
        self.metrics = metrics
        self.logger = logger
        metrics.routesConfigured.record(config.routes.count)
    }

    /// The HTTP application. `onServerRunning` receives the bound port (useful when `http.listen` has port 0).
    public func makeApplication(webrtc: WebRTCTransportServer? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in })
        throws(GatewayStartError) -> some ApplicationProtocol
    {
        try makeApplication(webrtc: webrtc, hubs: nil, onServerRunning: onServerRunning)
    }

    func makeApplication(webrtc: WebRTCTransportServer?, hubs: RouteHubs?, calls: [String: CallRoute] = [:],
                         onServerRunning: @escaping @Sendable (Int) async -> Void)
        throws(GatewayStartError) -> some ApplicationProtocol
    {
        let router = GatewayRouter.make(registry: registry, metrics: metrics, logger: logger, webrtc: webrtc, hubs: hubs,
                                        calls: calls, iceServers: config.webrtc.iceServers)
        let socketRouter = Router(context: BasicWebSocketRequestContext.self)
        CallSocketEndpoint(routes: calls).addRoutes(to: socketRouter)
        let server: HTTPServerBuilder
        if let tls = config.http.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificatePath).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
                server = try .tls(.http1WebSocketUpgrade(webSocketRouter: socketRouter), tlsConfiguration: configuration)
            } catch {
                throw GatewayStartError(message: "http.tls: cannot load certificate or key: \(error)")
            }
        } else {
            server = .http1WebSocketUpgrade(webSocketRouter: socketRouter)
        }
        let listen = config.http.listen
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: "MediaBridge"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? listen.port) },
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
                advertise: advertised, certificate: certificate)
        } catch let error as ICETCPBindError {
            throw GatewayStartError.describing(error.underlying, key: "webrtc.tcp_port", host: config.http.listen.host, port: config.webrtc.tcpPort)
        } catch {
            throw GatewayStartError.describing(error, key: "webrtc.udp_port", host: config.http.listen.host, port: config.webrtc.udpPort)
        }
        do throws(GatewayStartError) {
            try await serve(webrtc: webrtc, scheme: scheme)
        } catch {
            await webrtc.close()
            throw error
        }
        await webrtc.close()
        logger.info("stopped")
    }

    /// HTTP until SIGINT or SIGTERM; the caller owns the WebRTC socket.
    private func serve(webrtc: WebRTCTransportServer, scheme: String) async throws(GatewayStartError) {
        let udpPort = webrtc.port, tcpPort = webrtc.tcpPort, advertised = webrtc.hosts
        let hubs = RouteHubs(config.routes.map { route in
            RouteHub(config: route, server: webrtc, registry: registry, logger: logger, metrics: metrics, makeSource: MediaSourceFactory.make(for:))
        })
        for hub in hubs.all { hub.boot() }
        defer { for hub in hubs.all { hub.shutdown() } }
        let app = try makeApplication(webrtc: webrtc, hubs: hubs) { port in
            printStartupBanner(scheme: scheme, port: port, udpPort: udpPort, tcpPort: tcpPort, advertised: advertised)
        }
        var groupConfig = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        groupConfig.maximumGracefulShutdownDuration = .seconds(1)
        groupConfig.maximumCancellationDuration = .milliseconds(500)
        do {
            try await ServiceGroup(configuration: groupConfig).run()
        } catch {
            throw GatewayStartError.describing(error, listen: config.http.listen)
        }
    }

    private func printStartupBanner(scheme: String, port: Int, udpPort: Int, tcpPort: Int, advertised: [String]) {
        let host = config.http.listen.host
        let shownHost = (host == "0.0.0.0" || host == "::") ? "127.0.0.1" : (host.contains(":") ? "[\(host)]" : host)
        var lines = ["MediaBridge \(MediaBridgeVersion.current) is running.",
                     "  Open \(scheme)://\(shownHost):\(port)/ in a browser."]
        if host == "0.0.0.0" || host == "::" {
            lines.append("  (listening on every interface: use this machine's address from other devices)")
        }
        lines.append("  Health \(scheme)://\(shownHost):\(port)/healthz · API /api/v1/routes · metrics /metrics")
        lines.append("  WebRTC on UDP \(udpPort)\(tcpPort == 0 ? "" : " and ICE-TCP \(tcpPort)"), advertised as \(advertised.joined(separator: ", "))")
        for route in config.routes {
            lines.append("  route \(route.name): \(route.source.redacted) (\(route.mode.rawValue))")
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
