import BridgeCore
import BridgeWebRTC
import NIOCore

/// One passive ICE-TCP connection (RFC 6544) from a browser whose UDP is blocked: RFC 4571 frames in,
/// handed to the same session table as UDP datagrams (the connection runs on the UDP socket's loop).
final class ICETCPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let sessions: NIOLoopBound<WebRTCDatagramHandler>
    private var framer = RFC4571Framer()
    private var remote: TransportAddress?
    /// A peer that sends more than this without completing a frame is cut off.
    static let maximumPending = 70_000

    init(sessions: NIOLoopBound<WebRTCDatagramHandler>) {
        self.sessions = sessions
    }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.remoteAddress.flatMap(TransportAddress.init)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        guard let remote else { context.close(promise: nil); return }
        framer.append(buffer.readableBytesView)
        while let packet = framer.next() {
            sessions.value.handleStreamPacket(packet, from: remote, connection: context.channel)
        }
        if framer.pendingCount > Self.maximumPending { context.close(promise: nil) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let remote { sessions.value.streamClosed(from: remote) }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
