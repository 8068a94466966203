@testable import BridgeSIP
import BridgeCore
import Testing

/// Re-INVITEs from the gateway (hold and resume from the browser) in a call baresip started.
@Suite struct SIPUserAgentReofferTests {
    static let hold = Array("v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=sendonly\r\n".utf8)

    /// An inbound call from baresip, answered and ACKed.
    static func establishedCall(_ agent: inout SIPUserAgent) throws -> SIPCallReference {
        let (id, _) = try SIPUserAgentTests.incoming(&agent)
        try agent.answer(id, sdp: Array("v=0\r\n".utf8), now: .zero)
        _ = SIPUserAgentTests.drain(&agent)
        agent.handle(SIPUserAgentTests.fromPhone(.ack, cseq: 56643, id: id, branch: "z9hG4bKack"), from: SIPUserAgentTests.baresip, now: .seconds(0.1))
        _ = SIPUserAgentTests.drain(&agent)
        return id
    }

    @Test func holdIsAnsweredAndACKedAndAGlareRefusalKeepsTheCall() throws {
        var agent = SIPUserAgentTests.agent()
        let id = try Self.establishedCall(&agent)
        try agent.reoffer(id, sdp: Self.hold, now: .seconds(1))
        let invite = try #require(SIPUserAgentTests.drain(&agent).sent.first)
        #expect(invite.message.method == .invite && invite.destination == SIPUserAgentTests.baresip)
        #expect(invite.message[.cseq] == "1 INVITE" && invite.message.body == Self.hold)
        #expect(try invite.message.to()?.tag == SIPUserAgentTests.remoteTag && (try invite.message.from()?.tag) == id.localTag)
        #expect(invite.message[.contact] != nil, "a re-INVITE carries our Contact")
        #expect(throws: SIPError.self) { try agent.reoffer(id, sdp: Self.hold, now: .seconds(1.1)) }

        let answer = Array("v=0\r\na=recvonly\r\n".utf8)
        let ok = SIPResponseBuilder.response(to: invite.message, status: 200, toTag: SIPUserAgentTests.remoteTag, body: answer)
        agent.handle(ok, from: SIPUserAgentTests.baresip, now: .seconds(1.2))
        let answered = SIPUserAgentTests.drain(&agent)
        #expect(answered.events == [.reofferAnswered(id, response: ok)])
        let ack = try #require(answered.sent.first)
        #expect(ack.message.method == .ack && ack.message[.cseq] == "1 ACK")
        // The 2xx again: the same ACK, no second event.
        agent.handle(ok, from: SIPUserAgentTests.baresip, now: .seconds(1.7))
        let again = SIPUserAgentTests.drain(&agent)
        #expect(again.events.isEmpty && again.sent.map(\.message) == [ack.message])

        // Resume crosses the phone's own re-INVITE: 491, and the call stays.
        try agent.reoffer(id, sdp: Array("v=0\r\na=sendrecv\r\n".utf8), now: .seconds(5))
        let resume = try #require(SIPUserAgentTests.drain(&agent).sent.first)
        #expect(resume.message[.cseq] == "2 INVITE")
        agent.handle(SIPResponseBuilder.response(to: resume.message, status: 491, toTag: SIPUserAgentTests.remoteTag),
                     from: SIPUserAgentTests.baresip, now: .seconds(5.1))
        let refused = SIPUserAgentTests.drain(&agent)
        #expect(refused.events == [.reofferRejected(id, status: 491)])
        #expect(refused.sent.map { $0.message.method } == [.ack], "the transaction ACKs a non-2xx final response")
        #expect(agent.activeCallCount == 1)
        try agent.reoffer(id, sdp: Array("v=0\r\na=sendrecv\r\n".utf8), now: .seconds(8))
        #expect(SIPUserAgentTests.drain(&agent).sent.first?.message[.cseq] == "3 INVITE")
    }

    @Test func aReInviteThatNeverGetsAnAnswerEndsTheCall() throws {
        var agent = SIPUserAgentTests.agent()
        let id = try Self.establishedCall(&agent)
        try agent.reoffer(id, sdp: Self.hold, now: .seconds(1))
        _ = SIPUserAgentTests.drain(&agent)
        var now = MonotonicInstant.seconds(1)
        var drained = SIPUserAgentTests.Drained()
        for _ in 0..<100 where !drained.events.contains(.reofferRejected(id, status: 408)) {
            guard let deadline = agent.nextTimeout() else { break }
            now = deadline
            agent.handleTimeout(now: now)
            drained = SIPUserAgentTests.drain(&agent)
        }
        #expect(drained.events.contains(.reofferRejected(id, status: 408)))
        #expect(drained.sent.contains { $0.message.method == .bye }, "a dialog in doubt ends with a BYE")
    }
}
