@testable import BridgeSIP
import BridgeCore
import Testing

@Suite struct SIPDialogTests {
    static let via = SIPVia(transport: "UDP", host: "192.0.2.1", port: 5060, branch: "z9hG4bKnext")

    static func invite() -> SIPMessage {
        var message = SIPTransactionTests.request(.invite, cseq: 10)
        message.append(.recordRoute, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
        return message
    }

    static func ok(to invite: SIPMessage, recordRoute: String? = "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>",
                   contact: String = "<sip:bob@198.51.100.20:5062>", status: Int = 200) -> SIPMessage {
        var response = SIPResponseBuilder.response(to: invite, status: status, toTag: "b7")
        response.remove(.recordRoute)
        if let recordRoute { response.append(.recordRoute, recordRoute) }
        response.append(.contact, contact)
        return response
    }

    /// RFC 3261 section 12.1.2: the UAC reverses Record-Route; its Contact is the remote target.
    @Test func uacDialogFrom2xx() throws {
        let invite = Self.invite()
        var dialog = try SIPDialog(uacRequest: invite, response: Self.ok(to: invite))
        #expect(dialog.role == .uac && dialog.state == .confirmed)
        #expect(dialog.id == SIPDialogID(callID: "call-1@test", localTag: "a1", remoteTag: "b7"))
        #expect(dialog.routeSet.map(\.uri.host) == ["p2.example.com", "p1.example.com"])
        #expect(dialog.remoteTarget.description == "sip:bob@198.51.100.20:5062")
        let ack = dialog.makeACK(inviteSequence: 10, via: Self.via)
        #expect(ack[.cseq] == "10 ACK" && ack.requestURIText == "sip:bob@198.51.100.20:5062")
        #expect(ack.fields(.route).map(\.value) == ["<sip:p2.example.com;lr>", "<sip:p1.example.com;lr>"])
        let bye = dialog.makeRequest(.bye, via: Self.via)
        #expect(bye[.cseq] == "11 BYE" && dialog.localSequence == 11)
        #expect(try bye.to()?.tag == "b7" && (try bye.from()?.tag) == "a1")
        #expect(SIPDialogID(incomingResponse: SIPResponseBuilder.response(to: bye, status: 200)) == dialog.id)
        try bye.validate()
        let info = dialog.makeRequest(.info, via: Self.via, body: Array("Signal=5\r\n".utf8),
                                      contentType: SIPContentType(type: "application", subtype: "dtmf-relay"))
        #expect(info[.cseq] == "12 INFO" && info[.contentType] == "application/dtmf-relay")
        let reinvite = dialog.makeRequest(.invite, via: Self.via, body: Array("v=0\r\n".utf8), contentType: .sdp)
        #expect(reinvite[.contact] == "<sip:alice@192.0.2.1:5060>")
    }

    /// A 1xx with a To tag makes an early dialog; the 2xx confirms it and its Record-Route wins.
    @Test func earlyDialogConfirmedBy2xx() throws {
        let invite = Self.invite()
        var dialog = try SIPDialog(uacRequest: invite, response: Self.ok(to: invite, recordRoute: "<sip:p9.example.com;lr>", status: 180))
        #expect(dialog.state == .early && dialog.routeSet.map(\.uri.host) == ["p9.example.com"])
        try dialog.handle(response: Self.ok(to: invite, contact: "<sip:bob@198.51.100.21>"))
        #expect(dialog.state == .confirmed && dialog.routeSet.count == 2)
        #expect(dialog.remoteTarget.host == "198.51.100.21")
        #expect(throws: SIPError.self) { try SIPDialog(uacRequest: invite, response: SIPResponseBuilder.response(to: invite, status: 100)) }
    }

    /// RFC 3261 section 12.1.1 and 12.2.2: the UAS keeps Record-Route in order and refuses CSeq going back.
    @Test func uasDialogChecksCSeqOrder() throws {
        var invite = Self.invite()
        invite.set(.contact, "<sip:alice@203.0.113.7:40312>")
        let ok = SIPResponseBuilder.response(to: invite, status: 200, toTag: "g1", headers: [SIPHeaderField(name: .contact, value: "<sip:gw@192.0.2.1>")])
        var dialog = try SIPDialog(uasRequest: invite, response: ok)
        #expect(dialog.role == .uas && dialog.remoteSequence == 10 && dialog.localSequence == nil)
        #expect(dialog.routeSet.map(\.uri.host) == ["p1.example.com", "p2.example.com"])
        #expect(dialog.remoteTarget.host == "203.0.113.7")
        func inDialog(_ method: SIPMethod, _ cseq: UInt32, contact: String? = nil) -> SIPMessage {
            var request = SIPTransactionTests.request(method, cseq: cseq)
            request.set(.to, "<sip:bob@192.0.2.10>;tag=g1")
            if let contact { request.set(.contact, contact) } else { request.remove(.contact) }
            return request
        }
        #expect(throws: SIPError.self) { try dialog.handle(request: inDialog(.info, 10)) }
        #expect(throws: SIPError.self) { try dialog.handle(request: inDialog(.info, 9)) }
        try dialog.handle(request: inDialog(.ack, 10))
        try dialog.handle(request: inDialog(.invite, 11, contact: "<sip:alice@203.0.113.8:5060>"))
        #expect(dialog.remoteTarget.host == "203.0.113.8" && dialog.remoteSequence == 11)
        var foreign = inDialog(.info, 12)
        foreign.set(.to, "<sip:bob@192.0.2.10>;tag=other")
        #expect(throws: SIPError.self) { try dialog.handle(request: foreign) }
        // Our first request in the dialog: CSeq from 1, To is the caller.
        let bye = dialog.makeRequest(.bye, via: Self.via)
        #expect(bye[.cseq] == "1 BYE" && bye.requestURIText == "sip:alice@203.0.113.8:5060")
        #expect(try bye.to()?.tag == "a1" && (try bye.from()?.tag) == "g1")
        try dialog.handle(request: inDialog(.bye, 12))
        #expect(dialog.isTerminated)
    }

    /// RFC 3261 section 12.2.1.1: a strict router (no `lr`) becomes the Request-URI and the remote target
    /// goes last in Route.
    @Test func strictRouting() throws {
        let invite = Self.invite()
        let dialog = try SIPDialog(uacRequest: invite, response: Self.ok(to: invite, recordRoute: "<sip:p2.example.com;lr>, <sip:strict.example.com;method=INVITE>"))
        let (uri, routes) = dialog.requestURIAndRoutes
        #expect(uri.description == "sip:strict.example.com")
        #expect(routes == ["<sip:p2.example.com;lr>", "<sip:bob@198.51.100.20:5062>"])
    }
}
