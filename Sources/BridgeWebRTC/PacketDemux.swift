/// RFC 7983 section 7: what a datagram on the shared port is, from its first byte.
///
/// ```
///                  +----------------+
///                  |        [0..3] -+--> STUN
///                  |      [16..19] -+--> ZRTP
///     packet -->   |      [20..63] -+--> DTLS
///                  |      [64..79] -+--> TURN channel
///                  |    [128..191] -+--> RTP / RTCP
///                  +----------------+
/// ```
public enum PacketDemux {
    public enum Kind: Sendable, Hashable {
        case stun, zrtp, dtls, turnChannel, rtp, rtcp, unknown
    }

    public static func classify(_ datagram: [UInt8]) -> Kind {
        guard let first = datagram.first else { return .unknown }
        switch first {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191:
            // RFC 5761 section 4: RTCP packet types 192...223 sit where RTP's marker + payload type would.
            guard datagram.count >= 2 else { return .unknown }
            return (192...223).contains(datagram[1]) ? .rtcp : .rtp
        default: return .unknown
        }
    }
}
