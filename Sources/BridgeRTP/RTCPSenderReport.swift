import BridgeCore

/// Sender report (RFC 3550 section 6.4.1): what a sender sent, and the NTP/RTP timestamp pair receivers use
/// for lip sync.
///
/// ```
///        0                   1                   2                   3
///        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header|V=2|P|    RC   |   PT=SR=200   |             length            |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                         SSRC of sender                        |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// sender|              NTP timestamp, most significant word             |
/// info  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |             NTP timestamp, least significant word             |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                         RTP timestamp                         |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                     sender's packet count                     |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                      sender's octet count                     |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///       |                 report blocks (RC x 24 bytes)                 |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
/// Profile-specific extensions after the report blocks are ignored.
public struct RTCPSenderReport: RTCPTypedPacket {
    public var ssrc: SSRC
    /// 64-bit NTP time (seconds since 1900 in the high 32 bits, fraction in the low 32).
    public var ntpTimestamp: UInt64
    /// The same instant in the stream's RTP clock.
    public var rtpTimestamp: RTPTimestamp
    public var packetCount: UInt32
    public var octetCount: UInt32
    /// Where the report blocks are in the parsed datagram; empty for a report built to be written.
    public let reportBlocks: WireList<RTCPReportBlock>

    static let fixedLength = 24

    public init(ssrc: SSRC, ntpTimestamp: UInt64, rtpTimestamp: RTPTimestamp, packetCount: UInt32, octetCount: UInt32) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        reportBlocks = .empty
    }

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        try view.require(.senderReport, bodyOf: Self.fixedLength, for: .senderInfo)
        let reader = ByteReader(bytes), body = view.bodyRange.lowerBound
        guard let ssrc = reader.uint32(at: body), let ntp = reader.uint64(at: body + 4),
              let rtp = reader.uint32(at: body + 12), let packets = reader.uint32(at: body + 16),
              let octets = reader.uint32(at: body + 20)
        else { throw view.error(.body(needed: Self.fixedLength, available: view.bodyRange.count, what: .senderInfo), at: body) }
        self.ssrc = SSRC(ssrc)
        ntpTimestamp = ntp
        rtpTimestamp = RTPTimestamp(rtp)
        packetCount = packets
        octetCount = octets
        reportBlocks = try .reportBlocks(of: view, from: body + Self.fixedLength)
    }

    /// Appends the report with `blocks` (at most 31).
    public func write(reportBlocks blocks: [RTCPReportBlock] = [], into output: inout [UInt8]) {
        let start = RTCPWriter.begin(.senderReport, count: blocks.count, into: &output)
        output.appendBigEndian(ssrc.rawValue)
        output.appendBigEndian(ntpTimestamp)
        output.appendBigEndian(rtpTimestamp.rawValue)
        output.appendBigEndian(packetCount)
        output.appendBigEndian(octetCount)
        for block in blocks { block.write(into: &output) }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}

/// Receiver report (RFC 3550 section 6.4.2): the sender info of an SR left out.
///
/// ```
///        0                   1                   2                   3
///        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// header|V=2|P|    RC   |   PT=RR=201   |             length            |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                     SSRC of packet sender                     |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
///       |                 report blocks (RC x 24 bytes)                 |
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// ```
public struct RTCPReceiverReport: RTCPTypedPacket {
    public var ssrc: SSRC
    public let reportBlocks: WireList<RTCPReportBlock>

    public init(ssrc: SSRC) {
        self.ssrc = ssrc
        reportBlocks = .empty
    }

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        try view.require(.receiverReport, bodyOf: 4, for: .receiverReport)
        let body = view.bodyRange.lowerBound
        guard let ssrc = ByteReader(bytes).uint32(at: body) else {
            throw view.error(.body(needed: 4, available: view.bodyRange.count, what: .receiverReport), at: body)
        }
        self.ssrc = SSRC(ssrc)
        reportBlocks = try .reportBlocks(of: view, from: body + 4)
    }

    /// Appends the report with `blocks` (at most 31; none is valid, as the first packet of a compound).
    public func write(reportBlocks blocks: [RTCPReportBlock] = [], into output: inout [UInt8]) {
        let start = RTCPWriter.begin(.receiverReport, count: blocks.count, into: &output)
        output.appendBigEndian(ssrc.rawValue)
        for block in blocks { block.write(into: &output) }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
