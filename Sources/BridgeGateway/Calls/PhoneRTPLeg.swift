import BridgeCore
import NIOCore
import NIOPosix
import Synchronization

/// The phone side of a call: a UDP socket for RTP on an even port from `sip.rtp_ports` and one for RTCP
/// on the next port (for phones that do not mux; the gateway's SDP says `a=rtcp:` that port), bound on the
/// WebRTC socket's loop, so that the bridge touches both legs without locks.
final class PhoneRTPLeg: @unchecked Sendable {
    let channel: any Channel
    let rtcpChannel: any Channel
    let port: Int
    private let handler: Handler
    private let rtcpHandler: Handler
    /// The last destination and its socket address (made once, not per packet); used on the loop only.
    private var lastDestination: (TransportAddress, SocketAddress)?

    /// Where the next search for a free pair starts: after the pair handed out last, so that concurrent
    /// calls do not probe (and fail on) each other's ports; a failed bind costs a socket in SwiftNIO.
    private static let nextPort = Mutex<Int?>(nil)

    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        var onPacket: ([UInt8], TransportAddress) -> Void = { _, _ in }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let source = TransportAddress(envelope.remoteAddress) else { return }
            onPacket(Array(envelope.data.readableBytesView), source)
        }
    }

    private init(rtp: (any Channel, Handler), rtcp: (any Channel, Handler), port: Int) {
        (channel, handler) = rtp
        (rtcpChannel, rtcpHandler) = rtcp
        self.port = port
    }

    /// Binds a free pair (even port for RTP, the next for RTCP) of `ports` on `host`, searching from the
    /// pair after the one handed out last and wrapping round once.
    static func bind(host: String, ports: ClosedRange<Int>, on eventLoop: any EventLoop) async throws -> PhoneRTPLeg {
        let pairs = Array(stride(from: ports.lowerBound + ports.lowerBound % 2, to: ports.upperBound, by: 2))
        guard !pairs.isEmpty else { throw CallError("sip.rtp_ports \(ports.lowerBound)-\(ports.upperBound) holds no RTP/RTCP pair") }
        let start = nextPort.withLock { next in
            let index = next.flatMap { port in pairs.firstIndex { $0 >= port } } ?? 0
            next = pairs[(index + 1) % pairs.count]
            return index
        }
        var lastError: (any Error)?
        for offset in pairs.indices {
            let port = pairs[(start + offset) % pairs.count]
            do {
                let rtp = try await bindOne(host: host, port: port, on: eventLoop)
                do {
                    let rtcp = try await bindOne(host: host, port: port + 1, on: eventLoop)
                    nextPort.withLock { $0 = port + 2 }
                    return PhoneRTPLeg(rtp: rtp, rtcp: rtcp, port: port)
                } catch {
                    try? await rtp.0.close()
                    throw error
                }
            } catch {
                lastError = error
            }
        }
        throw CallError("no free RTP/RTCP port pair in \(ports.lowerBound)-\(ports.upperBound) (\(lastError.map { "\($0)" } ?? "none"))")
    }

    private static func bindOne(host: String, port: Int, on eventLoop: any EventLoop) async throws -> (any Channel, Handler) {
        let handler = Handler()
        let channel = try await DatagramBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }
            .bind(host: host, port: port).get()
        return (channel, handler)
    }

    /// Both sockets' packets to `bridge`, whose latch decides which sources are the phone; runs on the loop.
    /// RTCP that arrives on the RTP port (rtcp-mux) goes in with the RTP, and the bridge sorts it out.
    func deliver(to bridge: CallBridge) {
        handler.onPacket = { bytes, source in bridge.handlePhonePacket(bytes, from: source) }
        rtcpHandler.onPacket = { bytes, source in bridge.handlePhoneRTCP(bytes, from: source) }
    }

    func send(_ packets: [[UInt8]], to destination: TransportAddress) {
        send(packets, to: destination, on: channel)
    }

    func sendRTCP(_ packet: [UInt8], to destination: TransportAddress, muxed: Bool) {
        send([packet], to: destination, on: muxed ? channel : rtcpChannel)
    }

    private func socketAddress(_ destination: TransportAddress) -> SocketAddress? {
        if let (last, address) = lastDestination, last == destination { return address }
        guard let address = try? SocketAddress(destination) else { return nil }
        lastDestination = (destination, address)
        return address
    }

    private func send(_ packets: [[UInt8]], to destination: TransportAddress, on channel: any Channel) {
        guard let address = socketAddress(destination), channel.isWritable else { return }
        for packet in packets {
            channel.write(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: packet)), promise: nil)
        }
        channel.flush()
    }

    func close() {
        channel.close(promise: nil)
        rtcpChannel.close(promise: nil)
    }
}

/// A call that cannot go on, in words for the page and the log.
struct CallError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
