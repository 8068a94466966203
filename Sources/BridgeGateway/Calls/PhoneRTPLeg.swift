import BridgeCore
import NIOCore
import NIOPosix

/// The phone side of a call: one UDP socket for RTP (the next port carries RTCP when the phone does not
/// mux), bound from `sip.rtp_ports` on the WebRTC socket's loop, so that the bridge touches both legs
/// without locks.
final class PhoneRTPLeg: @unchecked Sendable {
    let channel: any Channel
    let port: Int
    private let handler: Handler

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        var onPacket: ([UInt8], TransportAddress) -> Void = { _, _ in }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let source = TransportAddress(envelope.remoteAddress) else { return }
            onPacket(Array(envelope.data.readableBytesView), source)
        }
    }

    private init(channel: any Channel, port: Int, handler: Handler) {
        self.channel = channel
        self.port = port
        self.handler = handler
    }

    /// Binds the first free even port of `ports` on `host`.
    static func bind(host: String, ports: ClosedRange<Int>, on eventLoop: any EventLoop) async throws -> PhoneRTPLeg {
        var lastError: (any Error)?
        for port in stride(from: ports.lowerBound + ports.lowerBound % 2, through: ports.upperBound, by: 2) {
            let handler = Handler()
            do {
                let channel = try await DatagramBootstrap(group: eventLoop)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
                    }
                    .bind(host: host, port: port).get()
                return PhoneRTPLeg(channel: channel, port: port, handler: handler)
            } catch {
                lastError = error
            }
        }
        throw CallError("no free RTP port in \(ports.lowerBound)-\(ports.upperBound) (\(lastError.map { "\($0)" } ?? "empty range"))")
    }

    /// Where packets go; runs on the loop.
    func onPacket(_ body: @escaping ([UInt8], TransportAddress) -> Void) {
        handler.onPacket = body
    }

    func send(_ packets: [[UInt8]], to destination: TransportAddress) {
        guard let address = try? SocketAddress(destination), channel.isWritable else { return }
        for packet in packets {
            channel.write(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: packet)), promise: nil)
        }
        channel.flush()
    }

    func close() {
        channel.close(promise: nil)
    }
}

/// A call that cannot go on, in words for the page and the log.
struct CallError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
