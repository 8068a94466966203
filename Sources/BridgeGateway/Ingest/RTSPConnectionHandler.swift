import NIOCore

/// The RTSP connection's one handler: hands every read and the close to the driver, on the channel's loop.
final class RTSPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let onBytes: (ByteBuffer) -> Void
    private let onClose: () -> Void

    init(onBytes: @escaping (ByteBuffer) -> Void, onClose: @escaping () -> Void) {
        self.onBytes = onBytes
        self.onClose = onClose
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        onBytes(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        onClose()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
