import NIOCore
import NIOPosix

/// The phone's sockets: UDP on 127.0.0.1, any free port.
enum LoopbackUDP {
    /// Binds on `eventLoop` and adds the handler `make` builds for the bound port; the handler stays on that loop.
    static func bind<Handler: ChannelInboundHandler>(on eventLoop: any EventLoop, receiveBuffer: Int? = nil,
                                                     make: @escaping @Sendable (Int) -> Handler) async throws -> NIOLoopBound<Handler> {
        var bootstrap = DatagramBootstrap(group: eventLoop)
        if let receiveBuffer {
            bootstrap = bootstrap.channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
        }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return try await eventLoop.submit {
            let handler = make(channel.localAddress?.port ?? 0)
            try channel.pipeline.syncOperations.addHandler(handler)
            return NIOLoopBound(handler, eventLoop: eventLoop)
        }.get()
    }
}
