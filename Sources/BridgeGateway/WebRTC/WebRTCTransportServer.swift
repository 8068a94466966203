import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSDP
import BridgeSRTP
import BridgeWebRTC
import NIOCore
import NIOPosix
import Synchronization

/// The gateway's WebRTC port: binds the UDP socket (`webrtc.udp_port`) and creates sessions on its loop.
public final class WebRTCTransportServer: Sendable {
    let channel: any Channel
    /// The ICE-TCP listener (`webrtc.tcp_port`), nil when it is off.
    let tcpChannel: (any Channel)?
    private let handler: NIOLoopBound<WebRTCDatagramHandler>
    public let port: Int
    /// The ICE-TCP port, 0 when off.
    public let tcpPort: Int
    public let certificate: DTLSCertificate
    /// Advertised host addresses (`webrtc.hosts`, or the listen address).
    public let hosts: [String]

    private init(channel: any Channel, tcpChannel: (any Channel)?, handler: NIOLoopBound<WebRTCDatagramHandler>, port: Int,
                 certificate: DTLSCertificate, hosts: [String]) {
        self.channel = channel
        self.tcpChannel = tcpChannel
        self.handler = handler
        self.port = port
        self.tcpPort = tcpChannel?.localAddress?.port ?? 0
        self.certificate = certificate
        self.hosts = hosts
    }

    /// Binds UDP `port` and, unless `tcpPort` is nil, the passive ICE-TCP listener, on one event loop.
    static let receiveBufferBytes = 4 << 20
    static let readBatch = 32

    public static func bind(host: String, port: Int, tcpPort: Int? = nil, advertise hosts: [String], certificate: DTLSCertificate,
                            tcpLimits: TCPLimits = TCPLimits(), segmentationOffload: Bool = true, metrics: GatewayMetrics = GatewayMetrics(),
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> WebRTCTransportServer
    {
        let eventLoop = group.next()
        let handler = try await eventLoop.submit {
            NIOLoopBound(WebRTCDatagramHandler(segmentationOffload: segmentationOffload), eventLoop: eventLoop)
        }.get()
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Every session shares this socket: a deeper receive queue rides out bursts (the kernel caps it
            // at net.core.rmem_max), and each wakeup reads up to `readBatch` datagrams with one recvmmsg.
            .channelOption(.socketOption(.so_rcvbuf), value: Self.receiveBufferBytes)
            .channelOption(.datagramVectorReadMessageCount, value: Self.readBatch)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: Self.readBatch * 2_048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler.value) }
            }
            .bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        var tcpChannel: (any Channel)?
        if let tcpPort {
            do {
                let limiter = ConnectionLimiter(listener: "ice_tcp", limit: tcpLimits.maxConnections, metrics: metrics)
                tcpChannel = try await ServerBootstrap(group: eventLoop, childGroup: eventLoop)
                    .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                    .serverChannelInitializer { server in
                        server.eventLoop.makeCompletedFuture { try server.pipeline.syncOperations.addHandler(limiter) }
                    }
                    .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                    .childChannelInitializer { child in
                        child.eventLoop.makeCompletedFuture {
                            try child.pipeline.syncOperations.addHandlers(IdleConnectionCloser.handlers(timeout: tcpLimits.idleTimeout))
                            try child.pipeline.syncOperations.addHandler(ICETCPConnectionHandler(sessions: handler))
                        }
                    }
                    .bind(host: host, port: tcpPort).get()
            } catch {
                try? await channel.close()
                throw ICETCPBindError(underlying: error)
            }
        }
        return WebRTCTransportServer(channel: channel, tcpChannel: tcpChannel, handler: handler, port: boundPort, certificate: certificate,
                                     hosts: hosts)
    }

    /// What to advertise as host candidates: `webrtc.hosts` first, then the address the socket is bound to,
    /// or, bound to every interface, this machine's interface addresses (unless switched off).
    static func advertisedHosts(configured: [String], boundHost: String, includeInterfaces: Bool) -> [String] {
        var hosts = configured
        if boundHost != "0.0.0.0" && boundHost != "::" {
            hosts.append(boundHost)
        } else if includeInterfaces {
            let devices = (try? System.enumerateDevices()) ?? []
            let addresses = devices.compactMap { $0.address?.ipAddress }.filter { !$0.hasPrefix("fe80") }
            // Loopback last: browsers on this machine reach it, others skip it.
            hosts += addresses.filter { $0 != "127.0.0.1" && $0 != "::1" } + addresses.filter { $0 == "127.0.0.1" }
        }
        var seen: Set<String> = []
        let unique = hosts.filter { seen.insert($0).inserted }
        return unique.isEmpty ? ["127.0.0.1"] : unique
    }

    /// The loop every session of this socket lives on; route hubs run on it too, so fan-out takes no lock.
    public var eventLoop: any EventLoop { channel.eventLoop }

    /// Protects and writes packets for one session. Must run on `eventLoop`.
    @discardableResult
    func sendOnLoop(rtp packets: consuming [[UInt8]], rtcp: [[UInt8]] = [], ufrag: String) -> WebRTCDatagramHandler.SendOutcome {
        handler.value.send(rtp: packets, rtcp: rtcp, ufrag: ufrag)
    }

    /// Ends one session. Must run on `eventLoop`.
    func closeOnLoop(ufrag: String, reason: String) {
        handler.value.close(ufrag: ufrag, reason: reason)
    }

    public func close() async {
        try? await tcpChannel?.close()
        try? await channel.close()
    }

    /// Transport parameters for a new session's SDP: fresh ICE credentials, the certificate, host candidates.
    func newTransportParameters() -> WebRTCTransportParameters {
        WebRTCTransportParameters(
            iceUfrag: Self.randomToken(8), icePwd: Self.randomToken(24),
            fingerprint: Fingerprint(hashFunction: "sha-256", value: certificate.sha256Fingerprint),
            candidates: WebRTCTransportParameters.hostCandidates(addresses: hosts, udpPort: port, tcpPort: tcpPort),
            cname: Self.randomToken(12), streamID: "mediabridge")
    }

    /// Starts a session for an answered offer on the socket's loop.
    func startSession(
        transport: WebRTCTransportParameters, offer: SessionDescription, profiles: [SRTPProfile],
        onEvent: @escaping @Sendable (WebRTCSession.Event, _ send: @escaping @Sendable ([UInt8]) -> Void) -> Void
    ) async throws {
        guard let first = offer.media.first, let remote = offer.iceCredentials(for: first) else {
            throw WebRTCEndpointError(message: "the offer has no ICE credentials")
        }
        // Every fingerprint the peer lists, at media or session level (aiortc lists sha-256, -384 and -512).
        let fingerprintValues = offer.media.flatMap { $0.attributeValues("fingerprint") }
            + offer.attributes.filter { $0.name == "fingerprint" }.compactMap(\.value)
        let allFingerprints = fingerprintValues.compactMap(Fingerprint.init(attributeValue:)).map { ($0.hashFunction, $0.value) }
        let role: DTLSTransport.Role = offer.setup(for: first) == .passive ? .client : .server
        let context = try DTLSContext(certificate: certificate, profiles: profiles)
        let configuration = WebRTCSession.Configuration(
            local: .init(ufrag: transport.iceUfrag, pwd: transport.icePwd), remote: .init(ufrag: remote.ufrag, pwd: remote.pwd),
            dtlsContext: context, dtlsRole: role, remoteFingerprints: allFingerprints)
        let handler = self.handler
        let ufrag = transport.iceUfrag
        try await channel.eventLoop.submit {
            let session = try WebRTCSession(configuration: configuration, now: WebRTCDatagramHandler.now())
            let eventLoop = self.channel.eventLoop
            let send: @Sendable ([UInt8]) -> Void = { packet in
                eventLoop.execute { handler.value.send(rtp: packet, ufrag: ufrag) }
            }
            handler.value.register(session, ufrag: ufrag) { event in onEvent(event, send) }
        }.get()
    }

    static func randomToken(_ length: Int) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}

/// How many ICE-TCP connections the listener holds, and how long a silent one stays.
public struct TCPLimits: Sendable {
    public var maxConnections = 256
    public var idleTimeout: Duration = .seconds(30)

    public init(maxConnections: Int = 256, idleTimeout: Duration = .seconds(30)) {
        self.maxConnections = maxConnections
        self.idleTimeout = idleTimeout
    }
}

/// The ICE-TCP port would not open (the UDP one did).
public struct ICETCPBindError: Error {
    public let underlying: any Error
}

/// A WebRTC request the gateway cannot serve, in words for the HTTP answer.
struct WebRTCEndpointError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
