import BridgeCore

/// Full intra request (RFC 5104 section 4.3.1): PSFB with FMT 4, asking each listed sender for a decoder
/// refresh point. The media source SSRC of the header is unused (0); the FCI entries name the sources.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                              SSRC                             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// | Seq nr.       |    Reserved                                   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// The sequence number goes up by one per new request, so a repeated request (same number) is one request.
public struct RTCPFullIntraRequest: RTCPTypedPacket {
    public static let format: UInt8 = 4

    public struct Entry: FixedSizeWireValue {
        public static var wireLength: Int { 8 }

        public var ssrc: SSRC
        public var sequenceNumber: UInt8

        public init(ssrc: SSRC, sequenceNumber: UInt8) {
            self.ssrc = ssrc
            self.sequenceNumber = sequenceNumber
        }

        public init?(_ reader: ByteReader, at offset: Int) {
            guard let ssrc = reader.uint32(at: offset), let sequenceNumber = reader.uint8(at: offset + 4) else { return nil }
            self.init(ssrc: SSRC(ssrc), sequenceNumber: sequenceNumber)
        }
    }

    public var senderSSRC: SSRC
    public let entries: WireList<Entry>

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let header = try RTCPFeedbackHeader(bytes, view: view, type: .payloadFeedback, format: Self.format,
                                            fciMinimum: 8, part: .fir)
        senderSSRC = header.senderSSRC
        entries = WireList(count: header.fciRange.count / Entry.wireLength, offset: header.fciRange.lowerBound)
    }

    /// Appends a FIR with `entries`; nothing when there are none (a FIR needs at least one).
    public static func write(senderSSRC: SSRC, entries: [Entry], into output: inout [UInt8]) {
        guard !entries.isEmpty else { return }
        let start = RTCPFeedbackHeader.begin(.payloadFeedback, format: format, sender: senderSSRC, media: 0,
                                             into: &output)
        for entry in entries {
            output.appendBigEndian(entry.ssrc.rawValue)
            output.append(entry.sequenceNumber)
            output.append(contentsOf: [0, 0, 0])
        }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
