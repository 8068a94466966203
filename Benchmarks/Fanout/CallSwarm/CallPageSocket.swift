import Foundation
import NIOCore
import NIOPosix
import SwarmSupport

/// A minimal WebSocket client (RFC 6455) for one call page at `/call/{route}/ws` on loopback: the upgrade
/// by hand, text frames masked out, frames in (fragmented or not) up to `maximumMessage`, pings answered.
/// Received messages go to a `Mailbox`. Lives on one event loop.
final class CallPageSocket: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    static let maximumMessage = 256 * 1024
    let mailbox: Mailbox<CallPageMessage>
    private let host: String
    private let path: String
    private var context: ChannelHandlerContext?
    private var buffer = ByteBuffer()
    private var upgraded = false
    private var fragments: [UInt8] = []

    init(mailbox: Mailbox<CallPageMessage>, host: String, path: String) {
        self.mailbox = mailbox
        self.host = host
        self.path = path
    }

    /// Connects on `eventLoop`; the mailbox then gets the page's messages, starting with `hello`.
    static func connect(on eventLoop: any EventLoop, port: Int, route: String) async throws -> NIOLoopBound<CallPageSocket> {
        let channel = try await ClientBootstrap(group: eventLoop)
            .connectTimeout(.seconds(5))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let socket = CallPageSocket(mailbox: Mailbox(eventLoop: channel.eventLoop), host: "127.0.0.1:\(port)", path: "/call/\(route)/ws")
                    try channel.pipeline.syncOperations.addHandler(socket)
                }
            }
            .connect(host: "127.0.0.1", port: port).get()
        return try await channel.eventLoop.submit {
            let socket = try channel.pipeline.syncOperations.handler(type: CallPageSocket.self)
            return NIOLoopBound(socket, eventLoop: channel.eventLoop)
        }.get()
    }

    func channelActive(context: ChannelHandlerContext) {
        self.context = context
        var key = [UInt8](repeating: 0, count: 16)
        for index in key.indices { key[index] = .random(in: 0...255) }
        let request = "GET \(path) HTTP/1.1\r\nHost: \(host)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            + "Sec-WebSocket-Key: \(Data(key).base64EncodedString())\r\nSec-WebSocket-Version: 13\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        self.context = nil
        mailbox.close(reason: "the call page's WebSocket closed")
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        mailbox.close(reason: "WebSocket error: \(error)")
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        buffer.writeBuffer(&chunk)
        guard buffer.readableBytes <= Self.maximumMessage + 16 else { return fail(context, "WebSocket frame too large") }
        if !upgraded {
            guard let end = buffer.readableBytesView.firstRange(of: Array("\r\n\r\n".utf8)) else { return }
            let headLength = end.upperBound - buffer.readerIndex
            let head = buffer.readString(length: headLength) ?? ""
            guard head.hasPrefix("HTTP/1.1 101") else { return fail(context, "WebSocket upgrade refused: \(head.prefix(60))") }
            upgraded = true
        }
        // Bounded: each round consumes one whole frame or stops.
        for _ in 0..<1_000 {
            guard let frame = nextFrame() else { break }
            handle(frame, context: context)
        }
        buffer.discardReadBytes()
    }

    /// Sends one JSON message as a masked text frame.
    func send(_ message: CallPageMessage) {
        guard let context, let json = try? JSONEncoder().encode(message) else { return }
        write(opcode: 0x1, payload: Array(json), context: context)
    }

    func close() {
        guard let context else { return }
        write(opcode: 0x8, payload: [0x03, 0xE8], context: context)
        context.close(promise: nil)
    }

    private func write(opcode: UInt8, payload: [UInt8], context: ChannelHandlerContext) {
        var frame: [UInt8] = [0x80 | opcode]
        switch payload.count {
        case ..<126: frame.append(0x80 | UInt8(payload.count))
        case ..<65_536: frame += [0x80 | 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        default: frame.append(0x80 | 127); frame += (0..<8).reversed().map { UInt8(truncatingIfNeeded: payload.count >> ($0 * 8)) }
        }
        let mask = (0..<4).map { _ in UInt8.random(in: 0...255) }
        frame += mask
        frame += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: frame)), promise: nil)
    }

    /// One complete frame off the buffer: (fin, opcode, unmasked payload), or nil until it has arrived.
    private func nextFrame() -> (fin: Bool, opcode: UInt8, payload: [UInt8])? {
        let bytes = buffer.readableBytesView
        guard bytes.count >= 2 else { return nil }
        let first = bytes[bytes.startIndex], second = bytes[bytes.startIndex + 1]
        var offset = 2
        var length = Int(second & 0x7F)
        if length == 126 {
            guard bytes.count >= 4 else { return nil }
            length = Int(bytes[bytes.startIndex + 2]) << 8 | Int(bytes[bytes.startIndex + 3])
            offset = 4
        } else if length == 127 {
            guard bytes.count >= 10 else { return nil }
            length = 0
            for index in 2..<10 { length = length << 8 | Int(bytes[bytes.startIndex + index]) }
            offset = 10
            // A length this large cannot be one of ours: leave it to the size check in channelRead.
            guard length <= Self.maximumMessage else { return nil }
        }
        let masked = second & 0x80 != 0
        let maskOffset = offset
        if masked { offset += 4 }
        guard bytes.count >= offset + length else { return nil }
        var payload = Array(bytes[(bytes.startIndex + offset)..<(bytes.startIndex + offset + length)])
        if masked {
            let mask = Array(bytes[(bytes.startIndex + maskOffset)..<(bytes.startIndex + maskOffset + 4)])
            for index in payload.indices { payload[index] ^= mask[index & 3] }
        }
        buffer.moveReaderIndex(forwardBy: offset + length)
        return (first & 0x80 != 0, first & 0x0F, payload)
    }

    private func handle(_ frame: (fin: Bool, opcode: UInt8, payload: [UInt8]), context: ChannelHandlerContext) {
        switch frame.opcode {
        case 0x0, 0x1, 0x2:
            fragments += frame.payload
            guard fragments.count <= Self.maximumMessage else { return fail(context, "WebSocket message too large") }
            guard frame.fin else { return }
            let text = fragments
            fragments.removeAll(keepingCapacity: true)
            if let message = try? JSONDecoder().decode(CallPageMessage.self, from: Data(text)) { mailbox.deliver(message) }
        case 0x8:
            context.close(promise: nil)
        case 0x9:
            write(opcode: 0xA, payload: frame.payload, context: context)
        default:
            break
        }
    }

    private func fail(_ context: ChannelHandlerContext, _ reason: String) {
        mailbox.close(reason: reason)
        context.close(promise: nil)
    }
}
