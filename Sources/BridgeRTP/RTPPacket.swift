import BridgeCore

/// An RTP packet (RFC 3550 section 5.1) parsed in place: the header values plus the offsets of the CSRC
/// list, the header extension, the payload and the padding in the bytes it was parsed from. Parsing reads
/// each byte at most once and allocates nothing; the bytes stay with the caller, who passes them back to
/// read CSRCs, extension elements or the payload.
///
/// ```
/// +----------------+-----------+---------------------------+-----------------+----------------+
/// | fixed header   | CSRCs     | extension (if X)          | payload         | padding (if P) |
/// | 12 bytes       | 4 x CC    | profile, length, elements |                 | ..., count     |
/// +----------------+-----------+---------------------------+-----------------+----------------+
///                                ^ extensionRange            ^ payloadRange
/// ```
///
/// Every length is checked against the bytes: a CSRC count, extension length or padding count that does
/// not fit is an `RTPError`, never a trap.
public struct RTPPacket: Sendable, Hashable {
    public var header: RTPHeader
    /// The contributing sources after the fixed header (CC of them, 0...15).
    public let csrcs: WireList<SSRC>
    /// The "defined by profile" field of the header extension (0xBEDE for RFC 8285 one-byte elements,
    /// 0x100x for two-byte ones); nil when the X bit is clear.
    public let extensionProfile: UInt16?
    /// The extension's data after its 4-byte header; empty when there is no extension.
    public let extensionRange: Range<Int>
    public let payloadRange: Range<Int>
    /// Padding bytes after the payload, the count byte included; 0 when the P bit is clear.
    public let paddingCount: Int

    public var csrcCount: Int { csrcs.count }
    public var hasPadding: Bool { paddingCount > 0 }
    /// Header length: fixed header, CSRCs and extension.
    public var headerLength: Int { payloadRange.lowerBound }
    /// The whole packet's length.
    public var byteCount: Int { payloadRange.upperBound + paddingCount }

    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTPError) {
        let reader = ByteReader(bytes)
        guard let first = reader.uint8(at: 0), let second = reader.uint8(at: 1), let sequence = reader.uint16(at: 2),
              let timestamp = reader.uint32(at: 4), let ssrc = reader.uint32(at: 8)
        else { throw RTPError(.shorterThanFixedHeader(length: bytes.count), at: 0) }
        guard first >> 6 == 2 else { throw RTPError(.version(first >> 6), at: 0) }
        header = RTPHeader(marker: second & 0x80 != 0, payloadType: PayloadType(maskingHeaderByte: second),
                           sequenceNumber: SequenceNumber(sequence), timestamp: RTPTimestamp(timestamp),
                           ssrc: SSRC(ssrc))

        let csrcCount = Int(first & 0x0F)
        var offset = RTPHeader.fixedLength
        guard reader.has(csrcCount * 4, at: offset) else {
            throw RTPError(.csrcList(count: csrcCount, left: bytes.count - offset), at: offset)
        }
        csrcs = WireList(count: csrcCount, offset: offset)
        offset += csrcCount * 4

        if first & 0x10 != 0 {
            guard let profile = reader.uint16(at: offset), let words = reader.uint16(at: offset + 2) else {
                throw RTPError(.extensionHeader(left: bytes.count - offset), at: offset)
            }
            let length = Int(words) * 4
            guard reader.has(length, at: offset + 4) else {
                throw RTPError(.extensionLength(needed: length, left: bytes.count - offset - 4), at: offset)
            }
            extensionProfile = profile
            extensionRange = offset + 4 ..< offset + 4 + length
            try RTPHeaderExtension.walk(reader, profile: profile, range: extensionRange) { _ in true }
            offset = extensionRange.upperBound
        } else {
            extensionProfile = nil
            extensionRange = offset ..< offset
        }

        if first & 0x20 != 0 {
            // The last byte counts the padding, itself included (RFC 3550 section 5.1, P).
            let count = Int(reader.uint8(at: bytes.count - 1) ?? 0)
            guard count > 0 else { throw RTPError(.zeroPadding, at: bytes.count - 1) }
            guard count <= bytes.count - offset else {
                throw RTPError(.padding(count: count, left: bytes.count - offset), at: bytes.count - 1)
            }
            paddingCount = count
        } else {
            paddingCount = 0
        }
        payloadRange = offset ..< bytes.count - paddingCount
    }

    public init(parsing bytes: [UInt8]) throws(RTPError) {
        self = try bytes.withBytes { (buffer) throws(RTPError) in try RTPPacket(parsing: buffer) }
    }

    /// The payload as a slice of `bytes` (empty when they are not the bytes this packet was parsed from).
    public func payload(in bytes: [UInt8]) -> ArraySlice<UInt8> {
        payloadRange.upperBound <= bytes.count ? bytes[payloadRange] : []
    }
}
