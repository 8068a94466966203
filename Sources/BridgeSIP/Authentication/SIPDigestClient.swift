import BridgeCore

/// A SIP account's username and password; the password shows as `***` everywhere but on the wire.
public struct SIPCredentials: Sendable, Hashable, CustomStringConvertible {
    public var username: String
    public var password: Redacted

    public init(username: String, password: Redacted) {
        self.username = username
        self.password = password
    }

    public var description: String { "\(username):***" }
}

/// Answers 401 and 407 challenges (RFC 3261 section 22.2, RFC 2617, RFC 7616): picks the strongest Digest
/// challenge, computes the response with `qop=auth` (counting `nc` per nonce) or the legacy form when the
/// challenge offers no qop, and rebuilds the request with CSeq + 1, a new branch, the same Call-ID.
public struct SIPDigestClient: Sendable {
    public var credentials: SIPCredentials
    private var nonceCounts: [String: UInt32] = [:]

    public init(credentials: SIPCredentials) {
        self.credentials = credentials
    }

    /// The Authorization (or Proxy-Authorization) field answering `challenge` for a request.
    public mutating func authorization(answering challenge: SIPDigestChallenge, method: SIPMethod, uri: String,
                                       body: [UInt8] = [], cnonce: String) -> SIPHeaderField {
        let qop: String? = challenge.qopOptions.contains("auth") ? "auth"
            : challenge.qopOptions.contains("auth-int") ? "auth-int" : nil
        var count: UInt32 = 1
        if qop != nil {
            count = (nonceCounts[challenge.nonce] ?? 0) &+ 1
            if nonceCounts.count > 16 { nonceCounts.removeAll() }
            nonceCounts[challenge.nonce] = count
        }
        let input = SIPDigest.Input(algorithm: challenge.algorithm, username: credentials.username, realm: challenge.realm,
                                    password: credentials.password, method: method.rawValue, uri: uri,
                                    nonce: challenge.nonce, qop: qop, nonceCount: count,
                                    cnonce: qop == nil && !challenge.algorithm.isSession ? nil : cnonce, body: body)
        var parameters: [SIPAuthenticationHeader.Parameter] = [
            .init(name: "username", value: credentials.username, isQuoted: true),
            .init(name: "realm", value: challenge.realm, isQuoted: true),
            .init(name: "nonce", value: challenge.nonce, isQuoted: true),
            .init(name: "uri", value: uri, isQuoted: true),
            .init(name: "response", value: SIPDigest.response(input), isQuoted: true),
            .init(name: "algorithm", value: challenge.algorithm.rawValue, isQuoted: false),
        ]
        if let cnonce = input.cnonce { parameters.append(.init(name: "cnonce", value: cnonce, isQuoted: true)) }
        if let opaque = challenge.opaque { parameters.append(.init(name: "opaque", value: opaque, isQuoted: true)) }
        if let qop {
            parameters.append(.init(name: "qop", value: qop, isQuoted: false))
            parameters.append(.init(name: "nc", value: SIPDigest.nonceCountText(count), isQuoted: false))
        }
        let header = SIPAuthenticationHeader(scheme: "Digest", parameters: parameters)
        return SIPHeaderField(name: challenge.isProxy ? .proxyAuthorization : .authorization, value: header.description)
    }

    /// `request` again after `response` (401/407) challenged it: CSeq + 1, top Via branch `branch`, the
    /// same Call-ID and tags, and credentials for each challenge (one per realm; older ones replaced).
    public mutating func authorizedRequest(retrying request: SIPMessage, after response: SIPMessage, branch: String,
                                           cnonce: String) throws(SIPError) -> SIPMessage {
        guard let code = response.statusCode, code == 401 || code == 407 else {
            throw .state("authorization", "response \(response.statusCode ?? 0) is not a challenge")
        }
        guard let method = request.method, let uri = request.requestURIText, var cseq = try request.cseq(),
              var via = try request.topVia() else { throw .malformed("request", "missing method, CSeq or Via") }
        let challenges = try SIPDigestChallenge.challenges(in: response)
        guard !challenges.isEmpty else { throw .unsupported("WWW-Authenticate", "no Digest challenge with MD5 or SHA-256") }
        var retry = request
        retry.remove(.authorization)
        retry.remove(.proxyAuthorization)
        var realms: Set<String> = []
        for challenge in challenges where realms.insert("\(challenge.isProxy)|\(challenge.realm)").inserted {
            retry.headers.append(authorization(answering: challenge, method: method, uri: uri, body: request.body,
                                               cnonce: cnonce))
        }
        cseq.sequence &+= 1
        retry.set(.cseq, cseq.description)
        via.parameters.set("branch", branch)
        try Self.replaceTopVia(in: &retry, with: via)
        return retry
    }

    static func replaceTopVia(in message: inout SIPMessage, with via: SIPVia) throws(SIPError) {
        var vias = try message.vias()
        guard !vias.isEmpty else { return }
        vias[0] = via
        let position = message.headers.firstIndex { $0.name == .via } ?? 0
        message.remove(.via)
        message.headers.insert(contentsOf: vias.map { SIPHeaderField(name: .via, value: $0.description) },
                               at: min(position, message.headers.count))
    }
}
