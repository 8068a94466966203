import BridgeCore

/// An RTCP datagram: one or more RTCP packets back to back (RFC 3550 section 6.1), every length field
/// checked before any packet is looked at, so a datagram with one bad length is refused whole.
///
/// ```
/// +-------------------------+-------------+-------------------+----
/// | SR or RR (header|body)  | SDES        | feedback (RTPFB…) | ...
/// +-------------------------+-------------+-------------------+----
///  <- (length+1)*4 bytes -->
/// ```
///
/// RFC 3550 wants a compound packet to start with SR or RR; reduced-size RTCP (RFC 5506 section 3) allows a
/// single feedback packet on its own, which browsers send when `a=rtcp-rsize` was negotiated. Both are
/// accepted; `isReducedSize` says which one arrived.
public struct RTCPCompound: Sendable, Hashable {
    public let packetCount: Int
    /// True when the first packet is neither SR nor RR (RFC 5506 reduced-size RTCP).
    public let isReducedSize: Bool

    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTCPError) {
        guard !bytes.isEmpty else { throw RTCPError(.empty, at: 0) }
        var offset = 0, count = 0
        var firstType: RTCPPacketType?
        while offset < bytes.count {
            let view = try RTCPPacketView(parsing: bytes, at: offset)
            firstType = firstType ?? view.type
            offset = view.range.upperBound
            count += 1
        }
        packetCount = count
        isReducedSize = firstType != .senderReport && firstType != .receiverReport
    }

    public init(parsing bytes: [UInt8]) throws(RTCPError) {
        self = try bytes.withBytes { (buffer) throws(RTCPError) in try RTCPCompound(parsing: buffer) }
    }

    /// Calls `body` with each packet in order. `bytes` must be the datagram this compound was parsed from.
    public func forEachPacket<Failure: Error>(in bytes: UnsafeRawBufferPointer,
                                              _ body: (RTCPPacketView) throws(Failure) -> Void) throws(Failure) {
        var offset = 0
        for _ in 0..<packetCount {
            guard let view = try? RTCPPacketView(parsing: bytes, at: offset) else { return }
            try body(view)
            offset = view.range.upperBound
        }
    }

    /// Every packet, typed (allocates: for tests and the control path).
    public func packets(in bytes: [UInt8]) throws(RTCPError) -> [RTCPPacket] {
        var packets: [RTCPPacket] = []
        try bytes.withBytes { (buffer) throws(RTCPError) in
            try forEachPacket(in: buffer) { (view) throws(RTCPError) in
                packets.append(try RTCPPacket(parsing: buffer, view: view))
            }
        }
        return packets
    }
}

/// An RTCP packet by type, as far as the gateway reads it. APP, XR and feedback types the gateway does not
/// act on come back as `.other` with their location, unparsed.
public enum RTCPPacket: Sendable, Hashable {
    case senderReport(RTCPSenderReport)
    case receiverReport(RTCPReceiverReport)
    case sourceDescription(RTCPSourceDescription)
    case goodbye(RTCPGoodbye)
    case genericNACK(RTCPGenericNACK)
    case transportFeedback(RTCPTransportFeedback)
    case pictureLossIndication(RTCPPictureLossIndication)
    case fullIntraRequest(RTCPFullIntraRequest)
    case receiverEstimatedMaximumBitrate(RTCPReceiverEstimatedMaximumBitrate)
    case other(RTCPPacketView)

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        switch (view.type, view.count) {
        case (.senderReport, _): self = .senderReport(try RTCPSenderReport(parsing: bytes, view: view))
        case (.receiverReport, _): self = .receiverReport(try RTCPReceiverReport(parsing: bytes, view: view))
        case (.sourceDescription, _): self = .sourceDescription(try RTCPSourceDescription(parsing: bytes, view: view))
        case (.goodbye, _): self = .goodbye(try RTCPGoodbye(parsing: bytes, view: view))
        case (.transportFeedback, RTCPGenericNACK.format):
            self = .genericNACK(try RTCPGenericNACK(parsing: bytes, view: view))
        case (.transportFeedback, RTCPTransportFeedback.format):
            self = .transportFeedback(try RTCPTransportFeedback(parsing: bytes, view: view))
        case (.payloadFeedback, RTCPPictureLossIndication.format):
            self = .pictureLossIndication(try RTCPPictureLossIndication(parsing: bytes, view: view))
        case (.payloadFeedback, RTCPFullIntraRequest.format):
            self = .fullIntraRequest(try RTCPFullIntraRequest(parsing: bytes, view: view))
        case (.payloadFeedback, RTCPReceiverEstimatedMaximumBitrate.format)
            where RTCPReceiverEstimatedMaximumBitrate.isREMB(bytes, view: view):
            self = .receiverEstimatedMaximumBitrate(try RTCPReceiverEstimatedMaximumBitrate(parsing: bytes, view: view))
        default: self = .other(view)
        }
    }
}
