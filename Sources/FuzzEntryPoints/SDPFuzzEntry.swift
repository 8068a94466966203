import BridgeSDP

/// Parse, write, parse again, then run the typed views and the translators over whatever parsed.
/// A round trip that changes the description is a finding.
public enum SDPFuzzEntry {
    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        guard let first = try? SessionDescription(parsing: bytes) else { return findings }
        let written = first.write()
        guard let second = try? SessionDescription(parsing: written) else {
            findings.fail("written description does not parse again:\n\(written)")
            return findings
        }
        findings.check(second.write() == written, "write is not stable:\n\(written)")
        for media in first.media {
            _ = (media.codecs, media.candidates, media.extMaps, media.cryptos, media.ssrcGroups, media.rtcpAttribute, media.bandwidths)
        }
        let transport = WebRTCTransportParameters.placeholder()
        _ = try? WHEPAnswerBuilder(transport: transport).answer(source: first, offer: first)
        var translator = SIPMediaTranslator(transport: transport, sipLeg: SIPLegParameters(address: "127.0.0.1", ports: [20000]))
        if let offer = try? translator.webRTCOffer(fromSIPOffer: first) {
            _ = try? translator.sipAnswer(fromWebRTCAnswer: first, sipOffer: first)
            _ = offer.write()
        }
        _ = try? translator.sipOffer(fromWebRTCOffer: first)
        _ = try? translator.webRTCAnswer(fromSIPAnswer: first, webRTCOffer: first)
        return findings
    }
}
