import NIOCore
import NIOPosix

/// The UDP sockets of an RTSP session over UDP: one RTP/RTCP pair per track, RTP on an even port and RTCP
/// on the next (RFC 3550 section 11).
final class RTSPUDPReceiver: Sendable {
    let channels: [any Channel]
    let ports: [(rtp: Int, rtcp: Int)]

    private init(channels: [any Channel], ports: [(rtp: Int, rtcp: Int)]) {
        self.channels = channels
        self.ports = ports
    }

    func close() {
        for channel in channels { channel.close(promise: nil) }
    }

    /// Binds `pairs` port pairs; `onDatagram(track, isRTCP, sender IP, bytes)` runs on `eventLoop` for each datagram.
    static func bind(pairs: Int, host: String, ports: ClosedRange<Int>, eventLoop: any EventLoop,
                     onDatagram: @escaping @Sendable (Int, Bool, String?, [UInt8]) -> Void) -> EventLoopFuture<RTSPUDPReceiver> {
        var future = eventLoop.makeSucceededFuture([(any Channel, any Channel)]())
        for track in 0..<pairs {
            future = future.flatMap { bound in
                bindPair(track: track, host: host, ports: ports, eventLoop: eventLoop, attempt: 0, onDatagram: onDatagram).map { bound + [$0] }
            }
        }
        return future.map { bound in
            RTSPUDPReceiver(channels: bound.flatMap { [$0.0, $0.1] },
                            ports: bound.map { ($0.0.localAddress?.port ?? 0, $0.1.localAddress?.port ?? 0) })
        }
    }

    /// A random even port of `ports` (and the next one), retried on a clash.
    private static func bindPair(track: Int, host: String, ports: ClosedRange<Int>, eventLoop: any EventLoop, attempt: Int,
                                 onDatagram: @escaping @Sendable (Int, Bool, String?, [UInt8]) -> Void)
        -> EventLoopFuture<(any Channel, any Channel)>
    {
        let low = ports.lowerBound + ports.lowerBound % 2
        let rtpPort = Int.random(in: low...max(low, ports.upperBound - 1)) & ~1
        return bindOne(track: track, isRTCP: false, host: host, port: rtpPort, eventLoop: eventLoop, onDatagram: onDatagram)
            .flatMap { rtp in
                bindOne(track: track, isRTCP: true, host: host, port: rtpPort + 1, eventLoop: eventLoop, onDatagram: onDatagram)
                    .map { (rtp, $0) }
                    .flatMapErrorThrowing { error in
                        rtp.close(promise: nil)
                        throw error
                    }
            }
            .flatMapError { error in
                guard attempt < 20 else { return eventLoop.makeFailedFuture(error) }
                return bindPair(track: track, host: host, ports: ports, eventLoop: eventLoop, attempt: attempt + 1, onDatagram: onDatagram)
            }
    }

    private static func bindOne(track: Int, isRTCP: Bool, host: String, port: Int, eventLoop: any EventLoop,
                                onDatagram: @escaping @Sendable (Int, Bool, String?, [UInt8]) -> Void) -> EventLoopFuture<any Channel> {
        DatagramBootstrap(group: eventLoop)
            .channelOption(.socketOption(.so_rcvbuf), value: 2 << 20)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(RTSPDatagramHandler { sender, bytes in onDatagram(track, isRTCP, sender, bytes) })
                }
            }
            .bind(host: host, port: port)
    }
}

final class RTSPDatagramHandler: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    private let onDatagram: (String?, [UInt8]) -> Void

    init(onDatagram: @escaping (String?, [UInt8]) -> Void) {
        self.onDatagram = onDatagram
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        onDatagram(envelope.remoteAddress.ipAddress, Array(envelope.data.readableBytesView))
    }
}
