import CoreMetrics
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// One event loop's part of the WebRTC port: its UDP socket (bound with SO_REUSEPORT beside the other
/// shards' sockets) and the handler that owns its sessions. The handler is reachable only on the loop.
struct WebRTCShard: Sendable {
    let index: Int
    let channel: any Channel
    let handler: NIOLoopBound<WebRTCDatagramHandler>

    var eventLoop: any EventLoop { channel.eventLoop }

    static func bind(index: Int, host: String, port: Int, eventLoop: any EventLoop, directory: SessionDirectory,
                     segmentationOffload: Bool, metrics: GatewayMetrics) async throws -> WebRTCShard {
        let counter = CoreMetrics.Counter(label: "mediabridge_webrtc_handed_off_total", dimensions: [("loop", String(index))],
                                          factory: metrics.factory)
        let handler = try await eventLoop.submit {
            NIOLoopBound(WebRTCDatagramHandler(segmentationOffload: segmentationOffload, shardIndex: index, directory: directory,
                                               handedOffCounter: counter),
                         eventLoop: eventLoop)
        }.get()
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            // Every shard binds the same port; the kernel spreads remote addresses over the sockets.
            .channelOption(.socketOption(NIOBSDSocket.Option(rawValue: SO_REUSEPORT)), value: directory.shardCount > 1 ? 1 : 0)
            // A shard's sessions share its socket: a deeper receive queue rides out bursts (the kernel caps it
            // at net.core.rmem_max), and each wakeup reads up to `readBatch` datagrams with one recvmmsg.
            .channelOption(.socketOption(.so_rcvbuf), value: WebRTCTransportServer.receiveBufferBytes)
            .channelOption(.datagramVectorReadMessageCount, value: WebRTCTransportServer.readBatch)
            .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: WebRTCTransportServer.readBatch * 2_048))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler.value) }
            }
            .bind(host: host, port: port).get()
        return WebRTCShard(index: index, channel: channel, handler: handler)
    }
}
