import BridgeSDP
import Foundation
import Testing

/// Golden translations: real input descriptions in, the exact description out, one case per quirk.
/// Expected outputs live in Tests/Fixtures/sdp/golden/; run with MEDIABRIDGE_UPDATE_GOLDEN=1 to rewrite them
/// after a deliberate change, and read the diff.
@Suite struct SDPTranslationGoldenTests {
    static let transport = WebRTCTransportParameters.placeholder()
    static let sipLeg = SIPLegParameters(address: "192.0.2.100", ports: [20000, 20002], sdesKey: "UExBQ0VIT0xERVJQTEFDRUhPTERFUlBMQUNFSE9M")

    func expectGolden(_ name: String, _ description: SessionDescription, _ tracks: [TrackPlan], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let text = description.write() + tracks.map { "# \($0)\n" }.joined()
        let url = SDPFixtures.directory.appendingPathComponent("golden/\(name).sdp")
        if ProcessInfo.processInfo.environment["MEDIABRIDGE_UPDATE_GOLDEN"] == "1" {
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(text == expected, "golden/\(name).sdp differs", sourceLocation: sourceLocation)
        // Whatever the gateway writes must itself parse and round-trip.
        let reparsed = try SessionDescription(parsing: description.write())
        #expect(reparsed.write() == description.write(), sourceLocation: sourceLocation)
    }

    // MARK: Camera to browser (WHEP answers)

    @Test(arguments: [
        // (golden name, source, offer): the quirk each covers is in the name.
        ("whep-gst-h264-aac-to-chromium-transcodes-aac", "gst-rtsp-h264-aac.sdp", "chromium-whep-offer.sdp"),
        ("whep-gst-h264-opus-to-chromium-passes-opus", "gst-rtsp-h264-opus.sdp", "chromium-whep-offer.sdp"),
        ("whep-gst-h264-pcma-to-chromium-static-pt", "gst-rtsp-h264-pcma.sdp", "chromium-whep-offer.sdp"),
        ("whep-gst-h265-to-chromium-rejects-video", "gst-rtsp-h265-aac.sdp", "chromium-whep-offer.sdp"),
        ("whep-gst-h264-opus-to-aiortc-ports-per-mline", "gst-rtsp-h264-opus.sdp", "aiortc-offer.sdp"),
        ("whep-hikvision-sps-says-main", "camera-hikvision.sdp", "chromium-whep-offer.sdp"),
        ("whep-dahua-high-profile-aac", "camera-dahua.sdp", "chromium-whep-offer.sdp"),
        ("whep-axis-absolute-control", "camera-axis.sdp", "chromium-whep-offer.sdp"),
        ("whep-foscam-pcmu-without-rtpmap", "camera-foscam.sdp", "chromium-whep-offer.sdp"),
        ("whep-reolink-aac-trailing-semicolon", "camera-reolink.sdp", "chromium-whep-offer.sdp"),
        ("whep-hikvision-g7221-unsupported-audio", "camera-hikvision-playback-g7221.sdp", "chromium-whep-offer.sdp"),
        ("whep-samsung-nonzero-ports-app-track", "camera-samsung.sdp", "chromium-whep-offer.sdp"),
        ("whep-tplink-invalid-application-mline", "camera-tplink-h265.sdp", "aiortc-offer.sdp"),
        ("whep-amcrest-dahua-attributes-recvonly-pcma", "camera-amcrest-ad410.sdp", "chromium-whep-offer.sdp"),
        ("whep-dahua-h265-vps-last-pcma", "camera-dahua-h265.sdp", "chromium-whep-offer.sdp"),
        ("whep-hikvision-h265-without-fmtp", "camera-hikvision-h265.sdp", "chromium-whep-offer.sdp"),
        ("whep-hikvision-aac-fmtp-on-wrong-pt-mode-0", "camera-hikvision-mediaserver-aac.sdp", "chromium-whep-offer.sdp"),
        ("whep-hikvision-double-c-line", "camera-hikvision-double-c.sdp", "chromium-whep-offer.sdp"),
        ("whep-reolink-backchannel-third-track", "camera-reolink-bc.sdp", "chromium-whep-offer.sdp"),
        ("whep-h3c-truncated-c-no-t-line", "camera-h3c-truncated-c.sdp", "chromium-whep-offer.sdp"),
    ])
    func whepAnswer(name: String, source: String, offer: String) throws {
        let answer = try WHEPAnswerBuilder(transport: Self.transport).answer(source: try SDPFixtures.parse(source), offer: try SDPFixtures.parse(offer))
        try expectGolden(name, answer.description, answer.tracks)
        // Every answered payload type is one the browser offered for that section.
        let offered = try SDPFixtures.parse(offer)
        for (index, section) in answer.description.media.enumerated() where !section.isRejected {
            #expect(Set(section.formats).isSubset(of: Set(offered.media[index].formats)))
            #expect(section.mid == offered.media[index].mid)
        }
    }

    // MARK: Phone to browser and back

    @Test(arguments: [
        ("sip-baresip-invite-to-webrtc-offer", "baresip-invite.sdp"),
        ("sip-cisco-invite-to-webrtc-offer-adds-opus", "phone-cisco.sdp"),
        ("sip-polycom-sdes-video-bfcp-to-webrtc-offer", "phone-polycom.sdp"),
        ("sip-freeswitch-rtcp-attribute-to-webrtc-offer", "pbx-freeswitch.sdp"),
        ("sip-asterisk-g726-ptime-to-webrtc-offer", "pbx-asterisk.sdp"),
        ("sip-linphone-avpf-three-dtmf-rates-to-webrtc-offer", "phone-linphone.sdp"),
        ("sip-linphone-legacy-speex-on-111-to-webrtc-offer", "phone-linphone-legacy.sdp"),
        ("sip-grandstream-gxp1625-g729-g726-ptime-mid-list-to-webrtc-offer", "phone-grandstream-gxp1625.sdp"),
        ("sip-grandstream-ht503-alaw-first-unknown-codecs-to-webrtc-offer", "phone-grandstream-ht503.sdp"),
        ("sip-linphone-sdes-pcma-without-rtpmap-to-webrtc-offer", "phone-linphone-srtp.sdp"),
    ])
    func phoneOfferToBrowser(name: String, sipOffer: String) throws {
        var translator = SIPMediaTranslator(transport: Self.transport, sipLeg: Self.sipLeg)
        let offer = try translator.webRTCOffer(fromSIPOffer: try SDPFixtures.parse(sipOffer))
        try expectGolden(name, offer, [])
    }

    /// Real Chromium answers to the gateway's offers become the 200 OK towards the phone.
    @Test(arguments: [
        ("sip-chromium-answer-to-baresip-200ok", "baresip-invite.sdp", "chromium-answer-to-mb-baresip-offer.sdp"),
        ("sip-chromium-answer-to-cisco-200ok", "phone-cisco.sdp", "chromium-answer-to-mb-cisco-offer.sdp"),
    ])
    func browserAnswerToPhone(name: String, sipOffer: String, browserAnswer: String) throws {
        var translator = SIPMediaTranslator(transport: Self.transport, sipLeg: Self.sipLeg)
        let phone = try SDPFixtures.parse(sipOffer)
        _ = try translator.webRTCOffer(fromSIPOffer: phone)
        let answer = try translator.sipAnswer(fromWebRTCAnswer: try SDPFixtures.parse(browserAnswer), sipOffer: phone)
        try expectGolden(name, answer.description, answer.tracks)
        #expect(answer.description.media.count == phone.media.count, "an answer has one m-line per offered m-line")
    }

    /// The browser calls a phone: its offer becomes an INVITE, baresip's real 200 OK becomes its answer.
    @Test func browserCallsPhone() throws {
        var translator = SIPMediaTranslator(transport: Self.transport, sipLeg: Self.sipLeg)
        let browserOffer = try SDPFixtures.parse("chromium-call-offer.sdp")
        let sipOffer = try translator.sipOffer(fromWebRTCOffer: browserOffer)
        try expectGolden("sip-chromium-call-offer-to-invite", sipOffer, [])
        let answer = try translator.webRTCAnswer(fromSIPAnswer: try SDPFixtures.parse("baresip-answer-to-mb-offer.sdp"), webRTCOffer: browserOffer)
        try expectGolden("sip-baresip-200ok-to-webrtc-answer", answer.description, answer.tracks)
    }

    /// Phones answering the browser's call with their own quirks: the answer becomes the browser's answer.
    @Test(arguments: [
        // A Grandstream FXO gateway lists seven payload types but maps only 0 and 101 (its own DTMF number,
        // not the 126 offered), and leaves dynamic 103 without any rtpmap.
        ("sip-grandstream-gxw4104-200ok-bare-payload-types-to-webrtc-answer", "phone-grandstream-gxw4104-answer.sdp"),
        // Yealink answers Opus with its private useylrtx parameter and a=direction:both beside a=sendrecv.
        ("sip-yealink-200ok-opus-useylrtx-to-webrtc-answer", "phone-yealink.sdp"),
    ])
    func phoneAnswerToBrowser(name: String, sipAnswer: String) throws {
        var translator = SIPMediaTranslator(transport: Self.transport, sipLeg: Self.sipLeg)
        let browserOffer = try SDPFixtures.parse("chromium-call-offer.sdp")
        _ = try translator.sipOffer(fromWebRTCOffer: browserOffer)
        let answer = try translator.webRTCAnswer(fromSIPAnswer: try SDPFixtures.parse(sipAnswer), webRTCOffer: browserOffer)
        try expectGolden(name, answer.description, answer.tracks)
        for (index, section) in answer.description.media.enumerated() where !section.isRejected {
            #expect(Set(section.formats).isSubset(of: Set(browserOffer.media[index].formats)), "the browser gets only payload types it offered")
        }
    }
}
