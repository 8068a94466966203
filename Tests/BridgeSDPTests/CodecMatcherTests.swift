@testable import BridgeSDP
import Testing

@Suite struct CodecMatcherTests {
    func h264(_ pt: UInt8, _ fmtp: String) -> CodecDescription {
        CodecDescription(payloadType: pt, rtpMap: RTPMap(payloadType: pt, encodingName: "H264", clockRate: 90000),
                         parameters: FormatParameters(attributeValue: "\(pt) \(fmtp)"))
    }

    func audio(_ pt: UInt8, _ name: String, _ rate: Int, _ channels: Int? = nil) -> CodecDescription {
        CodecDescription(payloadType: pt, rtpMap: RTPMap(payloadType: pt, encodingName: name, clockRate: rate, channels: channels))
    }

    @Test(arguments: [
        ("42e01f", H264ProfileLevelID.Profile.constrainedBaseline, "3.1"),
        ("42c01e", .constrainedBaseline, "3.0"),
        ("42001f", .baseline, "3.1"),
        ("4d001f", .main, "3.1"),
        ("4d8028", .constrainedBaseline, "4.0"),
        ("640028", .high, "4.0"),
        ("640c1f", .constrainedHigh, "3.1"),
        ("f4001f", .predictiveHigh444, "3.1"),
        ("58a01e", .baseline, "3.0"),
        ("42f00b", .constrainedBaseline, "1b"),
    ])
    func profileLevelIDs(hex: String, profile: H264ProfileLevelID.Profile, level: String) throws {
        let id = try #require(H264ProfileLevelID(hex))
        #expect(id.profile == profile)
        #expect(id.levelName == level)
        #expect(id.hex == hex)
    }

    @Test func malformedProfileLevelIDs() {
        #expect(H264ProfileLevelID("42e01") == nil)
        #expect(H264ProfileLevelID("zzzzzz") == nil)
        #expect(H264ProfileLevelID("123456")?.profile == nil)
    }

    /// Hikvision writes profile-level-id=420029 (Baseline) while its SPS says Main: the SPS wins.
    @Test func spsWinsOverTheFmtp() throws {
        let camera = try SDPFixtures.parse("camera-hikvision.sdp")
        let codec = try #require(camera.media.first?.codecs.first)
        #expect(codec.parameters?["profile-level-id"] == "420029")
        #expect(H264ProfileLevelID.of(codec.parameters).profile == .main)
    }

    @Test func h264PicksTheSameProfileAndModeOne() {
        let source = [h264(96, "packetization-mode=1;profile-level-id=42c01e")]
        let peer = [h264(102, "packetization-mode=0;profile-level-id=42001f"), h264(104, "packetization-mode=1;profile-level-id=42001f"),
                    h264(106, "packetization-mode=1;profile-level-id=42e01f")]
        #expect(CodecMatcher.decide(source: source, peer: peer) == .passThrough(source: source[0], peer: peer[2], note: nil))
    }

    @Test func levelAboveThePeersIsNotedNotRefused() {
        let source = [h264(96, "packetization-mode=1;profile-level-id=42e028")]
        let peer = [h264(102, "packetization-mode=1;profile-level-id=42e01f;level-asymmetry-allowed=1")]
        #expect(CodecMatcher.decide(source: source, peer: peer)
            == .passThrough(source: source[0], peer: peer[0], note: "source level 4.0 is above the 3.1 the peer offered"))
        let lower = [h264(96, "packetization-mode=1;profile-level-id=42e01e")]
        #expect(CodecMatcher.decide(source: lower, peer: peer) == .passThrough(source: lower[0], peer: peer[0], note: nil))
    }

    @Test func highProfileFallsBackLooselyWithANote() {
        let source = [h264(96, "packetization-mode=1;profile-level-id=640028")]
        let peer = [h264(102, "packetization-mode=1;profile-level-id=42e01f")]
        guard case .passThrough(_, let chosen, let note) = CodecMatcher.decide(source: source, peer: peer) else {
            Issue.record("expected pass through"); return
        }
        #expect(chosen.payloadType == 102)
        #expect(note == "source is High, peer offered Constrained Baseline")
    }

    @Test func packetizationModeZeroOnlyIsRefused() {
        let decision = CodecMatcher.decide(source: [h264(96, "profile-level-id=42e01f")], peer: [h264(102, "profile-level-id=42e01f")])
        #expect(decision == .unsupported(reason: "no common codec: the source sends H.264, the peer takes H.264"))
    }

    @Test func aacNeedsTranscodingToOpus() {
        let aac = audio(97, "MPEG4-GENERIC", 44100, 1)
        let opus = audio(111, "opus", 48000, 2)
        #expect(CodecMatcher.decide(source: [aac], peer: [opus, audio(0, "PCMU", 8000)]) == .transcode(source: aac, peer: opus))
        #expect(CodecMatcher.decide(source: [aac], peer: [opus], audioHandling: .passThroughOnly)
            == .unsupported(reason: "no common codec: the source sends AAC, the peer takes Opus"))
    }

    @Test func g711PassesThroughAndCanBeForcedToOpus() {
        let pcma = audio(8, "PCMA", 8000)
        let opus = audio(111, "opus", 48000, 2)
        #expect(CodecMatcher.decide(source: [pcma], peer: [opus, pcma]) == .passThrough(source: pcma, peer: pcma, note: nil))
        #expect(CodecMatcher.decide(source: [pcma], peer: [opus, pcma], audioHandling: .transcodeToOpus) == .transcode(source: pcma, peer: opus))
        // G.711 at 16 kHz (some cameras) is not what browsers take: transcode.
        let wide = audio(97, "PCMA", 16000)
        #expect(CodecMatcher.decide(source: [wide], peer: [opus, pcma]) == .transcode(source: wide, peer: opus))
    }

    @Test func telephoneEventMatchesByClockRate() {
        #expect(CodecMatcher.compatibility(source: audio(101, "telephone-event", 8000), peer: audio(126, "telephone-event", 8000)) == .compatible)
        #expect(CodecMatcher.compatibility(source: audio(101, "telephone-event", 8000), peer: audio(110, "telephone-event", 48000))
            == .incompatible("telephone-event at 8000 Hz vs 48000 Hz"))
    }

    @Test func h265MatchesProfileAndTier() {
        let source = CodecDescription(payloadType: 96, rtpMap: RTPMap(payloadType: 96, encodingName: "H265", clockRate: 90000))
        let main10 = CodecDescription(payloadType: 49, rtpMap: RTPMap(payloadType: 49, encodingName: "H265", clockRate: 90000),
                                      parameters: FormatParameters(attributeValue: "49 profile-id=2;tier-flag=0;level-id=93"))
        let main = CodecDescription(payloadType: 51, rtpMap: RTPMap(payloadType: 51, encodingName: "H265", clockRate: 90000),
                                    parameters: FormatParameters(attributeValue: "51 profile-id=1;tier-flag=0;level-id=123"))
        #expect(CodecMatcher.decide(source: [source], peer: [main10, main]) == .passThrough(source: source, peer: main, note: nil))
        #expect(CodecMatcher.decide(source: [source], peer: [h264(102, "packetization-mode=1")])
            == .unsupported(reason: "the source sends H.265 and the peer did not offer it (most browsers decode H.265 only with hardware support)"))
    }

    @Test func mjpegIsNamed() {
        let jpeg = CodecDescription(payloadType: 26, rtpMap: RTPMap.staticPayloadType(26))
        #expect(CodecMatcher.decide(source: [jpeg], peer: [h264(102, "packetization-mode=1")])
            == .unsupported(reason: "no supported video codec: MJPEG (browsers take H.264, VP8, VP9, AV1)"))
    }
}

@Suite struct H265LevelTests {
    func codec(_ fmtp: String) -> CodecDescription {
        CodecDescription(payloadType: 96, rtpMap: RTPMap(payloadType: 96, encodingName: "H265", clockRate: 90000),
                         parameters: FormatParameters(attributeValue: "96 \(fmtp)"))
    }

    @Test func aSourceLevelAboveThePeersIsANoteNotARefusal() {
        #expect(CodecMatcher.compatibility(source: codec("profile-id=1;level-id=120"), peer: codec("profile-id=1;level-id=93"))
            == .loose("source level-id 120 is above the 93 the peer offered", rank: 1))
        #expect(CodecMatcher.compatibility(source: codec("profile-id=1;level-id=93"), peer: codec("profile-id=1;level-id=153")) == .compatible)
        #expect(CodecMatcher.compatibility(source: codec("profile-id=1"), peer: codec("profile-id=1")) == .compatible, "both default to 93")
    }
}
