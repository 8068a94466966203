/// `a=fingerprint:<hash function> <hex bytes with colons>` (RFC 8122 section 5).
public struct Fingerprint: Sendable, Hashable {
    /// Lower-cased: `sha-256`.
    public var hashFunction: String
    /// Upper-case hex pairs separated by colons, as written by browsers.
    public var value: String

    public init(hashFunction: String, value: String) {
        self.hashFunction = hashFunction.lowercased()
        self.value = value
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let pairs = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard !pairs.isEmpty, pairs.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isHexDigit) }) else { return nil }
        self.init(hashFunction: String(parts[0]), value: parts[1].uppercased())
    }

    public var attributeValue: String { "\(hashFunction) \(value)" }
}

/// `a=setup:` (RFC 4145 section 4, RFC 8842): who opens the DTLS connection.
public enum DTLSSetup: String, Sendable, Hashable {
    case active, passive, actpass, holdconn

    /// What an answerer says to this offer; the gateway prefers to be the DTLS server (passive) so that
    /// its SRTP profile preference wins.
    public var answer: DTLSSetup {
        switch self {
        case .actpass, .active: .passive
        case .passive: .active
        case .holdconn: .holdconn
        }
    }
}

/// `a=crypto:<tag> <suite> <key params> [<session params>]` (SDES, RFC 4568 section 9.1).
public struct CryptoAttribute: Sendable, Hashable {
    public var tag: Int
    public var suite: String
    /// `inline:<base64 key||salt>[|lifetime][|MKI:length]`, one or more.
    public var keyParameters: [String]
    public var sessionParameters: [String]

    public init(tag: Int, suite: String, keyParameters: [String], sessionParameters: [String] = []) {
        self.tag = tag
        self.suite = suite
        self.keyParameters = keyParameters
        self.sessionParameters = sessionParameters
    }

    public init?(attributeValue: String) {
        let fields = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 3, let tag = Int(fields[0]), (0...999_999_999).contains(tag) else { return nil }
        let keys = fields[2].split(separator: ";").map(String.init)
        guard keys.allSatisfy({ $0.hasPrefix("inline:") && $0.count > 7 }) else { return nil }
        self.init(tag: tag, suite: String(fields[1]), keyParameters: keys, sessionParameters: fields.dropFirst(3).map(String.init))
    }

    /// The base64 key and salt of the first key parameter.
    public var inlineKey: String? {
        keyParameters.first.map { $0.dropFirst("inline:".count).split(separator: "|").first.map(String.init) ?? "" }
    }

    public var attributeValue: String {
        ([String(tag), suite, keyParameters.joined(separator: ";")] + sessionParameters).joined(separator: " ")
    }
}
