import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSDP
import BridgeSRTP
import BridgeWebRTC
import NIOCore
import NIOPosix
import Synchronization

/// The gateway's WebRTC port: one shard per event loop (`webrtc.threads`), each with its own UDP socket on
/// the same port (SO_REUSEPORT), so one port is advertised while every core carries sessions. A session is
/// owned by the shard its ufrag names (`SessionDirectory`), lives on that shard's loop and sends from its
/// socket.
public final class WebRTCTransportServer: Sendable {
    let shards: [WebRTCShard]
    let directory: SessionDirectory
    /// The ICE-TCP listener (`webrtc.tcp_port`), nil when it is off.
    let tcpChannel: (any Channel)?
    public let port: Int
    /// The ICE-TCP port, 0 when off.
    public let tcpPort: Int
    public let certificate: DTLSCertificate
    /// Advertised host addresses (`webrtc.hosts`, or the listen address).
    public let hosts: [String]
    /// One OpenSSL context per SRTP profile list, shared by every session that offers it (a context per
    /// session cost each viewer a certificate store and key copies).
    private let dtlsContexts = Mutex<[[SRTPProfile]: DTLSContext]>([:])

    private init(shards: [WebRTCShard], directory: SessionDirectory, tcpChannel: (any Channel)?, port: Int,
                 certificate: DTLSCertificate, hosts: [String]) {
        self.shards = shards
        self.directory = directory
        self.tcpChannel = tcpChannel
        self.port = port
        self.tcpPort = tcpChannel?.localAddress?.port ?? 0
        self.certificate = certificate
        self.hosts = hosts
    }

    static let receiveBufferBytes = 4 << 20
    static let readBatch = 32

    /// Binds UDP `port` on `threads` loops of `group` (at most as many as it has) and, unless `tcpPort` is
    /// nil, the passive ICE-TCP listener, whose connections hand their frames to the owning shard.
    public static func bind(host: String, port: Int, tcpPort: Int? = nil, advertise hosts: [String], certificate: DTLSCertificate,
                            threads: Int = 1, tcpLimits: TCPLimits = TCPLimits(), segmentationOffload: Bool = true,
                            metrics: GatewayMetrics = GatewayMetrics(),
                            group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> WebRTCTransportServer
    {
        let loops = distinctLoops(of: group, count: threads)
        let directory = SessionDirectory(shardCount: loops.count)
        var shards: [WebRTCShard] = []
        // Sockets with SO_REUSEPORT would share a fixed port with another gateway of the same user: a plain
        // bind first proves it free. (Port 0 needs no proof: the first shard's socket gets a fresh port.)
        var boundPort = port
        if loops.count > 1, port != 0 {
            let probe = try await DatagramBootstrap(group: loops[0]).bind(host: host, port: port).get()
            try await probe.close()
        }
        do {
            for (index, loop) in loops.enumerated() {
                let shard = try await WebRTCShard.bind(index: index, host: host, port: boundPort, eventLoop: loop, directory: directory,
                                                       segmentationOffload: segmentationOffload, metrics: metrics)
                boundPort = shard.channel.localAddress?.port ?? boundPort
                shards.append(shard)
            }
        } catch {
            for shard in shards { try? await shard.channel.close() }
            throw error
        }
        let handlers = shards.map(\.handler)
        for shard in shards {
            try await shard.eventLoop.submit { shard.handler.value.peers = handlers }.get()
        }
        var tcpChannel: (any Channel)?
        if let tcpPort {
            do {
                tcpChannel = try await bindICETCP(host: host, port: tcpPort, shard: shards[0], limits: tcpLimits, metrics: metrics)
            } catch {
                for shard in shards { try? await shard.channel.close() }
                throw ICETCPBindError(underlying: error)
            }
        }
        return WebRTCTransportServer(shards: shards, directory: directory, tcpChannel: tcpChannel, port: boundPort,
                                     certificate: certificate, hosts: hosts)
    }

    /// Up to `count` different loops of the group (a group hands its loops out in turn).
    static func distinctLoops(of group: any EventLoopGroup, count: Int) -> [any EventLoop] {
        var loops: [any EventLoop] = []
        for loop in group.makeIterator() where loops.count < max(1, count) && !loops.contains(where: { $0 === loop }) {
            loops.append(loop)
        }
        return loops.isEmpty ? [group.next()] : loops
    }

    /// ICE-TCP connections are accepted and read on the first shard's loop; each frame goes to its owner.
    private static func bindICETCP(host: String, port: Int, shard: WebRTCShard, limits: TCPLimits,
                                   metrics: GatewayMetrics) async throws -> any Channel {
        let limiter = ConnectionLimiter(listener: "ice_tcp", limit: limits.maxConnections, metrics: metrics)
        let handler = shard.handler
        return try await ServerBootstrap(group: shard.eventLoop, childGroup: shard.eventLoop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelInitializer { server in
                server.eventLoop.makeCompletedFuture { try server.pipeline.syncOperations.addHandler(limiter) }
            }
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandlers(IdleConnectionCloser.handlers(timeout: limits.idleTimeout))
                    try child.pipeline.syncOperations.addHandler(ICETCPConnectionHandler(sessions: handler))
                }
            }
            .bind(host: host, port: port).get()
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

    /// The shard that owns the session with this ufrag.
    func shard(forUfrag ufrag: String) -> WebRTCShard { shards[directory.owner(ofUfrag: ufrag)] }

    /// The loop a session lives on; whatever feeds it (a route's fan-out, a call's bridge) runs there too.
    func eventLoop(forUfrag ufrag: String) -> any EventLoop { shard(forUfrag: ufrag).eventLoop }

    /// Every shard's loop, by shard index.
    public var eventLoops: [any EventLoop] { shards.map(\.eventLoop) }

    /// The loop a route's source feeds and packetizes on (its viewers are on every shard).
    func homeLoop(forRoute name: String) -> any EventLoop { shards[directory.owner(ofUfrag: name)].eventLoop }

    /// Protects and writes packets for one session. Must run on the session's loop.
    @discardableResult
    func sendOnLoop(rtp packets: consuming [[UInt8]], rtcp: [[UInt8]] = [], ufrag: String) -> WebRTCDatagramHandler.SendOutcome {
        shard(forUfrag: ufrag).handler.value.send(rtp: packets, rtcp: rtcp, ufrag: ufrag)
    }

    /// Sends a viewer's media batch from its session's socket buffer (`WebRTCDatagramHandler.send(media:)`).
    /// Must run on the session's loop.
    func sendOnLoop(media packets: [OutgoingRTP], ufrag: String) -> WebRTCDatagramHandler.SendOutcome {
        shard(forUfrag: ufrag).handler.value.send(media: packets, ufrag: ufrag)
    }

    /// Ends one session. Must run on the session's loop.
    func closeOnLoop(ufrag: String, reason: String) {
        shard(forUfrag: ufrag).handler.value.close(ufrag: ufrag, reason: reason)
    }

    public func close() async {
        try? await tcpChannel?.close()
        for shard in shards { try? await shard.channel.close() }
    }

    private func dtlsContext(profiles: [SRTPProfile]) throws(DTLSError) -> DTLSContext {
        if let shared = dtlsContexts.withLock({ $0[profiles] }) { return shared }
        let made = try DTLSContext(certificate: certificate, profiles: profiles)
        return dtlsContexts.withLock { contexts in
            if let raced = contexts[profiles] { return raced }
            contexts[profiles] = made
            return made
        }
    }

    /// Transport parameters for a new session's SDP: fresh ICE credentials, the certificate, host candidates.
    func newTransportParameters() -> WebRTCTransportParameters {
        WebRTCTransportParameters(
            iceUfrag: Self.randomToken(8), icePwd: Self.randomToken(24),
            fingerprint: Fingerprint(hashFunction: "sha-256", value: certificate.sha256Fingerprint),
            candidates: WebRTCTransportParameters.hostCandidates(addresses: hosts, udpPort: port, tcpPort: tcpPort),
            cname: Self.randomToken(12), streamID: "mediabridge")
    }

    /// Starts a session for an answered offer on its shard's loop.
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
        let context = try dtlsContext(profiles: profiles)
        let configuration = WebRTCSession.Configuration(
            local: .init(ufrag: transport.iceUfrag, pwd: transport.icePwd), remote: .init(ufrag: remote.ufrag, pwd: remote.pwd),
            dtlsContext: context, dtlsRole: role, remoteFingerprints: allFingerprints)
        let ufrag = transport.iceUfrag
        let shard = shard(forUfrag: ufrag)
        let handler = shard.handler
        try await shard.eventLoop.submit {
            let session = try WebRTCSession(configuration: configuration, now: WebRTCDatagramHandler.now())
            let eventLoop = shard.eventLoop
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
