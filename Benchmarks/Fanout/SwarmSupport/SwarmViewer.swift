import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeWebRTC
import NIOCore
import NIOPosix

/// One browser of a swarm: a client-role `WebRTCClientSession` (controlling ICE, DTLS client, SRTP both
/// ways) on its own UDP socket, as the channel's handler. Lives on one event loop; its group (the fan-out's
/// `ViewerGroup`, the call swarm's `CallGroup`) ticks its timers and reads its counters there.
public final class SwarmViewer: ChannelInboundHandler {
    public typealias InboundIn = AddressedEnvelope<ByteBuffer>
    public typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    /// Per socket; the kernel caps it at net.core.rmem_max. Key frames arrive as bursts of ~100 packets.
    public static let receiveBuffer = 1 << 20
    /// recvmmsg batch; NIO splits one receive buffer into this many slots, so each needs a full datagram.
    public static let vectorReads = 16
    public static let datagramSlot = 2048

    public let session: WebRTCClientSession
    let server: TransportAddress
    let serverSocketAddress: SocketAddress
    public private(set) var loss = LossCounter()
    public private(set) var rtcp = 0
    public private(set) var bytes = 0
    /// RTP packets handed to the session to send (`send(rtp:)`), and those it refused (not connected yet).
    public private(set) var sent = 0
    public private(set) var closeReason: String?
    public private(set) var profile: String?
    /// RTP received when the window started (`markWindow`).
    private var receivedAtMark = 0
    private var context: ChannelHandlerContext?

    init(session: WebRTCClientSession, server: TransportAddress, serverSocketAddress: SocketAddress) {
        self.session = session
        self.server = server
        self.serverSocketAddress = serverSocketAddress
    }

    public static func now() -> MonotonicInstant { MonotonicInstant(nanoseconds: NIODeadline.now().uptimeNanoseconds) }

    /// Binds a loopback UDP socket on `eventLoop` whose handler is a new viewer of `gateway`; runs
    /// `configure` with it on the loop (to keep it in a group) before the socket is active.
    public static func bind(on eventLoop: any EventLoop, local: ICELiteAgent.Credentials, gateway: GatewayTransport,
                            dtlsContext: DTLSContext, configure: @escaping @Sendable (SwarmViewer) -> Void) async throws {
        let serverSocketAddress = try SocketAddress(ipAddress: gateway.server.ipString, port: Int(gateway.server.port))
        let remote = ICELiteAgent.Credentials(ufrag: gateway.iceUfrag, pwd: gateway.icePwd)
        _ = try await DatagramBootstrap(group: eventLoop)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: vectorReads)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReads * datagramSlot))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = try WebRTCClientSession(
                        local: local, remote: remote, server: gateway.server, dtlsContext: dtlsContext,
                        remoteFingerprint: ("sha-256", gateway.fingerprint), now: SwarmViewer.now())
                    let viewer = SwarmViewer(session: session, server: gateway.server, serverSocketAddress: serverSocketAddress)
                    try channel.pipeline.syncOperations.addHandler(viewer)
                    configure(viewer)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    public func channelActive(context: ChannelHandlerContext) {
        self.context = context
        tick(now: Self.now())
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        context.fireChannelInactive()
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Only the gateway's address counts; anything else is handed on as a foreign source (and dropped).
        let source = envelope.remoteAddress == serverSocketAddress ? server : TransportAddress(ipv4: 0, 0, 0, 0, port: 0)
        bytes += envelope.data.readableBytes
        session.handleDatagram(Array(envelope.data.readableBytesView), from: source, now: Self.now())
        drain(context: context)
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    /// Runs the session's timers when due (ICE checks and consent, DTLS retransmissions).
    public func tick(now: MonotonicInstant) {
        guard let context else { return }
        if let deadline = session.nextTimeout(now: now), deadline <= now {
            session.handleTimeout(now: now)
            drain(context: context)
            context.flush()
        }
    }

    public func close() {
        context?.close(promise: nil)
    }

    /// Protects and sends one RTP packet to the gateway (counted as sent once the session is connected).
    public func send(rtp packet: [UInt8]) {
        guard let context, session.isConnected, !session.isClosed else { return }
        session.send(rtp: packet)
        sent += 1
        drain(context: context)
    }

    /// Writes what `send(rtp:)` queued.
    public func flush() {
        context?.flush()
    }

    public func markWindow() {
        receivedAtMark = loss.received
    }

    public var snapshot: SwarmSnapshot {
        let connected = session.isConnected && !session.isClosed
        return SwarmSnapshot(viewers: 1, connected: connected ? 1 : 0, closed: session.isClosed ? 1 : 0,
                             rtp: loss.received, rtcp: rtcp, expected: loss.expected, gaps: loss.gaps, bytes: bytes,
                             drops: session.drops, stalled: connected && loss.received == receivedAtMark ? 1 : 0)
    }

    private func drain(context: ChannelHandlerContext) {
        // Bounded: a session queues at most a handful of outputs per input.
        for _ in 0..<10_000 {
            guard let output = session.pollOutput() else { return }
            switch output {
            case .datagram(let datagram, _):
                var buffer = context.channel.allocator.buffer(capacity: datagram.count)
                buffer.writeBytes(datagram)
                context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: serverSocketAddress, data: buffer)), promise: nil)
            case .event(.rtp(let packet)):
                _ = loss.record(packet)
            case .event(.rtcp):
                rtcp += 1
            case .event(.closed(let reason)):
                closeReason = reason
            case .event(.connected(let negotiated)):
                profile = "\(negotiated)"
            case .event:
                break
            }
        }
    }
}
