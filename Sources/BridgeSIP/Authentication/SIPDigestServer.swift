import BridgeCore
import Crypto

/// Challenges requests and checks their credentials (RFC 3261 section 22, RFC 7616 section 3.5).
///
/// A challenge offers each of `algorithms` in its own header, the preferred first (SHA-256, then MD5 for
/// older phones: RFC 8760 section 2.4, RFC 7616 section 3.7); a response may use any of them, and must use
/// `qop=auth`. Nonces carry their own proof: `hex(issued seconds) "." hex(serial) "." hex(HMAC-SHA256(secret,
/// both))`, so forged ones are refused and old ones get `stale=true`. The nonce count (`nc`) is tracked per
/// nonce (`SIPNonceCounts`, bounded): a response is accepted once, a replay is refused.
public struct SIPDigestServer: Sendable {
    public enum Verdict: Sendable, Hashable {
        /// The credentials hold for `username`.
        case authorized(username: String)
        /// No credentials for our realm: send a challenge.
        case missing
        /// Right password, expired (or forgotten) nonce: challenge again with `stale=true`.
        case stale
        /// Wrong password, unknown user, forged nonce, replayed nonce count, no `qop=auth`, or bad header.
        case refused
    }

    public let realm: String
    /// Offered in this order; a response with any of them is checked.
    public var algorithms: [SIPDigestAlgorithm]
    public var nonceLifetime: Duration
    private let secret: SymmetricKey
    private var serial: UInt64 = 0
    private var counts: SIPNonceCounts

    /// `secret` keys the nonce HMAC; 32 random bytes from the driver. `trackedNonces` bounds the nonce-count
    /// table. MD5 is listed first by default: clients that read only the first challenge (SIPp 3.6 in Debian,
    /// older phones) know no SHA-256 and would give up, while clients that pick the strongest offered (RFC 7616
    /// section 3.7, our own `SIPDigestClient`) still answer with SHA-256.
    public init(realm: String, secret: [UInt8], algorithms: [SIPDigestAlgorithm] = [.md5, .sha256],
                nonceLifetime: Duration = .seconds(300), trackedNonces: Int = 4096) {
        self.realm = realm
        self.secret = SymmetricKey(data: secret)
        self.algorithms = algorithms.isEmpty ? [.md5] : algorithms
        self.nonceLifetime = nonceLifetime
        counts = SIPNonceCounts(capacity: trackedNonces)
    }

    /// A new nonce bound to `now`; each one is different, so that its count starts at 1 for one client only.
    public mutating func nonce(now: MonotonicInstant) -> String {
        serial &+= 1
        let payload = String(now.nanoseconds / 1_000_000_000, radix: 16) + "." + String(serial, radix: 16)
        return payload + "." + signature(payload)
    }

    private func signature(_ payload: String) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array(payload.utf8), using: secret)
        return Hex.encode(Array(mac).prefix(16))
    }

    /// The headers for a 401 (or a 407 when `isProxy`): one challenge per algorithm, sharing one nonce.
    public mutating func challenges(now: MonotonicInstant, stale: Bool = false, isProxy: Bool = false) -> [SIPHeaderField] {
        let nonce = nonce(now: now)
        return algorithms.map { algorithm in
            let challenge = SIPDigestChallenge(realm: realm, nonce: nonce, algorithm: algorithm, qopOptions: ["auth"],
                                               isStale: stale, isProxy: isProxy)
            return SIPHeaderField(name: isProxy ? .proxyAuthenticate : .wwwAuthenticate, value: challenge.header.description)
        }
    }

    /// Checks the request's Authorization (or Proxy-Authorization) for our realm. `password` looks up a
    /// user's password (nil: unknown user). An accepted response is remembered: the same one again is refused.
    public mutating func verify(_ request: SIPMessage, now: MonotonicInstant, isProxy: Bool = false,
                                password: (String) -> Redacted?) -> Verdict {
        guard let method = request.method,
              let headers = try? request.authenticationHeaders(isProxy ? .proxyAuthorization : .authorization) else {
            return .refused
        }
        let ours = headers.filter { $0.isDigest && $0["realm"] == realm }
        guard !ours.isEmpty else { return .missing }
        let offered = algorithms
        // A client may answer each offered challenge; the first in an algorithm we offered is checked.
        guard let (header, algorithm) = ours.lazy.compactMap({ header in
                  SIPDigestAlgorithm(parameter: header["algorithm"]).flatMap { offered.contains($0) ? (header, $0) : nil }
              }).first,
              let username = header["username"], let nonce = header["nonce"], let uri = header["uri"],
              let response = header["response"], let secret = password(username) else { return .refused }
        // The credentials are for this request's URI, not one captured elsewhere (RFC 7616 section 3.4.6).
        guard uri == request.requestURIText else { return .refused }
        // qop=auth, as offered: without it there is no nonce count, so no way to tell a replay.
        guard header["qop"] == "auth", let text = header["nc"], text.utf8.count == 8, let count = UInt32(text, radix: 16),
              count > 0, let cnonce = header["cnonce"], !cnonce.isEmpty else { return .refused }
        let expected = SIPDigest.response(SIPDigest.Input(
            algorithm: algorithm, username: username, realm: realm, password: secret, method: method.rawValue, uri: uri,
            nonce: nonce, qop: "auth", nonceCount: count, cnonce: cnonce))
        guard SIPDigest.constantTimeEquals(expected, response), let (issued, serial) = issue(of: nonce) else { return .refused }
        guard now.duration(since: issued) <= nonceLifetime else { return .stale }
        switch counts.record(serial: serial, issued: issued, count: count, lifetime: nonceLifetime, now: now) {
        case .accepted: return .authorized(username: username)
        case .replayed: return .refused
        case .forgotten: return .stale
        }
    }

    /// When and as which serial one of our nonces was issued; nil for a forged one.
    private func issue(of nonce: String) -> (MonotonicInstant, UInt64)? {
        let parts = nonce.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].utf8.count <= 15, parts[1].utf8.count <= 16,
              let seconds = UInt64(parts[0], radix: 16), let serial = UInt64(parts[1], radix: 16),
              SIPDigest.constantTimeEquals(signature("\(parts[0]).\(parts[1])"), String(parts[2])) else { return nil }
        return (MonotonicInstant(nanoseconds: seconds &* 1_000_000_000), serial)
    }
}
