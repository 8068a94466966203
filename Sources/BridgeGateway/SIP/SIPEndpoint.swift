import CoreMetrics
import BridgeCore
import BridgeSDP
import BridgeSIP
import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// The gateway's SIP edge: UDP and TCP on `sip.listen`, TLS on `sip.tls.listen`, one `SIPUserAgent`, the
/// accounts' registrations, all on one event loop (`SIPEndpointCore`). Incoming calls go to the call route's `CallRouteHandler`;
/// browser-initiated calls come in through `placeCall` (`SIPCallPlacer`).
public final class SIPEndpoint: SIPCallPlacer, Sendable {
    /// How an outbound call is addressed.
    struct CallPlan: Sendable {
        var target: SIPURI
        var from: SIPURI?
        var credentials: SIPCredentials?
        var destinationHost: String
        var destinationPort: UInt16
        /// UDP, or TCP or TLS for a `;transport=` or `sips:` next hop.
        var transport: SIPTransport
        var tlsVerification: TLSVerification
    }

    private let udpChannel: any Channel
    private let tcpChannel: (any Channel)?
    private let tlsChannel: (any Channel)?
    private let core: NIOLoopBound<SIPEndpointCore>
    private let calls: [String: CallRouteConfig]
    private let registrars: [String: TransportAddress?]
    public let board: SIPRegistrationBoard
    /// The bound port (UDP and TCP).
    public let port: Int
    /// The bound TLS port; nil without `sip.tls`.
    public let tlsPort: Int?
    /// The host written in Contact and Via (`sip.public_address`, else the listen address); call legs put it in SDP.
    public let advertisedHost: String
    public let listenHost: String

    private init(udpChannel: any Channel, tcpChannel: (any Channel)?, tlsChannel: (any Channel)?, core: NIOLoopBound<SIPEndpointCore>,
                 calls: [String: CallRouteConfig], registrars: [String: TransportAddress?], board: SIPRegistrationBoard,
                 port: Int, tlsPort: Int?, advertisedHost: String, listenHost: String) {
        self.udpChannel = udpChannel
        self.tcpChannel = tcpChannel
        self.tlsChannel = tlsChannel
        self.tlsPort = tlsPort
        self.core = core
        self.calls = calls
        self.registrars = registrars
        self.board = board
        self.port = port
        self.advertisedHost = advertisedHost
        self.listenHost = listenHost
    }

    /// Binds `sip.listen` (UDP, then TCP on the same port) and `sip.tls.listen`, resolves registrars, and
    /// starts registering every account. TLS problems (certificate, key, port) throw a `GatewayStartError`
    /// that names the key. `handlers` maps call route names to their handlers; a route without one answers
    /// incoming calls with 480 until `setHandler` gives it one.
    public static func start(config: GatewayConfig, handlers: [String: any CallRouteHandler], logger: Logger,
                             metrics: GatewayMetrics = GatewayMetrics(),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SIPEndpoint {
        let sip = config.sip
        let host = sip.listen.host == "localhost" ? "127.0.0.1" : sip.listen.host
        let advertised = sip.publicAddress
            ?? WebRTCTransportServer.advertisedHosts(configured: [], boundHost: host, includeInterfaces: true).first ?? "127.0.0.1"
        let calls = Dictionary(config.calls.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var resolved: [String: TransportAddress?] = [:]
        for call in config.calls {
            guard let account = call.account else { continue }
            resolved[call.name] = await SIPHostResolver.resolve(account.registrar.host, port: account.registrar.portOrDefault)
        }
        let registrars = resolved
        let eventLoop = group.next()
        let board = SIPRegistrationBoard()
        let settings = SIPEndpointCore.Settings(calls: calls, sip: sip, advertisedHost: advertised, port: sip.listen.port)
        let tlsContexts = try SIPTLSContexts.make(config: sip.tls, commonName: advertised)
        if let fingerprint = tlsContexts.serverFingerprint { logger.info("SIP TLS certificate fingerprint sha-256 \(fingerprint)") }
        let core = try await eventLoop.submit {
            NIOLoopBound(SIPEndpointCore(settings: settings, handlers: handlers, board: board, eventLoop: eventLoop,
                                         tlsContexts: tlsContexts, logger: logger),
                         eventLoop: eventLoop)
        }.get()
        let (udp, tcp) = try await bindUDPAndTCP(host: host, port: sip.listen.port, idleTimeout: sip.idleTimeout, core: core, eventLoop: eventLoop)
        let port = udp.localAddress?.port ?? sip.listen.port
        var tls: (any Channel)?
        if let listen = sip.tls?.listen, let context = tlsContexts.server {
            let tlsHost = listen.host == "localhost" ? "127.0.0.1" : listen.host
            do {
                tls = try await bindStream(host: tlsHost, port: listen.port, tls: context, idleTimeout: sip.idleTimeout, core: core,
                                           eventLoop: eventLoop)
            } catch {
                try? await tcp.close()
                try? await udp.close()
                throw GatewayStartError.describing(error, key: "sip.tls.listen", host: tlsHost, port: listen.port)
            }
        }
        let tlsPort = tls.map { $0.localAddress?.port ?? sip.tls?.listen.port ?? 5061 }
        try await eventLoop.submit {
            core.value.udpChannel = udp
            core.value.connectionsRefused = CoreMetrics.Counter(label: "mediabridge_connections_refused_total",
                                                                dimensions: [("listener", "sip")], factory: metrics.factory)
            core.value.start(port: port, tlsPort: tlsPort, registrars: registrars)
        }.get()
        logger.info("SIP on UDP/TCP \(host):\(port), Contact host \(advertised)")
        if let tlsPort { logger.info("SIP over TLS on port \(tlsPort)") }
        return SIPEndpoint(udpChannel: udp, tcpChannel: tcp, tlsChannel: tls, core: core, calls: calls, registrars: registrars,
                           board: board, port: port, tlsPort: tlsPort, advertisedHost: advertised, listenHost: host)
    }

    /// UDP and TCP on one port. With port 0 the kernel picks the UDP port, which TCP may already use: then
    /// both are tried again on another (at most 10 times).
    private static func bindUDPAndTCP(host: String, port: Int, idleTimeout: Duration, core: NIOLoopBound<SIPEndpointCore>,
                                      eventLoop: any EventLoop) async throws -> (udp: any Channel, tcp: any Channel) {
        var attempt = 0
        while true {
            attempt += 1
            let udp = try await DatagramBootstrap(group: eventLoop)
                .channelOption(.socketOption(.so_reuseaddr), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(SIPDatagramHandler(core: core)) }
                }
                .bind(host: host, port: port).get()
            do {
                return (udp, try await bindStream(host: host, port: udp.localAddress?.port ?? port, tls: nil, idleTimeout: idleTimeout,
                                                  core: core, eventLoop: eventLoop))
            } catch {
                try? await udp.close()
                if port != 0 || attempt >= 10 { throw error }
            }
        }
    }

    /// The TCP listener, or with `tls` the TLS listener: NIOSSL in front of the same stream handler.
    private static func bindStream(host: String, port: Int, tls: NIOSSLContext?, idleTimeout: Duration, core: NIOLoopBound<SIPEndpointCore>,
                                   eventLoop: any EventLoop) async throws -> any Channel {
        try await ServerBootstrap(group: eventLoop, childGroup: eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    // A connection a phone or trunk opened, silent for `sip.idle_timeout`, is closed.
                    try child.pipeline.syncOperations.addHandlers(IdleConnectionCloser.handlers(timeout: idleTimeout))
                    if let tls { try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try child.pipeline.syncOperations.addHandler(SIPStreamHandler(core: core, transport: tls == nil ? .tcp : .tls))
                }
            }
            .bind(host: host, port: port).get()
    }

    /// Unregisters the accounts (without waiting for the registrar) and closes both sockets.
    public func close() async {
        let core = self.core
        try? await core.eventLoop.submit { core.value.stop() }.get()
        try? await tlsChannel?.close()
        try? await tcpChannel?.close()
        try? await udpChannel.close()
    }

    /// Gives `route` a handler for incoming calls (replacing the one given to `start`), or nil for none (480).
    public func setHandler(_ handler: (any CallRouteHandler)?, forRoute route: String) {
        let core = self.core
        core.eventLoop.execute { core.value.handlers[route] = handler }
    }

    /// Every account's registration state, for the API.
    public func registrations() -> [SIPRegistrationStatus] {
        board.snapshot
    }

    /// A new call ID for the seam: random, unguessable, printable.
    static func newCallID() -> String {
        "sip-" + WebRTCTransportServer.randomToken(16)
    }

    // MARK: SIPCallPlacer

    public func placeCall(route: String, to target: String, offer: SessionDescription, observer: any SIPCallObserver)
        throws(SIPCallFailure) -> any SIPCallControl
    {
        let plan = try Self.plan(route: route, target: target, calls: calls)
        let id = SIPCallID(Self.newCallID())
        let handle = SIPCallHandle(id: id, caller: plan.target.description, remoteOffer: nil, core: core)
        let core = self.core
        // The account's registrar is the outbound proxy; its address was resolved at start.
        let known: TransportAddress?? = calls[route]?.account != nil
            ? registrars[route] : SIPHostResolver.literal(plan.destinationHost, port: plan.destinationPort).map { .some($0) }
        core.eventLoop.execute { core.value.addOutbound(id, route: route, observer: observer) }
        if let known {
            core.eventLoop.execute { core.value.startOutbound(id, plan: plan, destination: known, offer: offer) }
        } else {
            Task {
                let address = await SIPHostResolver.resolve(plan.destinationHost, port: plan.destinationPort)
                core.eventLoop.execute { core.value.startOutbound(id, plan: plan, destination: address, offer: offer) }
            }
        }
        return handle
    }

    /// The Request-URI, From, credentials and next hop for a call from `route` to what the user typed.
    static func plan(route: String, target: String, calls: [String: CallRouteConfig]) throws(SIPCallFailure) -> CallPlan {
        guard let call = calls[route] else { throw SIPCallFailure("no call route \"\(route)\"") }
        let typed = target.trimmingWhitespace()
        let lower = typed.lowercased()
        let uri: SIPURI?
        if lower.hasPrefix("sip:") || lower.hasPrefix("sips:") {
            // A typed URI is dialled only where the operator allowed it: otherwise anyone with the page could
            // call any host, or any number through the route's account.
            uri = try? SIPURI(parsing: String(typed))
            if let uri, !call.allowURIs.contains(where: { $0.matches(uri.description) }) {
                throw SIPCallFailure("call route \(route) does not allow dialling \(uri.description.prefix(80)) (calls[].allow_uris)")
            }
        } else if let dial = call.dial {
            uri = dial.uri(for: String(typed))
        } else {
            throw SIPCallFailure("call route \(route) has no dial template: numbers cannot be dialled here")
        }
        guard var uri, uri.password == nil else {
            throw SIPCallFailure("\"\(typed.prefix(80))\" is not a number or sip: address this route can call")
        }
        uri.password = nil
        // The account's registrar is the next hop, on its transport; else the target itself.
        let registrar = call.account?.registrar
        let hop = registrar ?? uri
        return CallPlan(target: uri, from: call.account?.addressOfRecord, credentials: call.account?.credentials,
                        destinationHost: hop.host, destinationPort: hop.portOrDefault, transport: hop.requestTransport,
                        tlsVerification: call.tlsVerification)
    }
}
