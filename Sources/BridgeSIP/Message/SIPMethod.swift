/// A request method (RFC 3261 section 7.1): a token, compared with case (`INVITE` is not `invite`).
public struct SIPMethod: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    public let rawValue: String

    /// nil unless `rawValue` is a non-empty token.
    public init?(_ rawValue: String) {
        guard SIPGrammar.isToken(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    public init(stringLiteral value: String) {
        rawValue = value
    }

    public var description: String { rawValue }

    public static let invite: SIPMethod = "INVITE"
    public static let ack: SIPMethod = "ACK"
    public static let bye: SIPMethod = "BYE"
    public static let cancel: SIPMethod = "CANCEL"
    public static let options: SIPMethod = "OPTIONS"
    public static let register: SIPMethod = "REGISTER"
    public static let info: SIPMethod = "INFO"
    public static let update: SIPMethod = "UPDATE"
    public static let prack: SIPMethod = "PRACK"
    public static let message: SIPMethod = "MESSAGE"
    public static let notify: SIPMethod = "NOTIFY"
    public static let subscribe: SIPMethod = "SUBSCRIBE"
    public static let refer: SIPMethod = "REFER"
}
