@testable import BridgeSIP
import BridgeCore
import Testing

/// Outbound calls from `SIPUserAgent` to a phone played by the test.
@Suite struct SIPUserAgentOutboundTests {
    static let phone = TransportAddress(ipv4: 192, 0, 2, 10, port: 5060)
    static let target = SIPURI(user: "bob", host: "192.0.2.10", port: 5060)
    static let offer = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n".utf8)

    static func start(_ agent: inout SIPUserAgent, credentials: SIPCredentials? = nil) throws -> (SIPCallReference, SIPMessage) {
        let reference = try agent.startCall(to: target, destination: phone, sdp: offer, credentials: credentials, now: .zero)
        let drained = SIPUserAgentTests.drain(&agent)
        let invite = try #require(drained.sent.first)
        #expect(invite.destination == phone && invite.message.method == .invite && invite.message.body == offer)
        try invite.message.validate()
        #expect(try invite.message.from()?.tag == reference.localTag && invite.message[.callID] == reference.callID)
        return (reference, invite.message)
    }

    static func response(to invite: SIPMessage, _ status: Int, body: [UInt8] = []) -> SIPMessage {
        var headers: [SIPHeaderField] = []
        if status > 100 {
            headers.append(SIPHeaderField(name: .contact, value: "<sip:bob@192.0.2.10:5062>"))
            headers.append(SIPHeaderField(name: .recordRoute, value: "<sip:192.0.2.99:5070;lr>"))
        }
        return SIPResponseBuilder.response(to: invite, status: status, toTag: "phone1", headers: headers, body: body)
    }

    @Test func answeredCallIsACKedAndHungUp() throws {
        var agent = SIPUserAgentTests.agent()
        let (reference, invite) = try Self.start(&agent)
        agent.handle(Self.response(to: invite, 100), from: Self.phone, now: .seconds(0.1))
        #expect(SIPUserAgentTests.drain(&agent).events.isEmpty)
        agent.handle(Self.response(to: invite, 180), from: Self.phone, now: .seconds(0.2))
        guard case .callProgress(reference, _)? = SIPUserAgentTests.drain(&agent).events.first else {
            Issue.record("no progress event"); return
        }
        let ok = Self.response(to: invite, 200, body: Array("v=0\r\n".utf8))
        agent.handle(ok, from: Self.phone, now: .seconds(1))
        let answered = SIPUserAgentTests.drain(&agent)
        #expect(answered.events == [.callAnswered(reference, response: ok), .callEstablished(reference)])
        let ack = try #require(answered.sent.first)
        #expect(ack.message.method == .ack && ack.message[.cseq] == "1 ACK")
        #expect(ack.destination == TransportAddress(ipv4: 192, 0, 2, 99, port: 5070), "to the first route")
        #expect(ack.message.requestURIText == "sip:bob@192.0.2.10:5062")
        #expect(ack.message[.route] == "<sip:192.0.2.99:5070;lr>")
        #expect(try ack.message.topVia()?.branch != (try invite.topVia()?.branch))
        // A retransmitted 2xx gets the same ACK again.
        agent.handle(ok, from: Self.phone, now: .seconds(1.5))
        #expect(SIPUserAgentTests.drain(&agent).sent.map(\.message) == [ack.message])
        try agent.hangUp(reference, now: .seconds(5))
        let bye = try #require(SIPUserAgentTests.drain(&agent).sent.first?.message)
        #expect(try bye.method == .bye && bye[.cseq] == "2 BYE" && (try bye.to()?.tag) == "phone1")
        agent.handle(SIPResponseBuilder.response(to: bye, status: 200), from: Self.phone, now: .seconds(5.1))
        #expect(SIPUserAgentTests.drain(&agent).events == [.callEnded(reference, reason: "hung up (BYE answered 200)")])
    }

    @Test func proxyChallengeIsAnsweredOnce() throws {
        var agent = SIPUserAgentTests.agent()
        let credentials = SIPCredentials(username: "gw", password: Redacted("pw"))
        let (reference, invite) = try Self.start(&agent, credentials: credentials)
        var server = SIPDigestServer(realm: "proxy", secret: Array(repeating: 5, count: 32))
        var challenge = SIPResponseBuilder.response(to: invite, status: 407, toTag: "px")
        challenge.headers.append(contentsOf: server.challenges(now: .zero, isProxy: true))
        agent.handle(challenge, from: Self.phone, now: .seconds(0.1))
        let drained = SIPUserAgentTests.drain(&agent)
        #expect(drained.sent.map { $0.message.method } == [.ack, .invite], "the transaction ACKs the 407")
        let retry = try #require(drained.sent.last?.message)
        #expect(retry[.cseq] == "2 INVITE" && retry[.callID] == invite[.callID] && retry.body == Self.offer)
        #expect(server.verify(retry, now: .seconds(1), isProxy: true) { _ in Redacted("pw") } == .authorized(username: "gw"))
        var again = SIPResponseBuilder.response(to: retry, status: 407, toTag: "px")
        again.headers.append(contentsOf: challenge.fields(.proxyAuthenticate))
        agent.handle(again, from: Self.phone, now: .seconds(0.2))
        #expect(SIPUserAgentTests.drain(&agent).events == [.callEnded(reference, reason: "authentication failed (407)")])
    }

    /// RFC 3261 section 9.1: CANCEL waits for a provisional response, then the INVITE ends with 487.
    @Test func hangUpBeforeAnswerCancels() throws {
        var agent = SIPUserAgentTests.agent()
        let (reference, invite) = try Self.start(&agent)
        try agent.hangUp(reference, now: .seconds(0.05))
        #expect(SIPUserAgentTests.drain(&agent).sent.isEmpty, "no CANCEL before a provisional response")
        agent.handle(Self.response(to: invite, 180), from: Self.phone, now: .seconds(0.2))
        let cancel = try #require(SIPUserAgentTests.drain(&agent).sent.first?.message)
        #expect(cancel.method == .cancel && cancel[.cseq] == "1 CANCEL" && cancel.requestURIText == invite.requestURIText)
        #expect(try cancel.topVia()?.branch == (try invite.topVia()?.branch) && (try cancel.to()?.tag) == nil)
        agent.handle(SIPResponseBuilder.response(to: cancel, status: 200, toTag: "phone1"), from: Self.phone, now: .seconds(0.3))
        agent.handle(Self.response(to: invite, 487), from: Self.phone, now: .seconds(0.4))
        let ended = SIPUserAgentTests.drain(&agent)
        #expect(ended.events == [.callEnded(reference, reason: "cancelled")])
        #expect(ended.sent.first?.message.method == .ack)
    }

    /// A phone that takes the CANCEL but never ends the INVITE: the call ends 64*T1 after the CANCEL.
    @Test func cancelWithoutFinalResponseEndsAfter64T1() throws {
        var agent = SIPUserAgentTests.agent()
        let (reference, invite) = try Self.start(&agent)
        agent.handle(Self.response(to: invite, 180), from: Self.phone, now: .seconds(1))
        try agent.hangUp(reference, now: .seconds(2))
        let cancel = try #require(SIPUserAgentTests.drain(&agent).sent.last?.message)
        agent.handle(SIPResponseBuilder.response(to: cancel, status: 200, toTag: "phone1"), from: Self.phone, now: .seconds(2.1))
        var events: [SIPUserAgent.Event] = []
        while let next = agent.nextTimeout(), next <= .seconds(100) {
            agent.handleTimeout(now: next)
            events += SIPUserAgentTests.drain(&agent).events
        }
        #expect(events == [.callEnded(reference, reason: "cancelled (no final response)")])
        #expect(agent.activeCallCount == 0)
    }

    @Test func busyAndNoAnswer() throws {
        var agent = SIPUserAgentTests.agent()
        let (busy, invite) = try Self.start(&agent)
        agent.handle(Self.response(to: invite, 486), from: Self.phone, now: .seconds(1))
        #expect(SIPUserAgentTests.drain(&agent).events == [.callEnded(busy, reason: "rejected with 486")])
        let silent = try agent.startCall(to: Self.target, destination: Self.phone, sdp: Self.offer, now: .seconds(2))
        var ended: [SIPUserAgent.Event] = []
        while let next = agent.nextTimeout(), next <= .seconds(100) {
            agent.handleTimeout(now: next)
            ended += SIPUserAgentTests.drain(&agent).events
        }
        #expect(ended == [.callEnded(silent, reason: "no answer to the INVITE")])
    }

    /// The callee hangs up an outbound call.
    @Test func remoteByeOnOutboundCall() throws {
        var agent = SIPUserAgentTests.agent()
        let (reference, invite) = try Self.start(&agent)
        agent.handle(Self.response(to: invite, 200, body: Array("v=0\r\n".utf8)), from: Self.phone, now: .seconds(1))
        _ = SIPUserAgentTests.drain(&agent)
        var bye = SIPMessage.request(.bye, uri: SIPUserAgentTests.agent().configuration.contact)
        bye.append(.via, "SIP/2.0/UDP 192.0.2.10:5062;branch=z9hG4bKbye")
        bye.append(.from, "<sip:bob@192.0.2.10:5060>;tag=phone1")
        bye.append(.to, try #require(invite[.from]))
        bye.append(.callID, reference.callID)
        bye.append(.cseq, "7 BYE")
        agent.handle(bye, from: Self.phone, now: .seconds(2))
        let drained = SIPUserAgentTests.drain(&agent)
        #expect(drained.sent.first?.message.statusCode == 200)
        #expect(drained.events == [.callEnded(reference, reason: "remote hung up")])
    }
}
