import BridgeCore
import BridgeSIP
import NIOCore

/// The SIP UDP socket: every datagram goes to the core on the same loop.
final class SIPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>

    private let core: NIOLoopBound<SIPEndpointCore>

    init(core: NIOLoopBound<SIPEndpointCore>) {
        self.core = core
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard let source = TransportAddress(envelope.remoteAddress), envelope.data.readableBytes <= SIPLimits.default.maximumMessageSize
        else { return }
        core.value.handle(bytes: Array(envelope.data.readableBytesView), from: source, transport: .udp)
    }
}
