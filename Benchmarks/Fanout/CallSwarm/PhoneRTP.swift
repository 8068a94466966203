import BridgeCore
import NIOCore
import NIOPosix
import SwarmSupport

/// The phone's RTP socket for one call: sends 20 ms PCMU packets to the address in the gateway's 2xx from
/// the port its INVITE offered (the gateway latches onto it: symmetric RTP), and counts what comes back.
/// Lives on one event loop.
final class PhoneRTP: ChannelInboundHandler {
    typealias InboundIn = AddressedEnvelope<ByteBuffer>
    typealias OutboundOut = AddressedEnvelope<ByteBuffer>

    let port: Int
    private var context: ChannelHandlerContext?
    private var destination: SocketAddress?
    private(set) var loss = LossCounter()
    private(set) var sent = 0
    /// Datagrams from anyone but the gateway, or not RTP.
    private(set) var foreign = 0
    private var stream = RTPStream(payloadType: 0, samplesPerPacket: 160)

    init(port: Int) {
        self.port = port
    }

    static func bind(on eventLoop: any EventLoop) async throws -> NIOLoopBound<PhoneRTP> {
        try await LoopbackUDP.bind(on: eventLoop, receiveBuffer: SwarmViewer.receiveBuffer) { port in PhoneRTP(port: port) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    var hasDestination: Bool { destination != nil }

    /// Where the gateway's 2xx said to send.
    func start(sendingTo address: TransportAddress) throws {
        destination = try SocketAddress(ipAddress: address.ipString, port: Int(address.port))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let envelope = unwrapInboundIn(data)
        guard envelope.remoteAddress.port != nil, envelope.remoteAddress.ipAddress == "127.0.0.1",
              loss.record(Array(envelope.data.readableBytesView)) else {
            foreign += 1
            return
        }
    }

    /// Writes one packet with `payload`; `flush` sends the batch.
    func send(payload: [UInt8]) {
        guard let context, let destination else { return }
        var buffer = context.channel.allocator.buffer(capacity: 12 + payload.count)
        stream.write(payload: payload, into: &buffer)
        context.write(wrapOutboundOut(AddressedEnvelope(remoteAddress: destination, data: buffer)), promise: nil)
        sent += 1
    }

    func flush() {
        context?.flush()
    }

    func close() {
        context?.close(promise: nil)
    }
}

/// One RTP sender's sequence and timestamp line with a random SSRC (RFC 3550 section 5.1).
struct RTPStream {
    let payloadType: UInt8
    let samplesPerPacket: UInt32
    let ssrc: UInt32
    private var sequence = UInt16.random(in: 0...0x7FFF)
    private var timestamp = UInt32.random(in: 0...0x7FFF_FFFF)

    init(payloadType: UInt8, samplesPerPacket: UInt32, ssrc: UInt32 = .random(in: 1...UInt32.max)) {
        self.payloadType = payloadType
        self.samplesPerPacket = samplesPerPacket
        self.ssrc = ssrc
    }

    mutating func write(payload: [UInt8], into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x80))
        buffer.writeInteger(payloadType & 0x7F)
        buffer.writeInteger(sequence)
        buffer.writeInteger(timestamp)
        buffer.writeInteger(ssrc)
        buffer.writeBytes(payload)
        sequence &+= 1
        timestamp &+= samplesPerPacket
    }

    mutating func packet(payload: [UInt8]) -> [UInt8] {
        var buffer = ByteBuffer()
        write(payload: payload, into: &buffer)
        return Array(buffer.readableBytesView)
    }
}
