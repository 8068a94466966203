import BridgeICE

/// Datagrams a session dropped, by reason. The data path drops and counts; it never traps or throws.
public struct DropCounts: Sendable, Hashable {
    public enum Reason: String, Sendable, Hashable, CaseIterable {
        case unknownPacket = "unknown-packet"
        case malformedSTUN = "stun-malformed"
        case stunNotRequest = "stun-not-request"
        case stunFingerprint = "stun-bad-fingerprint"
        case stunUsername = "stun-bad-username"
        case stunIntegrity = "stun-bad-integrity"
        case tooManyAddresses = "ice-too-many-addresses"
        case closed = "session-closed"
        case dtlsUnvalidatedAddress = "dtls-unvalidated-address"
        case mediaBeforeDTLS = "media-before-dtls"
        case mediaUnvalidatedAddress = "media-unvalidated-address"
        case srtpAuthentication = "srtp-auth"
        case srtpReplay = "srtp-replay"
        case notConnected = "send-not-connected"
        case protectFailed = "srtp-protect-failed"

        init(ice: ICELiteAgent.DropReason) {
            switch ice {
            case .notARequest: self = .stunNotRequest
            case .badFingerprint: self = .stunFingerprint
            case .badUsername: self = .stunUsername
            case .badIntegrity: self = .stunIntegrity
            case .closed: self = .closed
            case .tooManyAddresses: self = .tooManyAddresses
            }
        }
    }

    private var counts: [Reason: Int] = [:]

    public subscript(reason: Reason) -> Int { counts[reason, default: 0] }

    public var total: Int { counts.values.reduce(0, +) }

    mutating func count(_ reason: Reason) {
        counts[reason, default: 0] += 1
    }
}
