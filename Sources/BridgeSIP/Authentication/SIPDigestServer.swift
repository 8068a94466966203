import BridgeCore
import Crypto

/// Challenges requests and checks their credentials (RFC 3261 section 22, RFC 7616 section 3.5).
///
/// Nonces are stateless: `hex(issued seconds) + "." + hex(HMAC-SHA256(secret, issued seconds))`, so the
/// server needs no table and refuses forged nonces; an old one gets `stale=true`. Nonce counts are not
/// tracked (replay of one response within the nonce lifetime is possible; say so to the integrator).
public struct SIPDigestServer: Sendable {
    public enum Verdict: Sendable, Hashable {
        /// The credentials hold for `username`.
        case authorized(username: String)
        /// No credentials for our realm: send a challenge.
        case missing
        /// Right password, expired nonce: challenge again with `stale=true`.
        case stale
        /// Wrong password, unknown user, forged nonce or bad header.
        case refused
    }

    public let realm: String
    public var algorithm: SIPDigestAlgorithm
    public var nonceLifetime: Duration
    private let secret: SymmetricKey

    /// `secret` keys the nonce HMAC; 32 random bytes from the driver.
    public init(realm: String, secret: [UInt8], algorithm: SIPDigestAlgorithm = .md5, nonceLifetime: Duration = .seconds(300)) {
        self.realm = realm
        self.secret = SymmetricKey(data: secret)
        self.algorithm = algorithm
        self.nonceLifetime = nonceLifetime
    }

    /// A nonce bound to `now`.
    public func nonce(now: MonotonicInstant) -> String {
        let seconds = String(now.nanoseconds / 1_000_000_000, radix: 16)
        return seconds + "." + signature(seconds)
    }

    private func signature(_ seconds: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(seconds.utf8), using: secret)
        return Hex.encode(Array(mac).prefix(16))
    }

    /// The header for a 401 (or a 407 when `isProxy`).
    public func challenge(now: MonotonicInstant, stale: Bool = false, isProxy: Bool = false) -> SIPHeaderField {
        let challenge = SIPDigestChallenge(realm: realm, nonce: nonce(now: now), algorithm: algorithm, qopOptions: ["auth"],
                                           isStale: stale, isProxy: isProxy)
        return SIPHeaderField(name: isProxy ? .proxyAuthenticate : .wwwAuthenticate, value: challenge.header.description)
    }

    /// Checks the request's Authorization (or Proxy-Authorization) for our realm. `password` looks up a
    /// user's password (nil: unknown user).
    public func verify(_ request: SIPMessage, now: MonotonicInstant, isProxy: Bool = false,
                       password: (String) -> Redacted?) -> Verdict {
        guard let method = request.method,
              let headers = try? request.authenticationHeaders(isProxy ? .proxyAuthorization : .authorization) else {
            return .refused
        }
        guard let header = headers.first(where: { $0.isDigest && $0["realm"] == realm }) else { return .missing }
        guard let username = header["username"], let nonce = header["nonce"], let uri = header["uri"],
              let response = header["response"],
              let headerAlgorithm = SIPDigestAlgorithm(parameter: header["algorithm"]), headerAlgorithm == algorithm,
              let secret = password(username) else { return .refused }
        // The credentials are for this request's URI, not one captured elsewhere (RFC 7616 section 3.4.6).
        guard uri == request.requestURIText else { return .refused }
        let qop = header["qop"]
        var count: UInt32 = 1
        if qop != nil {
            guard let text = header["nc"], text.utf8.count == 8, let value = UInt32(text, radix: 16),
                  header["cnonce"] != nil else { return .refused }
            count = value
        }
        guard qop == nil || qop == "auth" else { return .refused }
        let expected = SIPDigest.response(SIPDigest.Input(
            algorithm: algorithm, username: username, realm: realm, password: secret, method: method.rawValue, uri: uri,
            nonce: nonce, qop: qop, nonceCount: count, cnonce: header["cnonce"]))
        guard SIPDigest.constantTimeEquals(expected, response) else { return .refused }
        switch nonceState(nonce, now: now) {
        case .valid: return .authorized(username: username)
        case .expired: return .stale
        case .forged: return .refused
        }
    }

    private enum NonceState { case valid, expired, forged }

    private func nonceState(_ nonce: String, now: MonotonicInstant) -> NonceState {
        let parts = nonce.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count <= 16, let issued = UInt64(parts[0], radix: 16),
              SIPDigest.constantTimeEquals(signature(String(parts[0])), String(parts[1])) else { return .forged }
        let age = MonotonicInstant(nanoseconds: now.nanoseconds)
            .duration(since: MonotonicInstant(nanoseconds: issued &* 1_000_000_000))
        return age <= nonceLifetime ? .valid : .expired
    }
}
