@testable import BridgeSIP
import BridgeCore
import Testing

/// The server side of Digest against hostile clients (issue #13): replayed nonce counts, responses without
/// qop, both algorithms offered, and the bounded nonce-count table.
@Suite struct SIPDigestServerTests {
    static func password(_ user: String) -> Redacted? { user == "1001" ? SIPDigestTests.credentials.password : nil }

    static func server(trackedNonces: Int = 4096) -> SIPDigestServer {
        SIPDigestServer(realm: "pbx.example.com", secret: Array(repeating: 9, count: 32), trackedNonces: trackedNonces)
    }

    /// A REGISTER answering `server`'s challenge, from a client of its own.
    static func answered(_ server: inout SIPDigestServer, now: MonotonicInstant, client: inout SIPDigestClient) throws -> SIPMessage {
        let request = SIPDigestTests.register()
        let challenge = SIPResponseBuilder.response(to: request, status: 401, toTag: "s", headers: server.challenges(now: now))
        return try client.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bKa", cnonce: "c0ffee")
    }

    @Test func replayedResponseIsRefusedAndTheNextCountAccepted() throws {
        var server = Self.server()
        var client = SIPDigestClient(credentials: SIPDigestTests.credentials)
        let request = SIPDigestTests.register()
        let challenge = SIPResponseBuilder.response(to: request, status: 401, toTag: "s", headers: server.challenges(now: .seconds(10)))
        let first = try client.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bKa", cnonce: "c0ffee")
        #expect(server.verify(first, now: .seconds(11), password: Self.password) == .authorized(username: "1001"))
        #expect(server.verify(first, now: .seconds(12), password: Self.password) == .refused, "the same nc again is a replay")
        let second = try client.authorizedRequest(retrying: first, after: challenge, branch: "z9hG4bKb", cnonce: "c0ffee")
        #expect(try second.authenticationHeaders(.authorization).first?["nc"] == "00000002")
        #expect(server.verify(second, now: .seconds(13), password: Self.password) == .authorized(username: "1001"))
        #expect(server.verify(first, now: .seconds(14), password: Self.password) == .refused, "a lower nc after a higher one")
    }

    /// Every challenge has a nonce of its own, so two clients challenged in the same second both start at nc=1.
    @Test func noncesDifferWithinOneSecond() throws {
        var server = Self.server()
        var alice = SIPDigestClient(credentials: SIPDigestTests.credentials)
        var bob = SIPDigestClient(credentials: SIPDigestTests.credentials)
        let first = try Self.answered(&server, now: .seconds(20), client: &alice)
        let second = try Self.answered(&server, now: .seconds(20), client: &bob)
        #expect(try first.authenticationHeaders(.authorization).first?["nonce"] != (try second.authenticationHeaders(.authorization).first?["nonce"]))
        #expect(server.verify(first, now: .seconds(20), password: Self.password) == .authorized(username: "1001"))
        #expect(server.verify(second, now: .seconds(20), password: Self.password) == .authorized(username: "1001"))
    }

    /// RFC 2069 form (no qop, so no nc) answering one of our nonces: refused, even with the right password.
    @Test func responseWithoutQopIsRefused() throws {
        var server = Self.server()
        let request = SIPDigestTests.register()
        let offered = try SIPDigestChallenge.challenges(in: SIPResponseBuilder.response(to: request, status: 401,
                                                                                       headers: server.challenges(now: .seconds(5))))
        let nonce = try #require(offered.first?.nonce)
        var legacy = SIPMessage.response(401)
        legacy.append(.wwwAuthenticate, "Digest realm=\"pbx.example.com\", nonce=\"\(nonce)\", algorithm=MD5")
        var client = SIPDigestClient(credentials: SIPDigestTests.credentials)
        let retry = try client.authorizedRequest(retrying: request, after: legacy, branch: "z9hG4bKq", cnonce: "c")
        #expect(try retry.authenticationHeaders(.authorization).first?["qop"] == nil)
        #expect(server.verify(retry, now: .seconds(6), password: Self.password) == .refused)
    }

    /// Two challenges, MD5 first (for clients that read only the first) then SHA-256, one nonce; a response in either algorithm is accepted.
    @Test func offersMD5ThenSHA256AndAcceptsEither() throws {
        var server = Self.server()
        let request = SIPDigestTests.register()
        let fields = server.challenges(now: .seconds(30), isProxy: true)
        #expect(fields.map(\.name) == [.proxyAuthenticate, .proxyAuthenticate])
        let challenge = SIPResponseBuilder.response(to: request, status: 407, toTag: "s", headers: fields)
        let offered = try SIPDigestChallenge.challenges(in: challenge)
        #expect(fields.map { $0.value.contains("algorithm=MD5") } == [true, false])
        #expect(Set(offered.map(\.algorithm)) == [.md5, .sha256])
        #expect(offered.allSatisfy { $0.qopOptions == ["auth"] && $0.nonce == offered.first?.nonce })
        var strongest = SIPDigestClient(credentials: SIPDigestTests.credentials)
        let sha = try strongest.authorizedRequest(retrying: request, after: challenge, branch: "z9hG4bK1", cnonce: "a")
        #expect(try sha.authenticationHeaders(.proxyAuthorization).map { $0["algorithm"] } == ["SHA-256"])
        #expect(server.verify(sha, now: .seconds(31), isProxy: true, password: Self.password) == .authorized(username: "1001"))
        // An old phone that knows only MD5 reads the first challenge alone.
        var md5Only = SIPMessage.response(407)
        md5Only.headers.append(fields[0])
        var old = SIPDigestClient(credentials: SIPDigestTests.credentials)
        let md5 = try old.authorizedRequest(retrying: request, after: md5Only, branch: "z9hG4bK2", cnonce: "b")
        #expect(try md5.authenticationHeaders(.proxyAuthorization).map { $0["algorithm"] } == ["MD5"])
        // Same nonce as the SHA-256 answer, whose nc was 1: this one counts 1 as well, so it is a replay of the nonce.
        #expect(server.verify(md5, now: .seconds(31), isProxy: true, password: Self.password) == .refused)
        var fresh = Self.server()
        var md5Fresh = SIPMessage.response(407)
        md5Fresh.headers.append(fresh.challenges(now: .seconds(30), isProxy: true)[0])
        let again = try old.authorizedRequest(retrying: request, after: md5Fresh, branch: "z9hG4bK3", cnonce: "b")
        #expect(fresh.verify(again, now: .seconds(31), isProxy: true, password: Self.password) == .authorized(username: "1001"))
        var md5Server = SIPDigestServer(realm: "pbx.example.com", secret: Array(repeating: 9, count: 32), algorithms: [.md5])
        #expect(md5Server.verify(sha, now: .seconds(31), isProxy: true, password: Self.password) == .refused, "SHA-256 not offered")
    }

    /// At most `trackedNonces` entries; a nonce whose entry was dropped is answered stale (a fresh nonce), never
    /// accepted again.
    @Test func nonceCountTableIsBounded() throws {
        var server = Self.server(trackedNonces: 2)
        var clients = (0..<3).map { _ in SIPDigestClient(credentials: SIPDigestTests.credentials) }
        var requests: [SIPMessage] = []
        for index in clients.indices {
            let request = try Self.answered(&server, now: .seconds(40), client: &clients[index])
            #expect(server.verify(request, now: .seconds(41), password: Self.password) == .authorized(username: "1001"))
            requests.append(request)
        }
        #expect(server.verify(requests[0], now: .seconds(42), password: Self.password) == .stale)
        #expect(server.verify(requests[2], now: .seconds(42), password: Self.password) == .refused)
        var table = SIPNonceCounts(capacity: 2)
        for serial in 1...100 as ClosedRange<UInt64> {
            _ = table.record(serial: serial, issued: .seconds(Double(serial)), count: 1, lifetime: .seconds(300), now: .seconds(100))
        }
        #expect(table.count == 2)
        #expect(table.record(serial: 1, issued: .seconds(1), count: 2, lifetime: .seconds(300), now: .seconds(100)) == .forgotten)
        #expect(table.record(serial: 100, issued: .seconds(100), count: 1, lifetime: .seconds(300), now: .seconds(100)) == .replayed)
    }
}
