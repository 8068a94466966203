import BridgeSDP
import Foundation
import Testing

@Suite struct WHEPAnswerBuilderTests {
    let builder = WHEPAnswerBuilder(transport: .placeholder(addresses: ["127.0.0.1", "192.0.2.7"], udpPort: 8189, tcpPort: 8443))

    func answerError(source: String = "gst-rtsp-h264-aac.sdp", offer: String) throws -> String? {
        do {
            _ = try builder.answer(source: try SDPFixtures.parse(source), offer: try SessionDescription(parsing: offer))
            return nil
        } catch let error as SDPError {
            return error.description
        }
    }

    static let chromium = SDPFixtures.text("chromium-whep-offer.sdp")

    @Test func answerHasEveryWebRTCPiece() throws {
        let answer = try builder.answer(source: try SDPFixtures.parse("gst-rtsp-h264-aac.sdp"), offer: try SDPFixtures.parse("chromium-whep-offer.sdp"))
        let description = answer.description
        #expect(description.isICELite)
        #expect(description.bundleGroups.first?.mids == ["0", "1"])
        for media in description.media {
            #expect(media.proto == "UDP/TLS/RTP/SAVPF")
            #expect(media.setup == .passive)
            #expect(media.fingerprint?.hashFunction == "sha-256")
            #expect(media.iceUfrag != nil && media.icePwd != nil)
            #expect(media.rtcpMux && media.rtcpReducedSize)
            #expect(media.directionAttribute == .sendonly)
            #expect(media.candidates.map(\.address) == ["127.0.0.1", "127.0.0.1", "192.0.2.7", "192.0.2.7"])
            #expect(media.candidates.map(\.port) == [8189, 8443, 8189, 8443])
            #expect(media.candidates.filter { $0.transport == "tcp" }.allSatisfy { $0.tcpType == "passive" })
            #expect(media.endOfCandidates)
            #expect(media.msid?.stream == "mediabridge")
            #expect(media.ssrcAttributes.contains { $0.attribute == "cname" })
            #expect(media.formats.count == 1)
            #expect(!media.hasAttribute("extmap"))
        }
        #expect(description.media[0].rtcpFeedback.map { $0.parameter.map { "\($0)" } ?? "" }.sorted() == ["", "fir", "pli"])
        #expect(answer.tracks.map(\.ssrc) == [0x4D42_0001, 0x4D42_0002])
    }

    @Test func offerWithoutBundleIsRefused() throws {
        let offer = Self.chromium.replacingOccurrences(of: "a=group:BUNDLE 0 1\r\n", with: "")
        #expect(try answerError(offer: offer) == "SDP: the offer does not BUNDLE its media; MediaBridge carries all tracks on one transport (use max-bundle)")
    }

    @Test func offerWithoutFingerprintIsRefused() throws {
        let offer = Self.chromium.split(separator: "\r\n").filter { !$0.hasPrefix("a=fingerprint") }.joined(separator: "\r\n") + "\r\n"
        #expect(try answerError(offer: offer) == "SDP: m-line 1 (video) has no DTLS fingerprint")
    }

    @Test func plainRTPOfferIsRefused() throws {
        #expect(try answerError(offer: SDPFixtures.text("baresip-invite.sdp")) == "SDP: m-line 1 (audio) uses RTP/AVP; WebRTC needs UDP/TLS/RTP/SAVPF")
    }

    @Test func offerWithoutRTCPMuxIsRefused() throws {
        let offer = Self.chromium.replacingOccurrences(of: "a=rtcp-mux\r\n", with: "")
        #expect(try answerError(offer: offer) == "SDP: m-line 1 (video) lacks rtcp-mux")
    }

    @Test func noCommonVideoCodecNamesWhy() throws {
        // An offer with only VP8 against an H.264 camera without audio.
        var lines = Self.chromium.components(separatedBy: "\r\n")
        lines = lines.map { $0.hasPrefix("m=video") ? "m=video 9 UDP/TLS/RTP/SAVPF 96" : $0 }
        let offer = lines.joined(separator: "\r\n")
        let message = try answerError(source: "camera-hikvision.sdp", offer: offer)
        #expect(message == "SDP: nothing to send: video: no common codec: the source sends H.264, the peer takes VP8; audio: the source has no audio track")
    }

    @Test func configCanTurnAudioOff() throws {
        var options = WHEPAnswerBuilder.Options()
        options.audioEnabled = false
        let answer = try WHEPAnswerBuilder(transport: .placeholder(), options: options)
            .answer(source: try SDPFixtures.parse("gst-rtsp-h264-aac.sdp"), offer: try SDPFixtures.parse("chromium-whep-offer.sdp"))
        #expect(answer.description.media[1].isRejected)
        #expect(answer.description.bundleGroups.first?.mids == ["0"])
    }
}
