import BridgeCore
import BridgeWebRTC
import NIOCore

/// One viewer of the swarm: a client-role `WebRTCClientSession` (controlling ICE, DTLS client, SRTP
/// decrypt) on its own UDP socket, as the channel's handler. Lives on one event loop; its `ViewerGroup`
/// ticks its timers and reads its counters there.
final class SwarmViewer: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let session: WebRTCClientSession
    let server: TransportAddress
    let serverSocketAddress: SocketAddress
    private(set) var loss = LossCounter()
    private(set) var rtcp = 0
    private(set) var bytes = 0
    private(set) var closeReason: String?
    private(set) var profile: String?
    /// RTP received when the window started (`markWindow`).
    private var receivedAtMark = 0
    private var context: ChannelHandlerContext?

    init(session: WebRTCClientSession, server: TransportAddress, serverSocketAddress: SocketAddress) {
        self.session = session
        self.server = server
        self.serverSocketAddress = serverSocketAddress
    }

    static func now() -> MonotonicInstant { MonotonicInstant(nanoseconds: NIODeadline.now().uptimeNanoseconds) }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        tick(now: Self.now())
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        // Only the gateway's address counts; anything else is handed on as a foreign source (and dropped).
        let source = envelope.remoteAddress == serverSocketAddress ? server : TransportAddress(ipv4: 0, 0, 0, 0, port: 0)
        bytes += envelope.data.readableBytes
        session.handleDatagram(Array(envelope.data.readableBytesView), from: source, now: Self.now())
        drain(context: context)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    /// Runs the session's timers when due (ICE checks and consent, DTLS retransmissions).
    func tick(now: MonotonicInstant) {
        guard let context else { return }
        if let deadline = session.nextTimeout(now: now), deadline <= now {
            session.handleTimeout(now: now)
            drain(context: context)
            context.flush()
        }
    }

    func close() {
        context?.close(promise: nil)
    }

    func markWindow() {
        receivedAtMark = loss.received
    }

    var snapshot: SwarmSnapshot {
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
