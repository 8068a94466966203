import BridgeSDP
import Testing

@Suite struct SIPMediaTranslatorTests {
    static let transport = WebRTCTransportParameters.placeholder()
    static let sipLeg = SIPLegParameters(address: "192.0.2.100", ports: [20000, 20002], sdesKey: "UExBQ0VIT0xERVJQTEFDRUhPTERFUlBMQUNFSE9M")

    func translator() -> SIPMediaTranslator {
        SIPMediaTranslator(transport: Self.transport, sipLeg: Self.sipLeg)
    }

    func phoneOffer(direction: String = "sendrecv", connection: String = "192.0.2.50", proto: String = "RTP/AVP",
                    extra: String = "", formats: String = "0 8 101") throws -> SessionDescription {
        try SessionDescription(parsing: """
            v=0\r
            o=phone 10 \(direction == "sendrecv" ? 1 : 2) IN IP4 192.0.2.50\r
            s=call\r
            c=IN IP4 \(connection)\r
            t=0 0\r
            m=audio 40000 \(proto) \(formats)\r
            a=rtpmap:101 telephone-event/8000\r
            a=fmtp:101 0-16\r
            \(extra)a=\(direction)\r

            """)
    }

    /// The browser's answer to the gateway's offer, as Chromium writes it (first codec chosen).
    func browserAnswer(to offer: SessionDescription, direction: String = "sendrecv", firstCodec: String = "0") throws -> SessionDescription {
        let codecs = offer.media[0].codecs
        let chosen = codecs.filter { String($0.payloadType) == firstCodec || $0.kind == .telephoneEvent }
        let lines = chosen.compactMap { $0.rtpMap.map { "a=rtpmap:\($0.attributeValue)\r\n" } }.joined()
        return try SessionDescription(parsing: """
            v=0\r
            o=- 99 2 IN IP4 127.0.0.1\r
            s=-\r
            t=0 0\r
            a=group:BUNDLE 0\r
            m=audio 9 UDP/TLS/RTP/SAVPF \(chosen.map { String($0.payloadType) }.joined(separator: " "))\r
            c=IN IP4 0.0.0.0\r
            a=ice-ufrag:abcd\r
            a=ice-pwd:abcdefghijklmnopqrstuvwx\r
            a=fingerprint:sha-256 AA:BB\r
            a=setup:active\r
            a=mid:0\r
            a=\(direction)\r
            a=rtcp-mux\r
            \(lines)a=ssrc:1234 cname:x\r

            """)
    }

    @Test func staticPayloadTypesGetExplicitRTPMaps() throws {
        var translator = translator()
        let offer = try translator.webRTCOffer(fromSIPOffer: try phoneOffer())
        let audio = try #require(offer.media.first)
        #expect(audio.rtpMaps.map(\.attributeValue).starts(with: ["0 PCMU/8000/1", "8 PCMA/8000/1"]))
        #expect(audio.proto == "UDP/TLS/RTP/SAVPF")
        #expect(audio.setup == .actpass)
        #expect(audio.rtcpMux)
        #expect(offer.isICELite)
        #expect(audio.candidates.count == 2)
        #expect(audio.endOfCandidates)
        // Opus is added for transcoding, with DTMF at its clock.
        #expect(audio.codecs.contains { $0.kind == .opus && $0.payloadType == 111 })
        #expect(audio.codecs.contains { $0.kind == .telephoneEvent && $0.clockRate == 48000 })
        #expect(audio.codecs.contains { $0.kind == .telephoneEvent && $0.clockRate == 8000 && $0.payloadType == 101 })
    }

    @Test func answerCarriesTheGatewayAddressAndKeepsDTMF() throws {
        var translator = translator()
        let phone = try phoneOffer()
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone)
        let text = answer.description.write()
        #expect(text.contains("c=IN IP4 192.0.2.100\r\n"))
        #expect(text.contains("m=audio 20000 RTP/AVP 0 101\r\n"))
        #expect(text.contains("a=rtcp:20001\r\n"))
        #expect(text.contains("a=fmtp:101 0-16\r\n"))
        for stripped in ["ice-", "fingerprint", "setup", "extmap", "ssrc", "mid", "candidate", "rtcp-fb", "group"] {
            #expect(!text.contains("a=\(stripped)"))
        }
        #expect(answer.tracks.first?.decision == .passThrough(source: phone.media[0].codecs[0].withExplicitRTPMapForTests,
                                                               peer: try browserAnswer(to: offer).media[0].codecs[0], note: nil))
    }

    @Test func browserChoosingOpusMeansTranscodingOnThePhoneLeg() throws {
        var translator = translator()
        let phone = try phoneOffer()
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer, firstCodec: "111"), sipOffer: phone)
        guard case .transcode(let source, let peer)? = answer.tracks.first?.decision else {
            Issue.record("expected transcoding, got \(String(describing: answer.tracks.first))"); return
        }
        #expect(source.kind == .pcmu && peer.kind == .opus)
        #expect(answer.description.media[0].formats == ["0", "101"])
    }

    @Test func holdAndResumeKeepMidsPayloadTypesAndSSRCs() throws {
        var translator = translator()
        let first = try translator.webRTCOffer(fromSIPOffer: try phoneOffer())
        let hold = try translator.webRTCOffer(fromSIPOffer: try phoneOffer(direction: "sendonly"))
        let oldStyleHold = try translator.webRTCOffer(fromSIPOffer: try phoneOffer(connection: "0.0.0.0"))
        let resume = try translator.webRTCOffer(fromSIPOffer: try phoneOffer())
        #expect(hold.direction(of: hold.media[0]) == .sendonly)
        #expect(oldStyleHold.direction(of: oldStyleHold.media[0]) == .sendonly)
        #expect(resume.direction(of: resume.media[0]) == .sendrecv)
        for later in [hold, oldStyleHold, resume] {
            #expect(later.media[0].mid == first.media[0].mid)
            #expect(later.media[0].formats == first.media[0].formats)
            #expect(later.media[0].ssrcAttributes == first.media[0].ssrcAttributes)
            #expect(later.media[0].iceUfrag == first.media[0].iceUfrag)
        }
        #expect([first, hold, oldStyleHold, resume].map { $0.value(of: "o") } == (1...4).map { "- 1 \($0) IN IP4 127.0.0.1" })
    }

    /// The browser holds: our last SIP description again, `sendonly` then `sendrecv`, the next versions.
    @Test func browserHoldReoffersOurLastSIPDescription() throws {
        var translator = translator()
        let phone = try phoneOffer()
        _ = try translator.webRTCOffer(fromSIPOffer: phone)
        let browserAnswer = try SessionDescription(parsing: try String(contentsOf: SDPFixtures.directory.appendingPathComponent("chromium-answer-to-mb-baresip-offer.sdp"), encoding: .utf8))
        let (answer, _) = try translator.sipAnswer(fromWebRTCAnswer: browserAnswer, sipOffer: phone)
        let hold = translator.sipReoffer(from: answer, direction: .sendonly)
        let resume = translator.sipReoffer(from: hold, direction: .sendrecv)
        #expect(hold.direction(of: hold.media[0]) == .sendonly && resume.direction(of: resume.media[0]) == .sendrecv)
        #expect(hold.media[0].attributes.filter { MediaDirection(rawValue: $0.name) != nil }.count == 1, "one direction attribute")
        for later in [hold, resume] {
            #expect(later.media[0].formats == answer.media[0].formats && later.media[0].port == answer.media[0].port)
        }
        let versions = [answer, hold, resume].compactMap { $0.value(of: "o")?.split(separator: " ").dropFirst(2).first }
        #expect(versions == ["1", "2", "3"])
    }

    @Test func sdesOfferGetsACryptoAnswer() throws {
        var translator = translator()
        let phone = try phoneOffer(proto: "RTP/SAVP", extra: "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\na=crypto:2 AES_CM_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n")
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone)
        let media = answer.description.media[0]
        #expect(media.proto == "RTP/SAVP")
        #expect(media.cryptos == [CryptoAttribute(tag: 1, suite: "AES_CM_128_HMAC_SHA1_32", keyParameters: ["inline:UExBQ0VIT0xERVJQTEFDRUhPTERFUlBMQUNFSE9M"])])
    }

    @Test func sdesWithoutAKnownSuiteIsRefused() throws {
        var translator = translator()
        let phone = try phoneOffer(proto: "RTP/SAVP", extra: "a=crypto:1 F8_128_HMAC_SHA1_80 inline:PS1uQCVeeCFCanVmcjkpPywjNWhcYD0mXXtxaVBR\r\n")
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        #expect(throws: SDPError.self) { try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone) }
    }

    @Test func avpfFeedbackOnlyWhenThePhoneOfferedIt() throws {
        for (proto, expectFeedback) in [("RTP/AVP", false), ("RTP/AVPF", true)] {
            var translator = translator()
            let phone = try phoneOffer(proto: proto, extra: "a=rtcp-fb:0 nack\r\n")
            let offer = try translator.webRTCOffer(fromSIPOffer: phone)
            let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone)
            #expect(answer.description.media[0].proto == proto)
            #expect(answer.description.media[0].hasAttribute("rtcp-fb") == expectFeedback)
        }
    }

    @Test func rtcpMuxOfferedByThePhoneIsKept() throws {
        var translator = translator()
        let phone = try phoneOffer(extra: "a=rtcp-mux\r\n")
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone)
        #expect(answer.description.media[0].rtcpMux)
        #expect(answer.description.media[0].rtcpAttribute == nil)
    }

    @Test func noCommonCodecIs488() throws {
        var translator = translator()
        #expect(throws: SDPError.self) { try translator.webRTCOffer(fromSIPOffer: try phoneOffer(formats: "18")) }
    }

    @Test func unbridgeableSectionsAreRejectedTowardsThePhone() throws {
        var translator = translator()
        let phone = try SessionDescription(parsing: "v=0\r\no=p 1 1 IN IP4 192.0.2.5\r\ns=-\r\nc=IN IP4 192.0.2.5\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\nm=image 4002 udptl t38\r\n")
        let offer = try translator.webRTCOffer(fromSIPOffer: phone)
        #expect(offer.media.count == 1)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try browserAnswer(to: offer), sipOffer: phone)
        #expect(answer.description.media.count == 2)
        #expect(answer.description.media[1].isRejected)
        #expect(answer.description.media[1].media == "image")
    }

    /// A browser that offers only Opus (and its events) still reaches a phone that speaks only G.711: the SIP
    /// offer adds µ-law, A-law and telephone-event at 8 kHz, and the phone's µ-law answer means transcoding.
    /// A phone answering `PCMU/3000000000` (or 9 channels) used to reach the audio decoder and trap. Its
    /// format is left out, not read as static PCMU, so no codec is common and the call is refused.
    @Test func aPhoneCodecWithAClockRateOutOfRangeIsRefused() throws {
        var translator = translator()
        let offer = try phoneOffer(extra: "a=rtpmap:0 PCMU/3000000000\r\n", formats: "0 101")
        #expect(offer.media[0].codecs.map(\.payloadType) == [101])
        #expect(offer.media[0].invalidRTPMaps == ["0 PCMU/3000000000"])
        #expect(throws: SDPError.self) { try translator.webRTCOffer(fromSIPOffer: offer) }
        for value in ["0 PCMU/0", "0 PCMU/8000/9", "0 PCMU/8000/0", "0 PCMU/1000001", "0 PCMU/-8000"] {
            #expect(RTPMap(attributeValue: value) == nil, "\(value)")
        }
        #expect(RTPMap(attributeValue: "96 opus/48000/2")?.channels == 2)
        #expect(RTPMap(attributeValue: "96 X/1000000/8")?.clockRate == 1_000_000)
    }

    @Test func anOpusOnlyBrowserOfferAlsoOffersThePhoneG711() throws {
        let chromium = SDPFixtures.text("chromium-call-offer.sdp")
        let keep: Set<String> = ["111", "110"]
        let lines = chromium.split(separator: "\r\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line.hasPrefix("m=audio") { return line.split(separator: " ").prefix(3).joined(separator: " ") + " 111 110" }
            if let match = line.firstMatch(of: /^a=(?:rtpmap|fmtp|rtcp-fb):(\d+)/), !keep.contains(String(match.1)) { return nil }
            return String(line)
        }
        let offer = try SessionDescription(parsing: lines.joined(separator: "\r\n"))
        var translator = translator()
        let sip = try translator.sipOffer(fromWebRTCOffer: offer)
        let audio = try #require(sip.media.first)
        #expect(audio.codecs.map(\.kind) == [.opus, .pcmu, .pcma, .telephoneEvent])
        #expect(audio.codecs.last?.clockRate == 8000 && audio.codecs.last?.payloadType != 110)
        let phoneAnswer = try phoneOffer(formats: "0 \(audio.codecs.last?.payloadType ?? 0)")
        let answer = try translator.webRTCAnswer(fromSIPAnswer: phoneAnswer, webRTCOffer: offer)
        guard case .transcode(let source, let peer)? = answer.tracks.first?.decision else {
            Issue.record("expected transcoding, got \(String(describing: answer.tracks.first))"); return
        }
        #expect(source.kind == .pcmu && peer.kind == .opus)
        // A browser that offers G.711 gets nothing added.
        var other = self.translator()
        let full = try other.sipOffer(fromWebRTCOffer: try SDPFixtures.parse("chromium-call-offer.sdp"))
        #expect(full.media[0].codecs.filter { $0.kind == .pcmu || $0.kind == .pcma }.map(\.payloadType) == [0, 8])
    }

    @Test func browserOfferWithoutBundleOrDTLSIsRefused() throws {
        var translator = translator()
        let plain = try phoneOffer()
        #expect(throws: SDPError.self) { try translator.sipOffer(fromWebRTCOffer: plain) }
    }
}

extension CodecDescription {
    /// Test mirror of the translator's explicit-rtpmap rule.
    var withExplicitRTPMapForTests: CodecDescription {
        var copy = self
        if copy.rtpMap == nil { copy.rtpMap = RTPMap.staticPayloadType(payloadType) }
        return copy
    }
}
