import BridgeCore

/// Receiver estimated maximum bitrate (draft-alvestrand-rmcat-remb-03 section 2.2): an application layer
/// feedback message (PSFB, FMT 15, RFC 4585 section 6.4) with the identifier "REMB". Parsed only: the
/// gateway reads a browser's estimate, it does not send one.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=15  |   PT=206      |             length            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source (0)                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |   SSRC feedback                                               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ...                                                          |
/// ```
public struct RTCPReceiverEstimatedMaximumBitrate: RTCPTypedPacket {
    public static let format: UInt8 = 15
    static let identifier: UInt32 = 0x5245_4D42  // "REMB"

    public var senderSSRC: SSRC
    /// Mantissa × 2^exponent, in bits per second; saturates at `UInt64.max` for exponents that overflow.
    public let bitrate: UInt64
    /// The SSRCs the estimate applies to.
    public let ssrcs: WireList<SSRC>

    /// True when the packet is application layer feedback carrying the "REMB" identifier.
    static func isREMB(_ bytes: UnsafeRawBufferPointer, view: RTCPPacketView) -> Bool {
        view.bodyRange.count >= RTCPFeedbackHeader.length + 4
            && ByteReader(bytes).uint32(at: view.bodyRange.lowerBound + RTCPFeedbackHeader.length) == identifier
    }

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let header = try RTCPFeedbackHeader(bytes, view: view, type: .payloadFeedback, format: Self.format,
                                            fciMinimum: 8, part: .remb)
        let reader = ByteReader(bytes), fci = header.fciRange.lowerBound
        guard reader.uint32(at: fci) == Self.identifier else { throw view.error(.rembIdentifier, at: fci) }
        guard let count = reader.uint8(at: fci + 4), let packed = reader.uint24(at: fci + 5) else {
            throw view.error(.body(needed: 8, available: header.fciRange.count, what: .remb), at: fci)
        }
        guard header.fciRange.count >= 8 + Int(count) * 4 else {
            throw view.error(.body(needed: 8 + Int(count) * 4, available: header.fciRange.count, what: .remb), at: fci + 4)
        }
        senderSSRC = header.senderSSRC
        ssrcs = WireList(count: Int(count), offset: fci + 8)
        let exponent = Int(packed >> 18), mantissa = UInt64(packed & 0x3_FFFF)
        // An 18-bit mantissa shifted by up to 63 can overflow 64 bits: saturate instead.
        bitrate = mantissa == 0 ? 0 : (exponent <= mantissa.leadingZeroBitCount ? mantissa << exponent : .max)
    }
}
