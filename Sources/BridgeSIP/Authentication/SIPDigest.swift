import BridgeCore
import Crypto

/// Digest algorithms (RFC 7616 section 3.2, RFC 8760 for SIP). MD5 stays for old phones and PBXs.
public enum SIPDigestAlgorithm: String, Sendable, Hashable, CaseIterable {
    case md5 = "MD5"
    case md5Session = "MD5-sess"
    case sha256 = "SHA-256"
    case sha256Session = "SHA-256-sess"

    /// Parses the `algorithm` parameter without case; absent means MD5 (RFC 2617 section 3.2.1).
    public init?(parameter: String?) {
        guard let parameter else { self = .md5; return }
        guard let match = Self.allCases.first(where: { $0.rawValue.caseInsensitiveEquals(parameter) }) else { return nil }
        self = match
    }

    var isSession: Bool { self == .md5Session || self == .sha256Session }

    /// Lowercase hex of the hash of `text`'s UTF-8 bytes.
    func hash(_ text: String) -> String {
        switch self {
        case .md5, .md5Session: Hex.encode(Insecure.MD5.hash(data: Array(text.utf8)))
        case .sha256, .sha256Session: Hex.encode(SHA256.hash(data: Array(text.utf8)))
        }
    }

    func hash(_ bytes: [UInt8]) -> String {
        switch self {
        case .md5, .md5Session: Hex.encode(Insecure.MD5.hash(data: bytes))
        case .sha256, .sha256Session: Hex.encode(SHA256.hash(data: bytes))
        }
    }
}

/// The digest computation of RFC 2617 section 3.2.2 and RFC 7616 section 3.4.1:
///
/// ```
/// A1 = username ":" realm ":" password          (-sess: H(A1) ":" nonce ":" cnonce)
/// A2 = method ":" digest-uri                     (auth-int: ":" H(body) appended)
/// response = H(H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2))   with qop
///          = H(H(A1) ":" nonce ":" H(A2))                              without (RFC 2069)
/// ```
public enum SIPDigest {
    public struct Input: Sendable {
        public var algorithm: SIPDigestAlgorithm
        public var username: String
        public var realm: String
        public var password: Redacted
        public var method: String
        public var uri: String
        public var nonce: String
        /// `auth` or `auth-int`; nil for the RFC 2069 form.
        public var qop: String?
        public var nonceCount: UInt32
        public var cnonce: String?
        /// For `auth-int`.
        public var body: [UInt8]

        public init(algorithm: SIPDigestAlgorithm, username: String, realm: String, password: Redacted, method: String,
                    uri: String, nonce: String, qop: String? = nil, nonceCount: UInt32 = 1, cnonce: String? = nil,
                    body: [UInt8] = []) {
            self.algorithm = algorithm
            self.username = username
            self.realm = realm
            self.password = password
            self.method = method
            self.uri = uri
            self.nonce = nonce
            self.qop = qop
            self.nonceCount = nonceCount
            self.cnonce = cnonce
            self.body = body
        }
    }

    /// `nc` as eight hex digits.
    public static func nonceCountText(_ count: UInt32) -> String {
        let hex = String(count, radix: 16)
        return String(repeating: "0", count: max(0, 8 - hex.count)) + hex
    }

    /// The `response` value, lowercase hex.
    public static func response(_ input: Input) -> String {
        let algorithm = input.algorithm
        var ha1 = algorithm.hash("\(input.username):\(input.realm):\(input.password.revealed)")
        if algorithm.isSession {
            ha1 = algorithm.hash("\(ha1):\(input.nonce):\(input.cnonce ?? "")")
        }
        var a2 = "\(input.method):\(input.uri)"
        if input.qop == "auth-int" { a2 += ":" + algorithm.hash(input.body) }
        let ha2 = algorithm.hash(a2)
        guard let qop = input.qop else { return algorithm.hash("\(ha1):\(input.nonce):\(ha2)") }
        return algorithm.hash("\(ha1):\(input.nonce):\(nonceCountText(input.nonceCount)):\(input.cnonce ?? ""):\(qop):\(ha2)")
    }

    /// Compares two response values in time that does not depend on where they differ.
    static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let a = Array(lhs.lowercased().utf8), b = Array(rhs.lowercased().utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
