/// Cuts a TCP or TLS byte stream into SIP messages (RFC 3261 section 18.3): each message's head ends at
/// the empty line and its body is Content-Length bytes. CRLF keep-alives between messages (RFC 5626
/// section 4.4.1) are skipped and counted, so the driver can answer a double-CRLF ping with a CRLF pong.
///
/// Sans-IO: `append` what the socket read, then call `nextMessage()` until it returns nil. An error means
/// the stream can no longer be framed: close the connection.
public struct SIPStreamFramer: Sendable {
    public let limits: SIPLimits
    private var buffer: [UInt8] = []
    /// Double-CRLF keep-alive pings seen since the last call to `takeKeepAlives()`.
    public private(set) var keepAlivesSeen = 0

    public init(limits: SIPLimits = .default) {
        self.limits = limits
    }

    /// Bytes held back waiting for the rest of a message.
    public var bufferedByteCount: Int { buffer.count }

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        buffer.append(contentsOf: bytes)
    }

    /// The next complete message, or nil until more bytes arrive.
    public mutating func nextMessage() throws(SIPError) -> SIPMessage? {
        let start = SIPMessage.skippingLineBreaks(buffer[...])
        if start > 0 {
            let skipped = buffer[..<start]
            keepAlivesSeen += skipped.count / 4 + (skipped.count % 4 >= 2 ? 1 : 0)
            buffer.removeFirst(start)
        }
        guard !buffer.isEmpty else { return nil }
        do {
            let (message, end) = try SIPMessage.parse(buffer[...], framing: .stream, limits: limits)
            buffer.removeFirst(end)
            return message
        } catch where error.isIncomplete {
            guard buffer.count <= limits.maximumMessageSize else {
                throw .limit(nil, "no complete message in \(limits.maximumMessageSize) bytes")
            }
            return nil
        }
    }

    /// Returns and resets the count of keep-alive pings.
    public mutating func takeKeepAlives() -> Int {
        defer { keepAlivesSeen = 0 }
        return keepAlivesSeen
    }
}
