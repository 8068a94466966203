import BridgeCore
import BridgeSIP
import NIOCore

/// One SIP TCP connection (RFC 3261 section 18.3 framing by Content-Length, through `SIPStreamFramer`).
/// Responses and in-dialog requests to its peer go back on it; a framing error closes it.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let core: NIOLoopBound<SIPEndpointCore>
    private var framer = SIPStreamFramer()
    private var peer: TransportAddress?

    init(core: NIOLoopBound<SIPEndpointCore>) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let address = context.channel.remoteAddress.flatMap(TransportAddress.init),
              core.value.tcpConnections.count < SIPEndpointCore.maximumTCPConnections else {
            context.close(promise: nil)
            return
        }
        peer = address
        core.value.tcpConnections[address] = context.channel
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let peer, core.value.tcpConnections[peer] === context.channel { core.value.tcpConnections[peer] = nil }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let peer else { return }
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let message = try framer.nextMessage() {
                core.value.handle(message: message, from: peer, transport: .tcp)
            }
        } catch {
            core.value.logger.debug("SIP TCP from \(peer) closed: \(error)")
            context.close(promise: nil)
        }
    }
}
