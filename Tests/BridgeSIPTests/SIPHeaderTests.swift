@testable import BridgeSIP
import BridgeCore
import Testing

@Suite struct SIPHeaderTests {
    @Test func uriParts() throws {
        let uri = try SIPURI(parsing: "sips:alice@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent")
        #expect(uri.isSecure && uri.user == "alice" && uri.host == "2001:db8::1" && uri.port == 5061)
        #expect(uri.transport == "tcp" && uri.isLooseRouter)
        #expect(uri.headers.map(\.name) == ["subject", "priority"])
        #expect(uri.description == "sips:alice@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent")
        let plain = try SIPURI(parsing: "sip:192.0.2.4")
        #expect(plain.user == nil && plain.port == nil && plain.description == "sip:192.0.2.4")
        let semicolonUser = try SIPURI(parsing: "sip:user;par=u%40example.net@example.com")
        #expect(semicolonUser.user == "user;par=u%40example.net" && semicolonUser.host == "example.com")
    }

    /// A password is read but never written: not on the wire, not in a log.
    @Test func passwordIsNeverWritten() throws {
        let uri = try SIPURI(parsing: "sip:bob:secret@example.com")
        #expect(uri.password?.revealed == "secret")
        #expect(uri.description == "sip:bob@example.com")
        #expect(!"\(uri)".contains("secret") && !String(reflecting: uri.password).contains("secret"))
    }

    @Test func viaReceivedAndRport() throws {
        var via = try SIPVia(parsing: "SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKabc;rport")
        #expect(via.rport == .requested && via.hasRFC3261Branch)
        #expect(via.responseAddress == TransportAddress(ipv4: 10, 0, 0, 5, port: 5070))
        via.rport = .value(40312)
        via.received = "203.0.113.7"
        #expect(via.description == "SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bKabc;rport=40312;received=203.0.113.7")
        #expect(via.responseAddress == TransportAddress(ipv4: 203, 0, 113, 7, port: 40312))
        let again = try SIPVia(parsing: via.description)
        #expect(again.rport == .value(40312) && again.received == "203.0.113.7")
        let named = try SIPVia(parsing: "SIP/2.0/TLS proxy.example.com;branch=z9hG4bK1")
        #expect(named.responseAddress == nil && named.isReliableTransport)
        let v6 = try SIPVia(parsing: "SIP/2.0/UDP [2001:db8::9]:5062;branch=z9hG4bK2")
        #expect(v6.responseAddress?.port == 5062 && v6.sentBy == "[2001:db8::9]:5062")
    }

    @Test func fromToAndContact() throws {
        let from = try SIPNameAddress(parsing: "\"Alice \\\"A\\\"\" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774")
        #expect(from.displayName == "Alice \"A\"" && from.uri.transport == "tcp" && from.tag == "1928301774")
        #expect(try SIPNameAddress(parsing: from.description) == from)
        let bare = try SIPNameAddress(parsing: "sip:bob@biloxi.com;tag=a6c85cf")
        #expect(bare.uri.parameters.isEmpty && bare.tag == "a6c85cf")
        let tokens = try SIPNameAddress(parsing: "Bob  Smith <sip:bob@biloxi.com>")
        #expect(tokens.displayName == "Bob Smith")
        var message = SIPMessage.request(.register, uri: try SIPURI(parsing: "sip:registrar.example.com"))
        message.append(.contact, "<sip:a@10.0.0.1>;expires=3600, \"B\" <sip:b@10.0.0.2>;q=0.5")
        message.append(.contact, "*")
        let contacts = try message.contacts()
        #expect(contacts.count == 3 && contacts[0].expires == 3600 && contacts[2] == .wildcard)
        #expect(contacts[1].address?.parameters["q"] == "0.5")
    }

    @Test func routesAuthAndLists() throws {
        var message = SIPMessage.response(200)
        message.append(.recordRoute, "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>")
        message.append(.recordRoute, "<sip:p3.example.com>")
        message.append(.allow, "INVITE, ACK,BYE")
        message.append(.wwwAuthenticate, "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f, x\", qop=\"auth,auth-int\", algorithm=MD5, stale=FALSE")
        message.append(.expires, "99999999999")
        #expect(try message.recordRoutes().map(\.uri.host) == ["p1.example.com", "p2.example.com", "p3.example.com"])
        #expect(try message.allow() == [.invite, .ack, .bye])
        let challenge = try #require(try message.authenticationHeaders(.wwwAuthenticate).first)
        #expect(challenge.isDigest && challenge["nonce"] == "84a4cc6f, x" && challenge["qop"] == "auth,auth-int")
        #expect(try SIPAuthenticationHeader(parsing: challenge.description) == challenge)
        #expect(!challenge.redactedDescription.contains("84a4cc6f"))
        #expect(try message.expires() == UInt32.max)
        #expect(throws: SIPError.self) { try SIPMessage(parsing: "SIP/2.0 200 OK\r\nMax-Forwards: 256\r\n\r\n").maxForwards() }
    }
}

@Suite struct SIPIdentifierRandomnessTests {
    /// Production identifiers come from the system generator: two cores without a seed never repeat each
    /// other, where two with the same seed (tests) always do.
    @Test func unseededGeneratorsDoNotRepeatEachOther() {
        var first = SIPSeededRandom(seed: nil), second = SIPSeededRandom(seed: nil)
        #expect((0..<4).map { _ in first.next() } != (0..<4).map { _ in second.next() })
        var a = SIPSeededRandom(seed: 7), b = SIPSeededRandom(seed: 7)
        #expect((0..<4).map { _ in a.next() } == (0..<4).map { _ in b.next() })
    }
}
