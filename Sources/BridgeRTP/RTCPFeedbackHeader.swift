import BridgeCore

/// The common part of every feedback message (RFC 4585 section 6.1): RTPFB (205) and PSFB (206) packets,
/// told apart by the feedback message type (FMT) in the count field.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|   FMT   |       PT      |          length               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of packet sender                        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                  SSRC of media source                         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// :            Feedback Control Information (FCI)                 :
/// ```
struct RTCPFeedbackHeader {
    static let length = 8

    let senderSSRC: SSRC
    let mediaSSRC: SSRC
    /// The FCI: the body after the two SSRCs.
    let fciRange: Range<Int>

    /// Checks type and FMT, and that the two SSRCs and `fciMinimum` FCI bytes fit.
    init(_ bytes: UnsafeRawBufferPointer, view: RTCPPacketView, type: RTCPPacketType, format: UInt8,
         fciMinimum: Int, part: RTCPError.Part) throws(RTCPError) {
        try view.require(type, bodyOf: Self.length + fciMinimum, for: part)
        guard view.count == format else { throw view.error(.wrongType(expected: part), at: view.range.lowerBound) }
        let reader = ByteReader(bytes), body = view.bodyRange.lowerBound
        guard let sender = reader.uint32(at: body), let media = reader.uint32(at: body + 4) else {
            throw view.error(.body(needed: Self.length, available: view.bodyRange.count, what: .feedback), at: body)
        }
        senderSSRC = SSRC(sender)
        mediaSSRC = SSRC(media)
        fciRange = body + Self.length ..< view.bodyRange.upperBound
    }

    /// Appends the header and both SSRCs; returns where the packet starts, for `RTCPWriter.finish`.
    static func begin(_ type: RTCPPacketType, format: UInt8, sender: SSRC, media: SSRC,
                      into output: inout [UInt8]) -> Int {
        let start = RTCPWriter.begin(type, count: Int(format), into: &output)
        output.appendBigEndian(sender.rawValue)
        output.appendBigEndian(media.rawValue)
        return start
    }
}
