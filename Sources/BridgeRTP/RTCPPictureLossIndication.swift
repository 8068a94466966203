import BridgeCore

/// Picture loss indication (RFC 4585 section 6.3.1): PSFB with FMT 1 and no FCI. A browser sends it when
/// it cannot decode; the viewer answers with a key frame from the GOP cache.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| FMT=1   |   PT=206      |          length=2             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTCPPictureLossIndication: RTCPTypedPacket {
    public static let format: UInt8 = 1

    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC

    public init(senderSSRC: SSRC, mediaSSRC: SSRC) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let header = try RTCPFeedbackHeader(bytes, view: view, type: .payloadFeedback, format: Self.format,
                                            fciMinimum: 0, part: .pli)
        self.init(senderSSRC: header.senderSSRC, mediaSSRC: header.mediaSSRC)
    }

    public func write(into output: inout [UInt8]) {
        let start = RTCPFeedbackHeader.begin(.payloadFeedback, format: Self.format, sender: senderSSRC,
                                             media: mediaSSRC, into: &output)
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
