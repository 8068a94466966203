import BridgeCore
import BridgeSIP
import NIOCore
import NIOTLS

/// One SIP connection over TCP or TLS, accepted or opened by the gateway (RFC 3261 section 18.3 framing by
/// Content-Length, through `SIPStreamFramer`; on TLS behind a NIOSSL handler). Responses and requests to its
/// peer go back on it; a framing error closes it. A TLS connection carries messages once its handshake is
/// done, and is closed when that takes longer than `handshakeTimeout`.
final class SIPStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    static let handshakeTimeout = TimeAmount.seconds(10)

    private let core: NIOLoopBound<SIPEndpointCore>
    private let transport: SIPTransport
    private var framer = SIPStreamFramer()
    private var key: SIPEndpointCore.ConnectionKey?
    private var isReady = false

    init(core: NIOLoopBound<SIPEndpointCore>, transport: SIPTransport) {
        self.core = core
        self.transport = transport
    }

    func channelActive(context: ChannelHandlerContext) {
        guard let address = context.channel.remoteAddress.flatMap(TransportAddress.init) else {
            context.close(promise: nil)
            return
        }
        let key = SIPEndpointCore.ConnectionKey(transport: transport, address: address)
        guard core.value.connectionCount < core.value.maximumConnections else {
            core.value.connectionRefused()
            core.value.connectionClosed(key, channel: context.channel)
            context.close(promise: nil)
            return
        }
        core.value.connectionCount += 1
        self.key = key
        if transport == .tls {
            let channel = context.channel
            context.eventLoop.assumeIsolated().scheduleTask(in: Self.handshakeTimeout) { [weak self] in
                if self?.isReady == false { channel.close(promise: nil) }
            }
        } else {
            ready(context)
        }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent { ready(context) }
        context.fireUserInboundEventTriggered(event)
    }

    private func ready(_ context: ChannelHandlerContext) {
        guard let key, !isReady else { return }
        isReady = true
        core.value.connectionReady(key, channel: context.channel)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let key {
            core.value.connectionCount -= 1
            core.value.connectionClosed(key, channel: context.channel)
        }
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        core.value.logger.debug("SIP \(key.map { "\($0)" } ?? "\(transport)") connection closed: \(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let key else { return }
        let buffer = unwrapInboundIn(data)
        framer.append(buffer.readableBytesView)
        do {
            while let message = try framer.nextMessage() {
                core.value.handle(message: message, from: key.address, transport: transport)
            }
        } catch {
            core.value.logger.debug("SIP \(key) closed: \(error)")
            context.close(promise: nil)
        }
    }
}
