/// A Digest challenge from WWW-Authenticate (401) or Proxy-Authenticate (407) (RFC 3261 section 22.2,
/// RFC 7616 section 3.3).
public struct SIPDigestChallenge: Sendable, Hashable {
    public var realm: String
    public var nonce: String
    public var opaque: String?
    public var algorithm: SIPDigestAlgorithm
    /// The qop values offered (`auth`, `auth-int`); empty for an RFC 2069 challenge.
    public var qopOptions: [String]
    /// The nonce expired but the credentials were right: retry without asking the user (RFC 7616 3.3).
    public var isStale: Bool
    /// From Proxy-Authenticate: answer with Proxy-Authorization.
    public var isProxy: Bool

    public init(realm: String, nonce: String, opaque: String? = nil, algorithm: SIPDigestAlgorithm = .md5,
                qopOptions: [String] = ["auth"], isStale: Bool = false, isProxy: Bool = false) {
        self.realm = realm
        self.nonce = nonce
        self.opaque = opaque
        self.algorithm = algorithm
        self.qopOptions = qopOptions
        self.isStale = isStale
        self.isProxy = isProxy
    }

    /// nil for a scheme other than Digest or an algorithm not supported; an error when realm or nonce is
    /// missing.
    public init?(header: SIPAuthenticationHeader, isProxy: Bool) throws(SIPError) {
        guard header.isDigest, let algorithm = SIPDigestAlgorithm(parameter: header["algorithm"]) else { return nil }
        guard let realm = header["realm"], let nonce = header["nonce"], !nonce.isEmpty else {
            throw .malformed(isProxy ? "Proxy-Authenticate" : "WWW-Authenticate", "Digest without realm or nonce")
        }
        self.realm = realm
        self.nonce = nonce
        opaque = header["opaque"]
        self.algorithm = algorithm
        qopOptions = (header["qop"] ?? "").split(separator: ",").map { String(SIPGrammar.trimmed($0)).lowercased() }
            .filter { !$0.isEmpty }
        isStale = header["stale"]?.lowercased() == "true"
        self.isProxy = isProxy
    }

    /// The challenge as a header value.
    public var header: SIPAuthenticationHeader {
        var parameters = [
            SIPAuthenticationHeader.Parameter(name: "realm", value: realm, isQuoted: true),
            .init(name: "nonce", value: nonce, isQuoted: true),
        ]
        if let opaque { parameters.append(.init(name: "opaque", value: opaque, isQuoted: true)) }
        parameters.append(.init(name: "algorithm", value: algorithm.rawValue, isQuoted: false))
        if !qopOptions.isEmpty { parameters.append(.init(name: "qop", value: qopOptions.joined(separator: ","), isQuoted: true)) }
        if isStale { parameters.append(.init(name: "stale", value: "true", isQuoted: false)) }
        return SIPAuthenticationHeader(scheme: "Digest", parameters: parameters)
    }

    /// Every Digest challenge a 401 or 407 carries, strongest algorithm first (RFC 8760 section 2.4).
    public static func challenges(in response: SIPMessage) throws(SIPError) -> [SIPDigestChallenge] {
        var result: [SIPDigestChallenge] = []
        for (name, isProxy) in [(SIPHeaderName.wwwAuthenticate, false), (.proxyAuthenticate, true)] {
            for header in try response.authenticationHeaders(name) {
                if let challenge = try SIPDigestChallenge(header: header, isProxy: isProxy) { result.append(challenge) }
            }
        }
        let strength: (SIPDigestAlgorithm) -> Int = { $0 == .sha256 || $0 == .sha256Session ? 0 : 1 }
        return result.enumerated().sorted { (strength($0.element.algorithm), $0.offset) < (strength($1.element.algorithm), $1.offset) }
            .map(\.element)
    }
}
