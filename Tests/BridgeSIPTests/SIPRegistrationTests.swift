@testable import BridgeSIP
import BridgeCore
import Testing

@Suite struct SIPRegistrationTests {
    static func registration(credentials: SIPCredentials? = SIPDigestTests.credentials) -> SIPRegistration {
        let configuration = SIPRegistration.Configuration(
            registrar: SIPURI(host: "pbx.example.com"), addressOfRecord: SIPURI(user: "1001", host: "pbx.example.com"),
            contact: SIPURI(user: "1001", host: "192.0.2.1", port: 5060), credentials: credentials, expires: 600,
            via: SIPVia(transport: "UDP", host: "192.0.2.1", port: 5060))
        var random = SIPSeededRandom(seed: 1)
        return SIPRegistration(configuration: configuration, callID: SIPCallID.random(using: &random),
                               localTag: "t1", seed: 42)
    }

    static func sent(_ registration: inout SIPRegistration) -> [SIPMessage] {
        var result: [SIPMessage] = []
        while let output = registration.pollOutput() {
            if case .send(let message) = output { result.append(message) }
        }
        return result
    }

    @Test func registersThroughAChallengeAndRefreshesAtHalfTheInterval() throws {
        var registration = Self.registration()
        var server = SIPDigestServer(realm: "pbx.example.com", secret: Array(repeating: 3, count: 32))
        registration.start(now: .zero)
        let first = try #require(Self.sent(&registration).first)
        try first.validate()
        #expect(first[.cseq] == "1 REGISTER" && first[.expires] == "600")
        #expect(try first.topVia()?.rport == .requested && (try first.topVia()?.hasRFC3261Branch) == true)
        registration.handle(response: SIPResponseBuilder.response(to: first, status: 401, toTag: "s",
                                                                  headers: server.challenges(now: .zero)), now: .seconds(0.1))
        let second = try #require(Self.sent(&registration).first)
        #expect(second[.cseq] == "2 REGISTER" && second[.callID] == first[.callID])
        #expect(try second.topVia()?.branch != (try first.topVia()?.branch))
        #expect(server.verify(second, now: .seconds(0.2)) { _ in Redacted("s3cret") } == .authorized(username: "1001"))
        var ok = SIPResponseBuilder.response(to: second, status: 200, toTag: "s")
        ok.append(.contact, "<sip:1001@192.0.2.1:5060>;expires=300, <sip:1001@198.51.100.1>;expires=50")
        registration.handle(response: ok, now: .seconds(1))
        var events: [SIPRegistration.Output] = []
        while let output = registration.pollOutput() { events.append(output) }
        #expect(events == [.registered(expires: 300)])
        #expect(registration.nextTimeout() == .seconds(151))
        registration.handleTimeout(now: .seconds(151))
        let refresh = try #require(Self.sent(&registration).first)
        #expect(refresh[.cseq] == "3 REGISTER" && refresh[.callID] == first[.callID])
    }

    @Test func refusedCredentialsBackOff() throws {
        var registration = Self.registration()
        registration.start(now: .zero)
        let first = try #require(Self.sent(&registration).first)
        var challenge = SIPResponseBuilder.response(to: first, status: 401)
        challenge.append(.wwwAuthenticate, "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"")
        registration.handle(response: challenge, now: .zero)
        let second = try #require(Self.sent(&registration).first)
        var again = SIPResponseBuilder.response(to: second, status: 401)
        again.append(.wwwAuthenticate, "Digest realm=\"r\", nonce=\"n1\", qop=\"auth\"")
        registration.handle(response: again, now: .seconds(1))
        #expect(Self.sent(&registration).isEmpty, "the same nonce is not answered twice")
        #expect(registration.nextTimeout() == .seconds(31))
        registration.handleTimeout(now: .seconds(31))
        let third = try #require(Self.sent(&registration).first)
        registration.handleTransactionFailure(now: .seconds(63))
        #expect(registration.nextTimeout() == .seconds(123), "second failure waits 60 s")
        #expect(third[.cseq] == "3 REGISTER")
    }

    @Test func intervalTooBriefAndUnregister() throws {
        var registration = Self.registration(credentials: nil)
        registration.start(now: .zero)
        let first = try #require(Self.sent(&registration).first)
        var brief = SIPResponseBuilder.response(to: first, status: 423)
        brief.append(.minExpires, "1800")
        registration.handle(response: brief, now: .zero)
        let second = try #require(Self.sent(&registration).first)
        #expect(second[.expires] == "1800")
        var ok = SIPResponseBuilder.response(to: second, status: 200)
        ok.append(.expires, "1800")
        registration.handle(response: ok, now: .zero)
        #expect(registration.nextTimeout() == .seconds(900))
        registration.stop(now: .seconds(10))
        let remove = try #require(Self.sent(&registration).first)
        #expect(remove[.expires] == "0")
        registration.handle(response: SIPResponseBuilder.response(to: remove, status: 200), now: .seconds(11))
        #expect(registration.pollOutput() == .unregistered)
        #expect(registration.state == .stopped && registration.nextTimeout() == nil)
    }
}
