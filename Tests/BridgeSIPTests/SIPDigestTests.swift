@testable import BridgeSIP
import BridgeCore
import Testing

@Suite struct SIPDigestTests {
    /// RFC 2617 section 3.5: Mufasa / Circle Of Life.
    @Test func rfc2617Section3_5() {
        let response = SIPDigest.response(SIPDigest.Input(
            algorithm: .md5, username: "Mufasa", realm: "testrealm@host.com", password: Redacted("Circle Of Life"),
            method: "GET", uri: "/dir/index.html", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093", qop: "auth",
            nonceCount: 1, cnonce: "0a4f113b"))
        #expect(response == "6629fae49393a05397450978507c4ef1")
    }

    /// RFC 7616 section 3.9.1, once per algorithm.
    @Test(arguments: [
        (SIPDigestAlgorithm.md5, "8ca523f5e9506fed4657c9700eebdbec"),
        (.sha256, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ])
    func rfc7616Section3_9_1(algorithm: SIPDigestAlgorithm, expected: String) {
        let response = SIPDigest.response(SIPDigest.Input(
            algorithm: algorithm, username: "Mufasa", realm: "http-auth@example.org", password: Redacted("Circle of Life"),
            method: "GET", uri: "/dir/index.html", nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", qop: "auth",
            nonceCount: 1, cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"))
        #expect(response == expected)
    }

    static func register() -> SIPMessage {
        var message = SIPMessage.request(.register, uri: SIPURI(host: "pbx.example.com"))
        message.append(.via, "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKreg1;rport")
        message.append(.maxForwards, "70")
        message.append(.from, "<sip:1001@pbx.example.com>;tag=r1")
        message.append(.to, "<sip:1001@pbx.example.com>")
        message.append(.callID, "reg-1@192.0.2.1")
        message.append(.cseq, "1 REGISTER")
        message.append(.contact, "<sip:1001@192.0.2.1:5060>;expires=600")
        return message
    }

    static let credentials = SIPCredentials(username: "1001", password: Redacted("s3cret"))

    /// The client answers the server's challenge; the server accepts it; CSeq + 1, same Call-ID, new branch.
    @Test(arguments: [SIPDigestAlgorithm.md5, .sha256])
    func clientAndServerAgree(algorithm: SIPDigestAlgorithm) throws {
        var server = SIPDigestServer(realm: "pbx.example.com", secret: Array(repeating: 7, count: 32), algorithms: [algorithm])
        let request = Self.register()
        #expect(server.verify(request, now: .seconds(100)) { _ in Self.credentials.password } == .missing)
        let challenge = SIPResponseBuilder.response(to: request, status: 401, toTag: "s",
                                                    headers: server.challenges(now: .seconds(100)))
        var client = SIPDigestClient(credentials: Self.credentials)
        let retry = try client.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bKreg2", cnonce: "c0ffee")
        #expect(try retry.cseq() == SIPCSeq(2, .register))
        #expect(retry[.callID] == request[.callID])
        #expect(try retry.topVia()?.branch == "z9hG4bKreg2" && (try retry.topVia()?.rport) == .requested)
        let authorization = try #require(try retry.authenticationHeaders(.authorization).first)
        #expect(authorization["nc"] == "00000001" && authorization["qop"] == "auth" && authorization["cnonce"] == "c0ffee")
        #expect(authorization["algorithm"] == algorithm.rawValue && authorization["uri"] == "sip:pbx.example.com")
        let lookup: (String) -> Redacted? = { $0 == "1001" ? Self.credentials.password : nil }
        #expect(server.verify(retry, now: .seconds(101), password: lookup) == .authorized(username: "1001"))
        #expect(server.verify(retry, now: .seconds(101)) { _ in Redacted("wrong") } == .refused)
        #expect(server.verify(retry, now: .seconds(500), password: lookup) == .stale)
        var elsewhere = retry
        elsewhere.startLine = .request(method: .register, uri: "sip:other.example.com")
        #expect(server.verify(elsewhere, now: .seconds(101), password: lookup) == .refused, "credentials for another URI")
        // The same nonce again counts up.
        let second = try client.authorizedRequest(retrying: retry, after: challenge, branch: "z9hG4bKreg3", cnonce: "c0ffee")
        #expect(try second.authenticationHeaders(.authorization).count == 1)
        #expect(try second.authenticationHeaders(.authorization).first?["nc"] == "00000002")
        #expect(try second.cseq()?.sequence == 3)
        #expect(!retry.redactedText.contains("response="))
    }

    @Test func forgedNonceIsRefused() throws {
        var server = SIPDigestServer(realm: "r", secret: Array(repeating: 1, count: 32))
        var other = SIPDigestServer(realm: "r", secret: Array(repeating: 2, count: 32))
        let request = Self.register()
        let challenge = SIPResponseBuilder.response(to: request, status: 401, headers: other.challenges(now: .zero))
        var client = SIPDigestClient(credentials: Self.credentials)
        let retry = try client.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bKx", cnonce: "a")
        #expect(server.verify(retry, now: .zero) { _ in Self.credentials.password } == .refused)
    }

    /// RFC 2069 style (no qop; gst-rtsp-server and old PBXs): no cnonce, no nc.
    @Test func legacyChallengeWithoutQop() throws {
        let request = Self.register()
        var challenge = SIPMessage.response(407)
        challenge.append(.proxyAuthenticate, "Digest realm=\"proxy\", nonce=\"abc\"")
        var client = SIPDigestClient(credentials: Self.credentials)
        let retry = try client.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bKy", cnonce: "c")
        let header = try #require(try retry.authenticationHeaders(.proxyAuthorization).first)
        #expect(header["qop"] == nil && header["nc"] == nil && header["cnonce"] == nil)
        let expected = SIPDigest.response(SIPDigest.Input(algorithm: .md5, username: "1001", realm: "proxy",
                                                          password: Redacted("s3cret"), method: "REGISTER",
                                                          uri: "sip:pbx.example.com", nonce: "abc"))
        #expect(header["response"] == expected)
    }

    @Test func strongestChallengeFirstAndUnknownSchemesSkipped() throws {
        var challenge = SIPMessage.response(401)
        challenge.append(.wwwAuthenticate, "Basic realm=\"x\"")
        challenge.append(.wwwAuthenticate, "Digest realm=\"r\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"")
        challenge.append(.wwwAuthenticate, "Digest realm=\"r\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth\"")
        let challenges = try SIPDigestChallenge.challenges(in: challenge)
        #expect(challenges.map(\.algorithm) == [.sha256, .md5])
        var client = SIPDigestClient(credentials: Self.credentials)
        let retry = try client.authorizedRequest(retrying: Self.register(), after: challenge, branch: "z9hG4bKz", cnonce: "c")
        #expect(try retry.authenticationHeaders(.authorization).map { $0["algorithm"] } == ["SHA-256"])
        var basicOnly = SIPMessage.response(401)
        basicOnly.append(.wwwAuthenticate, "Basic realm=\"x\"")
        #expect(throws: SIPError.self) {
            try client.authorizedRequest(retrying: Self.register(), after: basicOnly, branch: "z9hG4bKw", cnonce: "c")
        }
    }

    @Test func credentialsNeverPrintThePassword() {
        #expect(!"\(Self.credentials)".contains("s3cret"))
        #expect(!String(reflecting: Self.credentials).contains("s3cret"))
    }
}
