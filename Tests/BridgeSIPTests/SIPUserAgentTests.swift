@testable import BridgeSIP
import BridgeCore
import Testing

/// Inbound calls end to end on a manual clock, with the baresip INVITE as the caller.
@Suite struct SIPUserAgentTests {
    static let baresip = TransportAddress(ipv4: 127, 0, 0, 1, port: 5070)
    /// baresip's From tag in the captured INVITE.
    static let remoteTag = "ad8c0a43929b6a97"

    static func agent() -> SIPUserAgent {
        SIPUserAgent(configuration: SIPUserAgent.Configuration(
            contact: SIPURI(user: "gw", host: "127.0.0.1", port: 5090),
            via: SIPVia(transport: "UDP", host: "127.0.0.1", port: 5090), userAgent: "mediabridge"), seed: 9)
    }

    struct Drained {
        var sent: [SIPOutgoingMessage] = []
        var events: [SIPUserAgent.Event] = []
    }

    static func drain(_ agent: inout SIPUserAgent) -> Drained {
        var drained = Drained()
        while let event = agent.pollOutput() {
            if case .send(let outgoing) = event { drained.sent.append(outgoing) } else { drained.events.append(event) }
        }
        return drained
    }

    static func incoming(_ agent: inout SIPUserAgent) throws -> (SIPCallReference, SIPMessage) {
        agent.handle(bytes: SIPFixtures.bytes("baresip-invite.sip"), from: baresip, now: .zero)
        let drained = drain(&agent)
        #expect(drained.sent.map { $0.message.statusCode } == [100])
        guard case .incomingCall(let id, let invite, let source)? = drained.events.first else {
            throw SIPError.state("test", "no incoming call")
        }
        #expect(source == baresip && id.callID == "7c6bd727703d3620")
        return (id, invite)
    }

    /// Phone's side as a message: an in-dialog request from baresip.
    static func fromPhone(_ method: SIPMethod, cseq: UInt32, id: SIPCallReference, branch: String,
                          remoteTag: String = SIPUserAgentTests.remoteTag) -> SIPMessage {
        var request = SIPMessage.request(method, uri: SIPURI(user: "gw", host: "127.0.0.1", port: 5090))
        request.append(.via, "SIP/2.0/UDP 127.0.0.1:5070;branch=\(branch);rport")
        request.append(.maxForwards, "70")
        request.append(.from, "<sip:mediabridge@127.0.0.1>;tag=\(remoteTag)")
        request.append(.to, "<sip:test@127.0.0.1:5090>;tag=\(id.localTag)")
        request.append(.callID, id.callID)
        request.append(.cseq, "\(cseq) \(method)")
        return request
    }

    @Test func lateOfferAnswerInACKAndReInvite() throws {
        var agent = Self.agent()
        var invite = SIPMessage(startLine: .request(method: .invite, uri: "sip:gw@127.0.0.1:5090"))
        invite.headers = try SIPMessage(parsing: SIPFixtures.bytes("baresip-invite.sip")).headers
            .filter { $0.name != .contentType && $0.name != .contentLength }
        agent.handle(invite, from: Self.baresip, now: .zero)
        guard case .incomingCall(let id, let received, _)? = Self.drain(&agent).events.first else {
            Issue.record("no incoming call")
            return
        }
        #expect(received.body.isEmpty)
        let offer = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n".utf8)
        try agent.answer(id, sdp: offer, now: .seconds(1))
        #expect(Self.drain(&agent).sent.first?.message.body == offer)
        var ack = Self.fromPhone(.ack, cseq: 56643, id: id, branch: "z9hG4bKack")
        ack.append(.contentType, "application/sdp")
        ack.body = Array("v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n".utf8)
        agent.handle(ack, from: Self.baresip, now: .seconds(2))
        let acked = Self.drain(&agent).events
        guard acked.count == 2, case .answerInACK(id, let received)? = acked.first, acked.last == .callEstablished(id) else {
            Issue.record("events after the ACK: \(acked)")
            return
        }
        #expect(received.body == ack.body)
        var reinvite = Self.fromPhone(.invite, cseq: 56644, id: id, branch: "z9hG4bKreinvite")
        reinvite.append(.contact, "<sip:mediabridge@127.0.0.1:5070>")
        agent.handle(reinvite, from: Self.baresip, now: .seconds(3))
        let answered = Self.drain(&agent)
        #expect(answered.sent.last?.message.statusCode == 200)
        #expect(answered.sent.last?.message.body == offer)
        guard answered.events.count == 1, case .callReoffered(id, let invite)? = answered.events.first else {
            Issue.record("events after the re-INVITE: \(answered.events)")
            return
        }
        #expect(invite[.cseq] == "56644 INVITE")
    }

    /// The phone holds (`sendonly`), then resumes (`sendrecv`): each 200 answers with the matching direction
    /// and a new `o=` version; the same offer again keeps the version (RFC 3264 section 8).
    @Test func holdAndResumeReInvitesAreAnsweredWithTheMatchingDirection() throws {
        var agent = Self.agent()
        let (id, _) = try Self.incoming(&agent)
        let ours = Array("v=0\r\no=- 7 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=sendrecv\r\n".utf8)
        try agent.answer(id, sdp: ours, now: .seconds(1))
        agent.handle(Self.fromPhone(.ack, cseq: 56643, id: id, branch: "z9hG4bKack"), from: Self.baresip, now: .seconds(2))
        _ = Self.drain(&agent)
        func reinvite(_ cseq: UInt32, _ direction: String) -> String {
            var request = Self.fromPhone(.invite, cseq: cseq, id: id, branch: "z9hG4bKre\(cseq)")
            request.append(.contact, "<sip:mediabridge@127.0.0.1:5070>")
            request.append(.contentType, "application/sdp")
            request.body = Array("v=0\r\no=- 2 \(cseq) IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\na=\(direction)\r\n".utf8)
            agent.handle(request, from: Self.baresip, now: .seconds(Double(cseq - 56640)))
            let sent = Self.drain(&agent).sent.last?.message
            #expect(sent?.statusCode == 200)
            return String(decoding: sent?.body ?? [], as: UTF8.self)
        }
        let held = reinvite(56644, "sendonly")
        #expect(held.contains("a=recvonly") && !held.contains("a=sendrecv") && held.contains("o=- 7 2 "), "\(held)")
        let resumed = reinvite(56645, "sendrecv")
        #expect(resumed.contains("a=sendrecv") && !resumed.contains("a=recvonly") && resumed.contains("o=- 7 3 "), "\(resumed)")
        let refreshed = reinvite(56646, "sendrecv")
        #expect(refreshed == resumed)
        #expect(reinvite(56647, "inactive").contains("a=inactive"))
    }

    @Test func ringAnswerACKThenRemoteBye() throws {
        var agent = Self.agent()
        let (id, _) = try Self.incoming(&agent)
        try agent.ring(id, now: .seconds(0.1))
        let ringing = try #require(Self.drain(&agent).sent.first)
        #expect(ringing.message.statusCode == 180 && ringing.destination == Self.baresip)
        #expect(try ringing.message.to()?.tag == id.localTag && ringing.message[.contact] == "<sip:gw@127.0.0.1:5090>")
        let sdp = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\n".utf8)
        try agent.answer(id, sdp: sdp, now: .seconds(1))
        let ok = try #require(Self.drain(&agent).sent.first?.message)
        #expect(ok.statusCode == 200 && ok.body == sdp && ok[.contentType] == "application/sdp")
        #expect(ok[.via]?.contains("rport=5070;received=127.0.0.1") == true)
        // Resent until the ACK.
        agent.handleTimeout(now: .seconds(1.5))
        #expect(Self.drain(&agent).sent.map { $0.message.statusCode } == [200])
        agent.handle(Self.fromPhone(.ack, cseq: 56643, id: id, branch: "z9hG4bKack"), from: Self.baresip, now: .seconds(2))
        #expect(Self.drain(&agent).events == [.callEstablished(id)])
        agent.handleTimeout(now: .seconds(2.5))
        #expect(Self.drain(&agent).sent.isEmpty)
        // INFO, a stale CSeq, then BYE.
        agent.handle(Self.fromPhone(.info, cseq: 56644, id: id, branch: "z9hG4bKinfo"), from: Self.baresip, now: .seconds(3))
        let info = Self.drain(&agent)
        #expect(info.sent.first?.message.statusCode == 200)
        guard case .infoReceived(id, _)? = info.events.first else { Issue.record("no INFO event"); return }
        agent.handle(Self.fromPhone(.bye, cseq: 56644, id: id, branch: "z9hG4bKbye0"), from: Self.baresip, now: .seconds(4))
        #expect(Self.drain(&agent).sent.first?.message.statusCode == 500)
        agent.handle(Self.fromPhone(.bye, cseq: 56645, id: id, branch: "z9hG4bKbye1"), from: Self.baresip, now: .seconds(5))
        let bye = Self.drain(&agent)
        #expect(bye.sent.first?.message.statusCode == 200)
        #expect(bye.events == [.callEnded(id, reason: "remote hung up")])
        #expect(agent.activeCallCount == 0)
    }

    @Test func cancelBeforeAnswerGets487() throws {
        var agent = Self.agent()
        let (id, invite) = try Self.incoming(&agent)
        try agent.ring(id, now: .seconds(0.1))
        _ = Self.drain(&agent)
        var cancel = SIPMessage.request(.cancel, uri: try #require(try invite.requestURI()))
        for name in [SIPHeaderName.via, .from, .to, .callID] { cancel.append(name, try #require(invite[name])) }
        cancel.append(.cseq, "56643 CANCEL")
        cancel.append(.maxForwards, "70")
        agent.handle(cancel, from: Self.baresip, now: .seconds(2))
        let drained = Self.drain(&agent)
        #expect(drained.sent.map { $0.message.statusCode } == [200, 487])
        #expect(drained.sent.allSatisfy { (try? $0.message.to()?.tag) == id.localTag })
        #expect(drained.events == [.callCancelled(id)])
        #expect(throws: SIPError.self) { try agent.answer(id, sdp: [1], now: .seconds(2)) }
        // The ACK for the 487 is absorbed by the transaction.
        var ack = SIPMessage.request(.ack, uri: try #require(try invite.requestURI()))
        for name in [SIPHeaderName.via, .from, .callID] { ack.append(name, try #require(invite[name])) }
        ack.append(.to, "<sip:test@127.0.0.1:5090>;tag=\(id.localTag)")
        ack.append(.cseq, "56643 ACK")
        agent.handle(ack, from: Self.baresip, now: .seconds(2.1))
        let after = Self.drain(&agent)
        #expect(after.sent.isEmpty && after.events.isEmpty)
    }

    @Test func weHangUpWithBye() throws {
        var agent = Self.agent()
        let (id, _) = try Self.incoming(&agent)
        try agent.answer(id, sdp: Array("v=0\r\n".utf8), now: .zero)
        _ = Self.drain(&agent)
        agent.handle(Self.fromPhone(.ack, cseq: 56643, id: id, branch: "z9hG4bKack"), from: Self.baresip, now: .seconds(0.1))
        _ = Self.drain(&agent)
        try agent.hangUp(id, now: .seconds(10))
        let bye = try #require(Self.drain(&agent).sent.first)
        #expect(bye.message.method == .bye && bye.destination == Self.baresip)
        #expect(bye.message.requestURIText == "sip:mediabridge-0x55c962f7b3c0@127.0.0.1:5070")
        #expect(try bye.message.to()?.tag == Self.remoteTag && (try bye.message.from()?.tag) == id.localTag)
        #expect(bye.message[.cseq] == "1 BYE")
        agent.handle(SIPResponseBuilder.response(to: bye.message, status: 200), from: Self.baresip, now: .seconds(10.1))
        #expect(Self.drain(&agent).events == [.callEnded(id, reason: "hung up (BYE answered 200)")])
    }

    @Test func outOfDialogRequests() throws {
        var agent = Self.agent()
        let id = SIPCallReference(callID: "nope", localTag: "x")
        agent.handle(Self.fromPhone(.bye, cseq: 1, id: id, branch: "z9hG4bKb"), from: Self.baresip, now: .zero)
        #expect(Self.drain(&agent).sent.first?.message.statusCode == 481)
        var options = Self.fromPhone(.options, cseq: 2, id: id, branch: "z9hG4bKo")
        options.set(.to, "<sip:gw@127.0.0.1:5090>")
        agent.handle(options, from: Self.baresip, now: .zero)
        let answer = try #require(Self.drain(&agent).sent.first?.message)
        #expect(answer.statusCode == 200 && answer[.allow]?.contains("INVITE") == true)
        var subscribe = Self.fromPhone(.subscribe, cseq: 3, id: id, branch: "z9hG4bKs")
        subscribe.set(.to, "<sip:gw@127.0.0.1:5090>")
        agent.handle(subscribe, from: Self.baresip, now: .zero)
        #expect(Self.drain(&agent).sent.first?.message.statusCode == 405)
    }

    /// No ACK for the 2xx within 64*T1: the call ends and a BYE goes out.
    @Test func missingACKEndsTheCall() throws {
        var agent = Self.agent()
        let (id, _) = try Self.incoming(&agent)
        try agent.answer(id, sdp: Array("v=0\r\n".utf8), now: .zero)
        _ = Self.drain(&agent)
        var log = Drained()
        while let next = agent.nextTimeout(), next <= .seconds(40) {
            agent.handleTimeout(now: next)
            let drained = Self.drain(&agent)
            log.sent += drained.sent
            log.events += drained.events
        }
        #expect(log.sent.contains { $0.message.method == .bye })
        #expect(log.events.contains(.callEnded(id, reason: "no ACK for the answer")))
    }
}
