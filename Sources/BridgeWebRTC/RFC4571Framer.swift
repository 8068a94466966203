/// RFC 4571 framing for ICE-TCP (RFC 6544): each STUN, DTLS, RTP or RTCP packet on the TCP stream is
/// preceded by its length as a 16-bit big-endian number. Bytes go in as they arrive, split anywhere;
/// whole packets come out. Sans-IO; the buffer never holds more than one frame's worth plus a read.
public struct RFC4571Framer: Sendable {
    private var buffer: [UInt8] = []
    private var start = 0

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if start > 0, start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next whole packet, or nil until more bytes arrive. Zero-length frames are skipped.
    public mutating func next() -> [UInt8]? {
        while buffer.count - start >= 2 {
            let length = Int(buffer[start]) << 8 | Int(buffer[start + 1])
            guard buffer.count - start - 2 >= length else { break }
            let frame = Array(buffer[(start + 2)..<(start + 2 + length)])
            start += 2 + length
            if length > 0 { return frame }
        }
        if start > 4096 {
            buffer.removeFirst(start)
            start = 0
        }
        return nil
    }

    /// Bytes waiting for the rest of their frame.
    public var pendingCount: Int { buffer.count - start }

    /// `packet` with its 2-byte length in front (packets over 65 535 bytes cannot be framed).
    public static func frame(_ packet: [UInt8]) -> [UInt8]? {
        guard packet.count <= 0xFFFF else { return nil }
        return [UInt8(packet.count >> 8), UInt8(packet.count & 0xFF)] + packet
    }
}
