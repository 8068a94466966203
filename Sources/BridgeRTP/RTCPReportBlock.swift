import BridgeCore

/// A reception report block (RFC 3550 section 6.4.1), carried in SR and RR packets: what one receiver
/// observed of one source.
///
/// ```
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |                 SSRC_1 (SSRC of first source)                 |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | fraction lost |       cumulative number of packets lost       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           extended highest sequence number received           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      interarrival jitter                      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         last SR (LSR)                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                   delay since last SR (DLSR)                  |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
public struct RTCPReportBlock: FixedSizeWireValue {
    public static var wireLength: Int { 24 }

    public var ssrc: SSRC
    /// Lost fraction since the previous report, in 1/256.
    public var fractionLost: UInt8
    /// Signed 24 bits: duplicates can make it negative.
    public var cumulativeLost: Int32
    public var extendedHighestSequenceNumber: UInt32
    /// In timestamp units.
    public var jitter: UInt32
    /// The middle 32 bits of the NTP timestamp of the last SR received, 0 if none.
    public var lastSenderReport: UInt32
    /// In 1/65536 seconds.
    public var delaySinceLastSenderReport: UInt32

    public init(ssrc: SSRC, fractionLost: UInt8 = 0, cumulativeLost: Int32 = 0, extendedHighestSequenceNumber: UInt32 = 0,
                jitter: UInt32 = 0, lastSenderReport: UInt32 = 0, delaySinceLastSenderReport: UInt32 = 0) {
        self.ssrc = ssrc
        self.fractionLost = fractionLost
        self.cumulativeLost = cumulativeLost
        self.extendedHighestSequenceNumber = extendedHighestSequenceNumber
        self.jitter = jitter
        self.lastSenderReport = lastSenderReport
        self.delaySinceLastSenderReport = delaySinceLastSenderReport
    }

    public init?(_ reader: ByteReader, at offset: Int) {
        guard let ssrc = reader.uint32(at: offset), let lost = reader.uint32(at: offset + 4),
              let highest = reader.uint32(at: offset + 8), let jitter = reader.uint32(at: offset + 12),
              let lsr = reader.uint32(at: offset + 16), let dlsr = reader.uint32(at: offset + 20)
        else { return nil }
        // Sign-extend the 24-bit count by shifting it to the top of an Int32 and back.
        self.init(ssrc: SSRC(ssrc), fractionLost: UInt8(lost >> 24), cumulativeLost: Int32(bitPattern: lost << 8) >> 8,
                  extendedHighestSequenceNumber: highest, jitter: jitter, lastSenderReport: lsr,
                  delaySinceLastSenderReport: dlsr)
    }

    /// Appends the block; a cumulative loss beyond 24 bits is clamped (RFC 3550 section 6.4.1).
    public func write(into output: inout [UInt8]) {
        output.appendBigEndian(ssrc.rawValue)
        output.append(fractionLost)
        let clamped = min(max(cumulativeLost, -0x80_0000), 0x7F_FFFF)
        output.appendBigEndian24(UInt32(bitPattern: clamped))
        output.appendBigEndian(extendedHighestSequenceNumber)
        output.appendBigEndian(jitter)
        output.appendBigEndian(lastSenderReport)
        output.appendBigEndian(delaySinceLastSenderReport)
    }
}

extension WireList<RTCPReportBlock> {
    /// The RC report blocks of an SR or RR from `offset`; throws unless they fit the packet's body.
    static func reportBlocks(of view: RTCPPacketView, from offset: Int) throws(RTCPError) -> WireList {
        let count = Int(view.count)
        try view.require(bodyOf: offset - view.bodyRange.lowerBound + count * RTCPReportBlock.wireLength, for: .reportBlocks)
        return WireList(count: count, offset: offset)
    }
}
