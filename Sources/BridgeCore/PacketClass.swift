/// What a datagram arriving on the shared media port is, from its first byte (RFC 7983 section 7, which
/// updates RFC 5764 section 5.1.2):
///
/// ```
///                 +----------------+
///                 |        [0..3] -+--> STUN
///                 |      [16..19] -+--> ZRTP
///     packet -->  |      [20..63] -+--> DTLS
///                 |      [64..79] -+--> TURN channel
///                 |    [128..191] -+--> RTP / RTCP
///                 +----------------+
/// ```
public enum PacketClass: Sendable, Hashable, CaseIterable {
    case stun
    case zrtp
    case dtls
    case turnChannel
    case rtpOrRTCP
    case unknown

    @inlinable public static func classify(firstByte: UInt8) -> PacketClass {
        switch firstByte {
        case 0...3: .stun
        case 16...19: .zrtp
        case 20...63: .dtls
        case 64...79: .turnChannel
        case 128...191: .rtpOrRTCP
        default: .unknown
        }
    }

    /// The class of a whole datagram; an empty one is `.unknown`.
    @inlinable public static func classify(_ datagram: UnsafeRawBufferPointer) -> PacketClass {
        guard let first = datagram.first else { return .unknown }
        return classify(firstByte: first)
    }

    /// For an `.rtpOrRTCP` datagram: true when its second byte is an RTCP packet type 192...223, which read
    /// as RTP is the marker bit with payload type 64...95 (RFC 5761 section 4).
    @inlinable public static func isRTCP(secondByte: UInt8) -> Bool {
        (192...223).contains(secondByte)
    }

    /// RTP or RTCP for a datagram already classified `.rtpOrRTCP`; nil when it is shorter than two bytes.
    @inlinable public static func isRTCP(_ datagram: UnsafeRawBufferPointer) -> Bool? {
        ByteReader(datagram).uint8(at: 1).map(isRTCP(secondByte:))
    }
}
