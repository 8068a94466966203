@testable import BridgeSIP
import BridgeCore
import Testing

@Suite struct SIPMessageTests {
    /// RFC 4475 section 3.1.1: every valid torture message parses and passes `validate()`.
    @Test(arguments: SIPFixtures.validNames)
    func validTortureMessagesParse(name: String) throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes(name))
        try message.validate()
    }

    /// RFC 4475 section 3.1.2: every invalid one is refused by the parser or by `validate()`, with a
    /// `SIPError` that says where.
    @Test(arguments: SIPFixtures.invalidNames)
    func invalidTortureMessagesAreRefused(name: String) throws {
        let error = #expect(throws: SIPError.self) {
            let message = try SIPMessage(parsing: SIPFixtures.bytes(name))
            try message.validate()
        }
        #expect(error?.description.hasPrefix("SIP") == true)
    }

    /// RFC 4475 section 3.1.1.1: folding, LWS around colons and slashes, compact forms, comma-separated and
    /// repeated Via, unknown headers.
    @Test func shortTortuousInvite() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.1-wsinv.sip"))
        #expect(message.method == .invite)
        let to = try #require(try message.to())
        #expect(to.tag == "1918181833n")
        #expect(to.uri.user == "vivekg" && to.uri.host == "chair-dnrc.example.com")
        let from = try #require(try message.from())
        #expect(from.displayName == "J Rosenberg \\\"")
        #expect(from.tag == "98asjd8")
        #expect(try message.maxForwards() == 68)
        #expect(try message.cseq() == SIPCSeq(9, .invite))
        let vias = try message.vias()
        #expect(vias.map(\.transport) == ["UDP", "TCP", "UDP"])
        #expect(vias.map(\.host) == ["192.0.2.2", "spindle.example.com", "192.168.255.111"])
        #expect(vias[0].rport == .requested)
        #expect(vias[1].branch == "z9hG4bK9ikj8" && vias[2].branch == "z9hG4bK30239")
        #expect(message["NewFangledHeader"] == "newfangled value continued newfangled value")
        #expect(message["Subject"] == "")
        #expect(try message.routes().first?.uri.isLooseRouter == true)
        let contact = try #require(try message.contacts().first?.address)
        #expect(contact.displayName == "Quoted string \"\"")
        #expect(contact.parameters["newparam"] == "newvalue" && contact.parameters["q"] == "0.33")
        #expect(contact.parameters.contains("secondparam"))
        #expect(try message.contentType() == .sdp)
        #expect(message.body.count == 150 || !message.body.isEmpty)
    }

    @Test func wideRangeOfValidCharacters() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.2-intmeth.sip"))
        #expect(message.method?.rawValue == "!interesting-Method0123456789_*+`.%indeed'~")
        let uri = try #require(try message.requestURI())
        #expect(uri.user == "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*")
        #expect(uri.password != nil)
        #expect(!uri.description.contains("weird"), "the password is never written")
        #expect(!message.redactedText.contains("weird"), "nor logged")
        #expect(try message.from()?.tag == "_token~1'+`*%!-.")
        #expect(try message.callID()?.rawValue == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
        #expect(try message.maxForwards() == 255)
    }

    /// RFC 4475 section 3.1.1.5: `C%6Fntact` is another header, not Contact.
    @Test func escapedHeaderNameIsAnotherHeader() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.5-esc02.sip"))
        #expect(try message.contacts().count == 2)
        #expect(message["C%6Fntact"] == "<sip:alias2@host2.example.com>")
    }

    /// RFC 4475 section 3.1.1.8: a datagram with two requests: the first is taken, Content-Length 0 ends it.
    @Test func datagramWithTwoRequestsTakesTheFirst() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.8-dblreq.sip"))
        #expect(message.method == .register && message.body.isEmpty)
    }

    @Test func responsesWithUnusualReasonPhrases() throws {
        let unreason = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.12-unreason.sip"))
        guard case .response(200, let reason) = unreason.startLine else { Issue.record("not a 200"); return }
        #expect(reason.hasSuffix("простое"))
        let noreason = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.13-noreason.sip"))
        #expect(noreason.startLine == .response(statusCode: 100, reasonPhrase: ""))
    }

    /// RFC 4475 section 3.1.1.7: long values everywhere and 34 Vias in every spelling of the name.
    @Test func longValues() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.7-longreq.sip"))
        let vias = try message.vias()
        #expect(vias.count == 34 && vias.first?.host == "sip33.example.com" && vias.last?.received == "192.0.2.5")
        #expect(try message.to()?.uri.port == 6000)
        #expect(try message.from()?.tag?.count == 148)
    }

    /// RFC 4475 section 3.1.1.11: a multipart body with binary bytes (NUL, CR, LF) is framed by
    /// Content-Length only.
    @Test func binaryMultipartBody() throws {
        let bytes = SIPFixtures.bytes("rfc4475-3.1.1.11-mpart01.sip")
        let message = try SIPMessage(parsing: bytes)
        #expect(try message.contentType()?.parameters["boundary"] == "7a9cbec02ceef655")
        #expect(message.body.contains(0) && message.body.last == UInt8(ascii: "\n"))
        #expect(try message.serialized().suffix(message.body.count) == message.body[...])
    }

    @Test func transportsInVia() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.10-transports.sip"))
        #expect(try message.vias().map(\.transport) == ["UDP", "SCTP", "TLS", "UNKNOWN", "TCP"])
    }

    /// The INVITE baresip 1.0 sent in the capture for the SDP fixtures.
    @Test func baresipInvite() throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes("baresip-invite.sip"))
        try message.validate()
        #expect(message.method == .invite)
        #expect(try message.requestURI()?.port == 5090)
        let via = try #require(try message.topVia())
        #expect(via.branch == "z9hG4bK20bdb3f2e52b8b5b" && via.rport == .requested && via.port == 5070)
        #expect(try message.allow().contains(.refer))
        #expect(try message.optionTags() == ["gruu"])
        #expect(message.body.count == 456)
        #expect(String(decoding: message.body, as: UTF8.self).hasPrefix("v=0\r\n"))
        let offer = try #require(try message.sessionDescription())
        #expect(offer.media.first?.codecs.map(\.payloadType) == [0, 8, 9, 96, 101])
        var copy = message
        copy.setSessionDescription(offer)
        #expect(try copy.sessionDescription() == offer)
    }

    /// Write then parse gives the same message, for every valid fixture.
    @Test(arguments: SIPFixtures.validNames)
    func roundTrip(name: String) throws {
        let message = try SIPMessage(parsing: SIPFixtures.bytes(name))
        let written = try message.serialized()
        let again = try SIPMessage(parsing: written)
        #expect(again == message)
        #expect(try again.serialized() == written)
    }

    @Test func compactFormsExpand() throws {
        let text = "OPTIONS sip:a@b SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\ni: x@y\r\nCSeq: 1 OPTIONS\r\nf: <sip:a@b>;tag=1\r\nt: sip:c@d\r\n"
            + "m: <sip:a@h>\r\nk: timer\r\nx: 90;refresher=uas\r\nc: text/plain\r\ne: gzip\r\ns: hi\r\nl: 2\r\n\r\nhi"
        let message = try SIPMessage(parsing: text)
        try message.validate()
        #expect(message[.callID] == "x@y")
        #expect(try message.sessionExpires() == SIPSessionExpires(interval: 90, refresher: .uas))
        #expect(try message.optionTags() == ["timer"])
        #expect(message["Content-Encoding"] == "gzip" && message["Subject"] == "hi")
        #expect(message.body == Array("hi".utf8))
        let written = String(decoding: try message.serialized(), as: UTF8.self)
        #expect(written.contains("Call-ID: x@y\r\n") && written.contains("Session-Expires: 90;refresher=uas\r\n"))
        #expect(SIPHeaderName("VIA") == .via && SIPHeaderName.via.compactForm == "v")
    }

    @Test func contentLengthFraming() throws {
        let head = "OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        // Datagram without Content-Length: the body is the rest.
        #expect(try SIPMessage(parsing: head + "\r\nabc").body == Array("abc".utf8))
        // Bytes past Content-Length are ignored on a datagram.
        #expect(try SIPMessage(parsing: head + "Content-Length: 1\r\n\r\nabc").body == Array("a".utf8))
        // A stream needs Content-Length.
        #expect(throws: SIPError.self) { try SIPMessage(parsing: head + "\r\nabc", framing: .stream) }
        #expect(throws: SIPError.self) { try SIPMessage(parsing: head + "Content-Length: 1\r\nl: 2\r\n\r\nabc") }
        #expect(throws: SIPError.self) { try SIPMessage(parsing: head + "Content-Length: -1\r\n\r\n") }
    }

    @Test func limitsGiveALimitError() throws {
        let many = (0..<101).map { "X-H\($0): v\r\n" }.joined()
        let tooMany = "OPTIONS sip:a@b SIP/2.0\r\n" + many + "\r\n"
        let error = #expect(throws: SIPError.self) { try SIPMessage(parsing: tooMany) }
        #expect(error?.isLimit == true)
        let longLine = "OPTIONS sip:a@b SIP/2.0\r\nX: " + String(repeating: "a", count: 9000) + "\r\n\r\n"
        #expect((#expect(throws: SIPError.self) { try SIPMessage(parsing: longLine) })?.isLimit == true)
        let folded = "OPTIONS sip:a@b SIP/2.0\r\nX: a\r\n" + String(repeating: " " + String(repeating: "b", count: 1000) + "\r\n", count: 9) + "\r\n"
        #expect((#expect(throws: SIPError.self) { try SIPMessage(parsing: folded) })?.isLimit == true)
        let big = "OPTIONS sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n" + String(repeating: "a", count: 70000)
        #expect((#expect(throws: SIPError.self) { try SIPMessage(parsing: big) })?.isLimit == true)
    }

    @Test func writerRefusesLineBreaksInValues() {
        var message = SIPMessage.response(200)
        message.append("Subject", "hi\r\nVia: injected")
        #expect(throws: SIPError.self) { try message.serialized() }
        let bad = SIPMessage(startLine: .response(statusCode: 200, reasonPhrase: "OK\r\nX: y"))
        #expect(throws: SIPError.self) { try bad.serialized() }
    }

    @Test func errorsSayWhereAndWhat() {
        let text = "INVITE sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nCSeq: x INVITE\r\n\r\n"
        let error = #expect(throws: SIPError.self) { try SIPMessage(parsing: text).cseq() }
        #expect(error?.description == "SIP line 3: CSeq: 'x' is not a number below 2^31")
    }

    @Test func streamFramerSkipsKeepAlivesAndSplitsMessages() throws {
        let one = try SIPMessage(parsing: SIPFixtures.bytes("baresip-invite.sip")).serialized()
        let two = try SIPMessage(parsing: SIPFixtures.bytes("rfc4475-3.1.1.6-lwsdisp.sip")).serialized()
        let stream = Array("\r\n\r\n".utf8) + one + Array("\r\n".utf8) + two
        var framer = SIPStreamFramer()
        var messages: [SIPMessage] = []
        // Feed in awkward pieces.
        var index = 0
        var size = 1
        while index < stream.count {
            let end = min(stream.count, index + size)
            framer.append(stream[index..<end])
            while let message = try framer.nextMessage() { messages.append(message) }
            index = end
            size = size % 97 + 13
        }
        #expect(messages.count == 2)
        #expect(messages.first?.body.count == 456)
        #expect(messages.last?.method == .options)
        #expect(framer.takeKeepAlives() >= 1)
        #expect(framer.bufferedByteCount == 0)
    }

    @Test func streamFramerRefusesEndlessHeads() {
        var framer = SIPStreamFramer(limits: SIPLimits(maximumMessageSize: 1000))
        framer.append(Array("OPTIONS sip:a@b SIP/2.0\r\n".utf8) + Array(repeating: UInt8(ascii: "a"), count: 2000))
        #expect(throws: SIPError.self) { try framer.nextMessage() }
    }
}
