import BridgeCore

/// RFC 7983 demux for a session's datagrams: `PacketClass` by first byte, with RTP and RTCP told apart
/// (RFC 5761 section 4).
public enum PacketDemux {
    public enum Kind: Sendable, Hashable {
        case stun, zrtp, dtls, turnChannel, rtp, rtcp, unknown
    }

    public static func classify(_ datagram: [UInt8]) -> Kind {
        datagram.withUnsafeBytes { bytes in
            switch PacketClass.classify(bytes) {
            case .stun: .stun
            case .zrtp: .zrtp
            case .dtls: .dtls
            case .turnChannel: .turnChannel
            case .rtpOrRTCP:
                switch PacketClass.isRTCP(bytes) {
                case true?: .rtcp
                case false?: .rtp
                case nil: .unknown
                }
            case .unknown: .unknown
            }
        }
    }
}
