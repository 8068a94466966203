import BridgeCore

/// BYE (RFC 3550 section 6.6): sources leaving the session, with an optional reason.
///
/// ```
///        0                   1                   2                   3
///        0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |V=2|P|    SC   |   PT=BYE=203  |             length            |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       |                           SSRC/CSRC                           |
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       :                              ...                              :
///       +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// (opt) |     length    |               reason for leaving            ...
///       +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTCPGoodbye: RTCPTypedPacket {
    public let sources: WireList<SSRC>
    /// The reason text, when there is one.
    public let reasonRange: Range<Int>?

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let sourceCount = Int(view.count)
        try view.require(.goodbye, bodyOf: sourceCount * 4, for: .byeSources)
        sources = WireList(count: sourceCount, offset: view.bodyRange.lowerBound)
        let reasonOffset = sources.offset + sourceCount * 4
        if reasonOffset < view.bodyRange.upperBound, let length = ByteReader(bytes).uint8(at: reasonOffset) {
            let left = view.bodyRange.upperBound - reasonOffset - 1
            guard Int(length) <= left else { throw view.error(.byeReason(length: Int(length), left: left), at: reasonOffset) }
            reasonRange = reasonOffset + 1 ..< reasonOffset + 1 + Int(length)
        } else {
            reasonRange = nil
        }
    }

    public func reason(in bytes: [UInt8]) -> String? {
        guard let reasonRange, reasonRange.upperBound <= bytes.count else { return nil }
        return String(decoding: bytes[reasonRange], as: UTF8.self)
    }

    /// Appends a BYE for `sources` (at most 31) with an optional reason (at most 255 bytes; longer is cut).
    public static func write(sources: [SSRC], reason: String? = nil, into output: inout [UInt8]) {
        let start = RTCPWriter.begin(.goodbye, count: sources.count, into: &output)
        for source in sources { output.appendBigEndian(source.rawValue) }
        if let reason {
            let text = reason.utf8.prefix(255)
            output.append(UInt8(text.count))
            output.append(contentsOf: text)
        }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
