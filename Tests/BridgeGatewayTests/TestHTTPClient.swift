import Foundation
import NIOCore
import NIOPosix

/// A minimal HTTP/1.1 client for tests: one request per connection, `Connection: close`, whole reply.
enum TestHTTPClient {
    struct Reply {
        var status: Int
        var headers: [String: String]
        var body: String
    }

    static func get(_ path: String, port: Int, host: String = "127.0.0.1", headers: [String: String] = [:]) async throws -> Reply {
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        var received = ByteBuffer()
        try await channel.executeThenClose { inbound, outbound in
            var fields = ["Host": host, "Connection": "close"]
            fields.merge(headers) { _, given in given }
            let head = fields.map { "\($0.key): \($0.value)\r\n" }.sorted().joined()
            try await outbound.write(ByteBuffer(string: "GET \(path) HTTP/1.1\r\n\(head)\r\n"))
            for try await var chunk in inbound {
                received.writeBuffer(&chunk)
                if received.readableBytes > 1 << 20 { break }
            }
        }
        return try parse(String(buffer: received))
    }

    struct MalformedReply: Error {}

    static func parse(_ text: String) throws -> Reply {
        guard let split = text.range(of: "\r\n\r\n") else { throw MalformedReply() }
        let head = text[..<split.lowerBound].split(separator: "\r\n")
        guard let statusLine = head.first, let status = Int(statusLine.split(separator: " ").dropFirst().first ?? "") else {
            throw MalformedReply()
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = String(text[split.upperBound...])
        if headers["transfer-encoding"] == "chunked" { body = dechunk(body) }
        return Reply(status: status, headers: headers, body: body)
    }

    private static func dechunk(_ text: String) -> String {
        var result = ""
        var rest = Substring(text)
        while let lineEnd = rest.range(of: "\r\n"), let size = Int(rest[..<lineEnd.lowerBound], radix: 16), size > 0 {
            let start = lineEnd.upperBound
            let bytes = rest.utf8[start...].prefix(size)
            result += String(decoding: bytes, as: UTF8.self)
            rest = rest[bytes.endIndex...].dropFirst(2)
        }
        return result
    }
}
