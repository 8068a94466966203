/// Packets dropped on the data path, counted by reason. Bad input on the media path is dropped and counted,
/// never fatal (CONVENTIONS.md); these counts feed the metrics endpoint.
///
/// A value with fixed storage: recording does not allocate once the counters exist.
public struct DropCounters: Sendable, Hashable {
    public enum Reason: Int, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// A datagram whose first byte matches no protocol (RFC 7983).
        case unclassified
        case malformedRTP
        case malformedRTCP
        case unknownSSRC
        case unknownPayloadType
        /// SRTP or SRTCP authentication failed.
        case authenticationFailed
        /// SRTP replay protection refused a packet seen before.
        case replayed
        /// Media arrived before the session could take it (ICE or DTLS not done).
        case notReady
        /// A send queue or buffer was full.
        case overflow
        /// A datagram with a STUN first byte that is not a STUN message.
        case malformedSTUN
        /// A STUN message other than a Binding request (indications, stray responses).
        case stunNotRequest
        case stunBadFingerprint
        /// USERNAME does not name this session's ufrags.
        case stunBadUsername
        /// MESSAGE-INTEGRITY did not verify with the session's password.
        case stunBadIntegrity
        /// A session already learned its maximum of peer addresses.
        case iceTooManyAddresses
        /// A connectivity check already answered, sent again from another address.
        case stunReplayed
        /// DTLS or media from an address ICE has not validated.
        case unvalidatedSource
        /// The session had ended.
        case sessionClosed
        /// Media handed to a session before DTLS completed or after it closed.
        case sendNotConnected
        case protectFailed
        /// Plain RTP from a source the symmetric RTP latch does not take for the phone (a stray or a sprayer).
        case rtpSourceRejected
        /// Phone RTCP from a host other than the latched (or, before latching, the SDP) address.
        case rtcpSourceRejected

        public var description: String {
            switch self {
            case .unclassified: "unclassified"
            case .malformedRTP: "malformed_rtp"
            case .malformedRTCP: "malformed_rtcp"
            case .unknownSSRC: "unknown_ssrc"
            case .unknownPayloadType: "unknown_payload_type"
            case .authenticationFailed: "authentication_failed"
            case .replayed: "replayed"
            case .notReady: "not_ready"
            case .overflow: "overflow"
            case .malformedSTUN: "malformed_stun"
            case .stunNotRequest: "stun_not_request"
            case .stunBadFingerprint: "stun_bad_fingerprint"
            case .stunBadUsername: "stun_bad_username"
            case .stunBadIntegrity: "stun_bad_integrity"
            case .iceTooManyAddresses: "ice_too_many_addresses"
            case .stunReplayed: "stun_replayed"
            case .unvalidatedSource: "unvalidated_source"
            case .sessionClosed: "session_closed"
            case .sendNotConnected: "send_not_connected"
            case .protectFailed: "protect_failed"
            case .rtpSourceRejected: "rtp_source_rejected"
            case .rtcpSourceRejected: "rtcp_source_rejected"
            }
        }
    }

    private var counts: [UInt64]

    public init() {
        counts = [UInt64](repeating: 0, count: Reason.allCases.count)
    }

    public mutating func record(_ reason: Reason, count: UInt64 = 1) {
        counts[reason.rawValue] &+= count
    }

    public subscript(reason: Reason) -> UInt64 { counts[reason.rawValue] }

    public var total: UInt64 { counts.reduce(0, &+) }

    /// Adds another set of counters (a session's, when it ends) into this one.
    public mutating func add(_ other: DropCounters) {
        for reason in Reason.allCases { counts[reason.rawValue] &+= other[reason] }
    }

    /// The reasons with a non-zero count, in declaration order.
    public var nonZero: [(reason: Reason, count: UInt64)] {
        Reason.allCases.compactMap { counts[$0.rawValue] == 0 ? nil : ($0, counts[$0.rawValue]) }
    }
}
