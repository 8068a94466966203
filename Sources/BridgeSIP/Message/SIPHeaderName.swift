/// A header field name, compared without regard to case (RFC 3261 section 7.3.1), with the compact forms
/// of section 7.3.3 and later RFCs expanded to their full names (`v` is `Via`, `i` is `Call-ID`).
///
/// The writer always uses the full name in the spelling given here (or the peer's, for unknown headers).
public struct SIPHeaderName: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The name as written out.
    public let name: String
    /// Lowercased, for comparison and hashing.
    public let key: String

    public init(_ text: String) {
        let lowered = text.lowercased()
        if lowered.utf8.count == 1, let full = Self.compactForms[lowered] {
            name = full
            key = full.lowercased()
        } else if let known = Self.canonical[lowered] {
            name = known
            key = lowered
        } else {
            name = text
            key = lowered
        }
    }

    public init(stringLiteral value: String) {
        self.init(value)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }
    public var description: String { name }

    /// The one-letter form, when the name has one (RFC 3261 section 7.3.3, RFC 3515, 3841, 3892, 4028, 4474).
    public var compactForm: String? {
        Self.compactForms.first { $0.value.lowercased() == key }?.key
    }

    static let compactForms: [String: String] = [
        "i": "Call-ID", "m": "Contact", "e": "Content-Encoding", "l": "Content-Length", "c": "Content-Type",
        "f": "From", "t": "To", "v": "Via", "k": "Supported", "s": "Subject", "o": "Event", "u": "Allow-Events",
        "r": "Refer-To", "b": "Referred-By", "x": "Session-Expires", "a": "Accept-Contact", "j": "Reject-Contact",
        "d": "Request-Disposition", "y": "Identity",
    ]

    static let canonical: [String: String] = {
        var table: [String: String] = [:]
        for name in [
            "Accept", "Accept-Encoding", "Accept-Language", "Alert-Info", "Allow", "Authentication-Info",
            "Authorization", "Call-ID", "Call-Info", "Contact", "Content-Disposition", "Content-Encoding",
            "Content-Language", "Content-Length", "Content-Type", "CSeq", "Date", "Error-Info", "Expires", "From",
            "In-Reply-To", "Max-Forwards", "Min-Expires", "MIME-Version", "Organization", "Priority",
            "Proxy-Authenticate", "Proxy-Authorization", "Proxy-Require", "Record-Route", "Reply-To", "Require",
            "Retry-After", "Route", "Server", "Subject", "Supported", "Timestamp", "To", "Unsupported",
            "User-Agent", "Via", "Warning", "WWW-Authenticate", "Session-Expires", "Min-SE", "Event",
            "Allow-Events", "Refer-To", "Referred-By", "Accept-Contact", "Reject-Contact", "Request-Disposition",
            "Identity", "RSeq", "RAck", "Path", "Service-Route", "P-Asserted-Identity",
        ] {
            table[name.lowercased()] = name
        }
        return table
    }()

    public static let via: SIPHeaderName = "Via"
    public static let from: SIPHeaderName = "From"
    public static let to: SIPHeaderName = "To"
    public static let callID: SIPHeaderName = "Call-ID"
    public static let cseq: SIPHeaderName = "CSeq"
    public static let contact: SIPHeaderName = "Contact"
    public static let maxForwards: SIPHeaderName = "Max-Forwards"
    public static let route: SIPHeaderName = "Route"
    public static let recordRoute: SIPHeaderName = "Record-Route"
    public static let contentType: SIPHeaderName = "Content-Type"
    public static let contentLength: SIPHeaderName = "Content-Length"
    public static let expires: SIPHeaderName = "Expires"
    public static let minExpires: SIPHeaderName = "Min-Expires"
    public static let wwwAuthenticate: SIPHeaderName = "WWW-Authenticate"
    public static let proxyAuthenticate: SIPHeaderName = "Proxy-Authenticate"
    public static let authorization: SIPHeaderName = "Authorization"
    public static let proxyAuthorization: SIPHeaderName = "Proxy-Authorization"
    public static let sessionExpires: SIPHeaderName = "Session-Expires"
    public static let allow: SIPHeaderName = "Allow"
    public static let supported: SIPHeaderName = "Supported"
    public static let require: SIPHeaderName = "Require"
    public static let userAgent: SIPHeaderName = "User-Agent"
    public static let server: SIPHeaderName = "Server"
    public static let retryAfter: SIPHeaderName = "Retry-After"
}
