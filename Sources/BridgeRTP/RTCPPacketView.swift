import BridgeCore

/// RTCP packet types (RFC 3550 section 12.1, RFC 4585 section 6.1, RFC 3611).
public struct RTCPPacketType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let senderReport = RTCPPacketType(rawValue: 200)
    public static let receiverReport = RTCPPacketType(rawValue: 201)
    public static let sourceDescription = RTCPPacketType(rawValue: 202)
    public static let goodbye = RTCPPacketType(rawValue: 203)
    public static let application = RTCPPacketType(rawValue: 204)
    /// Transport-layer feedback (RFC 4585): generic NACK, transport-cc.
    public static let transportFeedback = RTCPPacketType(rawValue: 205)
    /// Payload-specific feedback (RFC 4585): PLI, FIR, REMB.
    public static let payloadFeedback = RTCPPacketType(rawValue: 206)
    public static let extendedReport = RTCPPacketType(rawValue: 207)

    public var description: String { String(rawValue) }
}

/// One packet of an RTCP datagram, located but not yet interpreted: its common header (RFC 3550 section 6.4)
/// and where its body lies in the datagram.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  count  |      PT       |  length (32-bit words - 1)    |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// `count` is the report count (SR, RR), source count (SDES, BYE), subtype (APP) or feedback message type
/// FMT (RFC 4585 section 6.1), depending on the packet type.
public struct RTCPPacketView: Sendable, Hashable {
    public static let headerLength = 4

    public let type: RTCPPacketType
    public let count: UInt8
    /// The whole packet, header and padding included.
    public let range: Range<Int>
    /// After the 4-byte header, without padding.
    public let bodyRange: Range<Int>

    public var paddingCount: Int { range.upperBound - bodyRange.upperBound }

    /// Reads the header at `offset` and checks that the length field and the padding fit `bytes`.
    public init(parsing bytes: UnsafeRawBufferPointer, at offset: Int) throws(RTCPError) {
        let reader = ByteReader(bytes)
        guard let first = reader.uint8(at: offset), let type = reader.uint8(at: offset + 1),
              let words = reader.uint16(at: offset + 2)
        else { throw RTCPError(.shorterThanHeader(left: reader.has(0, at: offset) ? bytes.count - offset : 0), at: offset) }
        guard first >> 6 == 2 else { throw RTCPError(.version(first >> 6), at: offset, packetType: type) }
        let length = (Int(words) + 1) * 4
        guard reader.has(length, at: offset) else {
            throw RTCPError(.length(bytes: length, left: bytes.count - offset), at: offset + 2, packetType: type)
        }
        var padding = 0
        if first & 0x20 != 0 {
            padding = Int(reader.uint8(at: offset + length - 1) ?? 0)
            guard padding > 0 else { throw RTCPError(.zeroPadding, at: offset + length - 1, packetType: type) }
            guard padding <= length - Self.headerLength else {
                throw RTCPError(.padding(count: padding, left: length - Self.headerLength), at: offset + length - 1,
                                packetType: type)
            }
        }
        self.type = RTCPPacketType(rawValue: type)
        count = first & 0x1F
        range = offset ..< offset + length
        bodyRange = offset + Self.headerLength ..< offset + length - padding
    }

    /// Throws unless the packet is of `type` and its body holds at least `minimum` bytes.
    func require(_ expected: RTCPPacketType, bodyOf minimum: Int, for part: RTCPError.Part) throws(RTCPError) {
        guard type == expected else { throw error(.wrongType(expected: part), at: range.lowerBound) }
        try require(bodyOf: minimum, for: part)
    }

    /// Throws unless the body holds at least `minimum` bytes.
    func require(bodyOf minimum: Int, for part: RTCPError.Part) throws(RTCPError) {
        guard bodyRange.count >= minimum else {
            throw RTCPError(.body(needed: minimum, available: bodyRange.count, what: part), at: bodyRange.lowerBound,
                            packetType: type.rawValue)
        }
    }

    func error(_ code: RTCPError.Code, at offset: Int) -> RTCPError {
        RTCPError(code, at: offset, packetType: type.rawValue)
    }
}

/// Writes RTCP packets: the common header first with a placeholder length, the length once the body is in.
enum RTCPWriter {
    /// Appends a header and returns where the packet starts, for `finish`.
    static func begin(_ type: RTCPPacketType, count: Int, into output: inout [UInt8]) -> Int {
        precondition((0...31).contains(count), "the RTCP count field holds 0...31")
        let start = output.count
        output.append(0x80 | UInt8(count))
        output.append(type.rawValue)
        output.append(contentsOf: [0, 0])
        return start
    }

    /// Zero-pads the body to a 32-bit boundary and fills in the length field.
    static func finish(startingAt start: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(0, count: (4 - (output.count - start) % 4) % 4))
        let words = (output.count - start) / 4 - 1
        precondition(words <= Int(UInt16.max), "RTCP packet longer than 262144 bytes")
        output.setBigEndian(UInt16(words), at: start + 2)
    }
}

/// A typed RTCP packet parsed in place from one `RTCPPacketView` of a datagram. Offsets it keeps are
/// offsets into that datagram, so read lists (report blocks, NACK items, SDES items) with the same bytes.
public protocol RTCPTypedPacket: Sendable, Hashable {
    init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError)
}

extension RTCPTypedPacket {
    /// Parses the first RTCP packet of `bytes` (for tests and the control path).
    public init(parsing bytes: [UInt8]) throws(RTCPError) {
        self = try bytes.withBytes { (buffer) throws(RTCPError) in
            try Self(parsing: buffer, view: RTCPPacketView(parsing: buffer, at: 0))
        }
    }
}
