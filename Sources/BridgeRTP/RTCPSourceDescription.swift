import BridgeCore

/// Source description (RFC 3550 section 6.5): per source, a list of items, of which WebRTC uses CNAME
/// (section 6.5.1) to tie a source's audio and video together.
///
/// ```
///        0                   1                   2                   3
///        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header|V=2|P|    SC   |  PT=SDES=202  |             length            |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// chunk |                          SSRC/CSRC_1                          |
///   1   +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |    CNAME=1    |     length    | user and domain name        ...
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |  ... items, then one or more null octets to a 32-bit boundary  |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
public struct RTCPSourceDescription: RTCPTypedPacket {
    /// SDES item type CNAME (RFC 3550 section 6.5.1).
    public static let cnameType: UInt8 = 1

    /// One item of one chunk, as offsets into the datagram.
    public struct Item: Sendable, Hashable {
        public let ssrc: SSRC
        public let type: UInt8
        public let range: Range<Int>
    }

    /// SC: how many chunks.
    public let chunkCount: Int
    let view: RTCPPacketView

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        try view.require(.sourceDescription, bodyOf: Int(view.count) * 4, for: .sourceDescription)
        chunkCount = Int(view.count)
        self.view = view
        try Self.walk(ByteReader(bytes), view: view, chunks: chunkCount) { _ in }
    }

    /// Calls `body` with every item of every chunk, in order.
    public func forEachItem(in bytes: UnsafeRawBufferPointer, _ body: (Item) -> Void) {
        try? Self.walk(ByteReader(bytes), view: view, chunks: chunkCount, body)
    }

    /// Every item (allocates: for tests and the control path).
    public func items(in bytes: [UInt8]) -> [Item] {
        var items: [Item] = []
        bytes.withUnsafeBytes { forEachItem(in: $0) { items.append($0) } }
        return items
    }

    /// The CNAME of `ssrc`, or of the first chunk when `ssrc` is nil; nil when there is none.
    public func cname(of ssrc: SSRC? = nil, in bytes: [UInt8]) -> String? {
        let item = items(in: bytes).first { $0.type == Self.cnameType && (ssrc == nil || $0.ssrc == ssrc) }
        return item.map { String(decoding: bytes[$0.range], as: UTF8.self) }
    }

    /// Walks the chunks: for each, the SSRC, items until a null octet, then padding to a 32-bit boundary.
    static func walk(_ reader: ByteReader, view: RTCPPacketView, chunks: Int, _ body: (Item) -> Void) throws(RTCPError) {
        let end = view.bodyRange.upperBound
        var offset = view.bodyRange.lowerBound
        for _ in 0..<chunks {
            guard offset <= end - 4, let ssrc = reader.uint32(at: offset) else {
                throw view.error(.body(needed: 4, available: max(0, end - offset), what: .sdesChunk), at: offset)
            }
            offset += 4
            while true {
                guard offset < end, let type = reader.uint8(at: offset) else { throw view.error(.sdesTerminator, at: offset) }
                if type == 0 { break }
                guard offset + 2 <= end, let length = reader.uint8(at: offset + 1), offset + 2 + Int(length) <= end else {
                    throw view.error(.sdesItem(left: end - offset), at: offset)
                }
                body(Item(ssrc: SSRC(ssrc), type: type, range: offset + 2 ..< offset + 2 + Int(length)))
                offset += 2 + Int(length)
            }
            // Past the null octet, then to the next 32-bit boundary of the packet.
            offset += 1
            offset += (4 - (offset - view.range.lowerBound) % 4) % 4
            guard offset <= end else { throw view.error(.sdesTerminator, at: end) }
        }
    }

    /// Appends an SDES packet with one chunk per source, each with only a CNAME item (at most 31 chunks,
    /// CNAMEs at most 255 bytes).
    public static func write(cnames: [(ssrc: SSRC, cname: String)], into output: inout [UInt8]) {
        let start = RTCPWriter.begin(.sourceDescription, count: cnames.count, into: &output)
        for (ssrc, cname) in cnames {
            precondition(cname.utf8.count <= 255, "an SDES item holds at most 255 bytes")
            let chunkStart = output.count
            output.appendBigEndian(ssrc.rawValue)
            output.append(cnameType)
            output.append(UInt8(cname.utf8.count))
            output.append(contentsOf: cname.utf8)
            // The null octet that ends the item list, then zeros to a 32-bit boundary.
            output.append(0)
            output.append(contentsOf: repeatElement(0, count: (4 - (output.count - chunkStart) % 4) % 4))
        }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
