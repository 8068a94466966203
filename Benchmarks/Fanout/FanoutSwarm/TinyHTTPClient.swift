import Foundation
import NIOCore
import NIOPosix
import SwarmSupport

/// A minimal HTTP/1.1 client for WHEP and `/metrics` on loopback: one request per connection
/// (`Connection: close`), the response read until the server closes, every step bounded by a timeout.
struct TinyHTTPClient: Sendable {
    struct Response: Sendable {
        var status: Int
        var headers: [(name: String, value: String)]
        var body: String

        func header(_ name: String) -> String? {
            headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
    }

    let group: any EventLoopGroup
    let port: Int
    var timeout: TimeAmount = .seconds(30)
    /// Largest response accepted (an SDP answer or the metrics page).
    static let maximumResponse = 1 << 20

    func request(_ method: String, _ path: String, contentType: String? = nil, body: String = "") async throws -> Response {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let contentType { head += "Content-Type: \(contentType)\r\n" }
        head += "Content-Length: \(body.utf8.count)\r\n\r\n"
        let loop = group.next()
        let done = loop.makePromise(of: String.self)
        let channel: any Channel
        do {
            channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(5))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ResponseCollector(limit: Self.maximumResponse, promise: done))
                    }
                }
                .connect(host: "127.0.0.1", port: port).get()
        } catch {
            done.fail(error)
            throw error
        }
        // Bounded: the connection is closed after `timeout`, which ends the collection either way.
        let timer = channel.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
        defer { timer.cancel() }
        var buffer = channel.allocator.buffer(capacity: head.utf8.count + body.utf8.count)
        buffer.writeString(head)
        buffer.writeString(body)
        do {
            try await channel.writeAndFlush(buffer)
        } catch {
            channel.close(promise: nil)
            _ = try? await done.futureResult.get()
            throw error
        }
        let raw = try await done.futureResult.get()
        return try Self.parse(raw)
    }

    static func parse(_ raw: String) throws -> Response {
        guard let split = raw.range(of: "\r\n\r\n") else { throw SwarmError("HTTP response without a header end") }
        let lines = raw[..<split.lowerBound].split(separator: "\r\n", omittingEmptySubsequences: false)
        guard let statusLine = lines.first else { throw SwarmError("empty HTTP response") }
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw SwarmError("bad HTTP status line: \(statusLine.prefix(80))")
        }
        var headers: [(name: String, value: String)] = []
        var chunked = false
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let name = String(line[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(line[line.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            if name.lowercased() == "transfer-encoding", value.lowercased().contains("chunked") { chunked = true }
            headers.append((name, value))
        }
        let rawBody = String(raw[split.upperBound...])
        return Response(status: status, headers: headers, body: chunked ? try dechunk(rawBody) : rawBody)
    }

    /// RFC 9112 section 7.1 chunked body (Hummingbird streams `/metrics` that way).
    static func dechunk(_ text: String) throws -> String {
        var bytes = Substring(text).utf8[...]
        var out: [UInt8] = []
        for _ in 0..<100_000 {
            guard let lineEnd = bytes.firstRange(of: "\r\n".utf8) else { throw SwarmError("chunked body: missing size line") }
            let sizeText = String(decoding: bytes[..<lineEnd.lowerBound], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16), size >= 0 else {
                throw SwarmError("chunked body: bad size \(sizeText.prefix(20))")
            }
            bytes = bytes[lineEnd.upperBound...]
            if size == 0 { return String(decoding: out, as: UTF8.self) }
            guard bytes.count >= size else { throw SwarmError("chunked body: truncated chunk") }
            out += bytes.prefix(size)
            bytes = bytes.dropFirst(size)
            if bytes.starts(with: "\r\n".utf8) { bytes = bytes.dropFirst(2) }
        }
        throw SwarmError("chunked body: too many chunks")
    }
}

/// Accumulates the whole response and completes when the server closes the connection.
private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    let limit: Int
    private var received: ByteBuffer?
    private var promise: EventLoopPromise<String>?

    init(limit: Int, promise: EventLoopPromise<String>) {
        self.limit = limit
        self.promise = promise
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        promise?.fail(SwarmError("HTTP connection ended without a response"))
        promise = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if received == nil { received = chunk } else { received?.writeBuffer(&chunk) }
        if (received?.readableBytes ?? 0) > limit {
            promise?.fail(SwarmError("HTTP response larger than \(limit) bytes"))
            promise = nil
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let promise {
            if let received, received.readableBytes > 0 {
                promise.succeed(String(buffer: received))
            } else {
                promise.fail(SwarmError("connection closed without a response (timeout?)"))
            }
        }
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }
}
