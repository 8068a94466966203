/// Why a datagram is not a STUN message the gateway accepts: what was wrong and at which byte.
public struct STUNError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: Sendable, Hashable {
        case truncated, notSTUN, malformedAttribute, tooManyAttributes, integrity, fingerprint
    }

    public let reason: Reason
    public let message: String

    init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "STUN: \(message)" }
}
