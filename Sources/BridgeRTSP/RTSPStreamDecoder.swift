/// Splits the bytes of an RTSP connection into messages and `$`-framed interleaved data (RFC 2326
/// section 10.12), however the reads cut them.
///
/// ```
/// | '$' | channel (8) | length (16) | length bytes of RTP or RTCP |
/// | RTSP/1.0 200 OK\r\n | headers \r\n | \r\n | Content-Length bytes of body |
/// ```
///
/// `append` the bytes of each read, then call `next()` until it returns nil (more bytes needed). A header
/// block over 16 KB, a body over 64 KB or more than 64 headers is an error: the connection should end.
/// Bytes that start neither a message nor a frame (a camera that lost its framing) are skipped up to the
/// next `$` or letter and counted in `skippedBytes`.
public struct RTSPStreamDecoder: Sendable {
    public struct Limits: Sendable, Hashable {
        public var headerBytes = 16 * 1024
        public var bodyBytes = 64 * 1024
        public var headerCount = 64
        public init() {}
    }

    public let limits: Limits
    public private(set) var skippedBytes = 0
    private var buffer: [UInt8] = []
    private var start = 0

    public init(limits: Limits = Limits()) {
        self.limits = limits
    }

    /// Bytes received but not yet returned as a message.
    public var bufferedCount: Int { buffer.count - start }

    public mutating func append(_ bytes: some Collection<UInt8>) {
        if start > 0 && start >= buffer.count / 2 {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func next() throws(RTSPError) -> RTSPMessage? {
        while start < buffer.count {
            let first = buffer[start]
            if first == UInt8(ascii: "$") {
                guard buffer.count - start >= 4 else { return nil }
                let channel = buffer[start + 1]
                let length = Int(buffer[start + 2]) << 8 | Int(buffer[start + 3])
                guard buffer.count - start - 4 >= length else { return nil }
                let payload = Array(buffer[start + 4 ..< start + 4 + length])
                start += 4 + length
                return .interleaved(channel: channel, payload: payload)
            }
            if Self.isLetter(first) { return try nextMessage() }
            // Lost framing (or the CR LF some servers put between messages): skip to something we know.
            if first != 13 && first != 10 { skippedBytes += 1 }
            start += 1
        }
        return nil
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
    }

    private mutating func nextMessage() throws(RTSPError) -> RTSPMessage? {
        // Find the blank line that ends the header block (CRLF CRLF, or bare LF LF from sloppy servers).
        var index = start
        var headerEnd: Int?, bodyStart = 0
        let searchEnd = min(buffer.count, start + limits.headerBytes + 4)
        while index < searchEnd {
            if buffer[index] == 10 {
                if index + 1 < buffer.count, buffer[index + 1] == 10 {
                    headerEnd = index; bodyStart = index + 2; break
                }
                if index + 2 < buffer.count, buffer[index + 1] == 13, buffer[index + 2] == 10 {
                    headerEnd = index; bodyStart = index + 3; break
                }
            }
            index += 1
        }
        guard let headerEnd else {
            if buffer.count - start > limits.headerBytes {
                throw .limit("RTSP header block longer than \(limits.headerBytes) bytes")
            }
            return nil
        }
        guard headerEnd - start <= limits.headerBytes else {
            throw .limit("RTSP header block longer than \(limits.headerBytes) bytes")
        }
        let (firstLine, headers) = try Self.parseHeaderBlock(buffer[start..<headerEnd], limits: limits)
        var length = 0
        if let text = headers["Content-Length"] {
            guard let value = Int(text.trimmingCharacters(in: " \t")), value >= 0 else {
                throw .malformed("RTSP Content-Length \"\(RTSPError.preview(text))\" is not a number")
            }
            guard value <= limits.bodyBytes else {
                throw .limit("RTSP body of \(value) bytes exceeds \(limits.bodyBytes)")
            }
            length = value
        }
        guard buffer.count - bodyStart >= length else { return nil }
        let body = Array(buffer[bodyStart ..< bodyStart + length])
        start = bodyStart + length
        return try Self.message(firstLine: firstLine, headers: headers, body: body)
    }

    static func parseHeaderBlock(_ block: ArraySlice<UInt8>, limits: Limits) throws(RTSPError) -> (String, RTSPHeaders) {
        // Split on LF bytes: in a Swift String, CR LF is one Character and would not split on "\n".
        var lines: [String] = []
        for line in block.split(separator: 10, omittingEmptySubsequences: false) {
            let content = line.last == 13 ? line.dropLast() : line
            guard let text = String(validating: content, as: UTF8.self) else {
                throw .malformed("RTSP header line \(lines.count + 1) is not UTF-8 text")
            }
            lines.append(text)
        }
        guard !lines.isEmpty else { throw .malformed("empty RTSP message") }
        let firstLine = String(lines.removeFirst())
        var headers = RTSPHeaders()
        for (number, line) in lines.enumerated() {
            if line.first == " " || line.first == "\t" {
                // A folded continuation line (RFC 2616 section 2.2): part of the previous value.
                guard let last = headers.fields.last else {
                    throw .malformed("RTSP header line \(number + 2): continuation without a header")
                }
                headers.set(last.name, last.value + " " + line.trimmingCharacters(in: " \t"))
                continue
            }
            guard let colon = line.firstIndex(of: ":") else {
                throw .malformed("RTSP header line \(number + 2): no colon in \"\(RTSPError.preview(line))\"")
            }
            guard headers.fields.count < limits.headerCount else {
                throw .limit("more than \(limits.headerCount) RTSP headers")
            }
            let name = line[..<colon].trimmingCharacters(in: " \t")
            guard !name.isEmpty else { throw .malformed("RTSP header line \(number + 2): empty name") }
            headers.add(name, line[line.index(after: colon)...].trimmingCharacters(in: " \t"))
        }
        return (firstLine, headers)
    }

    static func message(firstLine: String, headers: RTSPHeaders, body: [UInt8]) throws(RTSPError) -> RTSPMessage {
        let parts = firstLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        if firstLine.hasPrefix("RTSP/") {
            guard parts.count >= 2, let code = Int(parts[1]), (100...999).contains(code) else {
                throw .malformed("RTSP status line \"\(RTSPError.preview(firstLine))\" has no status code")
            }
            let phrase = parts.count == 3 ? String(parts[2]) : ""
            return .response(RTSPResponse(statusCode: code, reasonPhrase: phrase, headers: headers, body: body))
        }
        guard parts.count == 3, parts[2].hasPrefix("RTSP/") else {
            throw .malformed("RTSP request line \"\(RTSPError.preview(firstLine))\" is not METHOD URI RTSP/1.0")
        }
        return .request(RTSPRequest(method: String(parts[0]), uri: String(parts[1]), headers: headers, body: body))
    }
}
