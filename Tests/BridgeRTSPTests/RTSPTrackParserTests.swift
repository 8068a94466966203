import BridgeRTP
import BridgeRTSP
import Testing

@Suite struct RTSPTrackParserTests {
    @Test func hikvisionAbsoluteControlsAndPCMA() throws {
        let tracks = try RTSPTrackParser.tracks(fromSDP: Array(RTSPFixtures.hikvisionSDP.utf8),
                                                base: "rtsp://192.168.1.64:554/Streaming/Channels/101")
        #expect(tracks.map(\.info.codec) == [.h264, .pcma])
        #expect(tracks[0].controlURL == "rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast")
        #expect(tracks[0].info.profileLevelID == "420029")
        #expect(tracks[0].info.width == 1920)
        #expect(tracks[0].info.height == 1080)
        #expect(tracks[0].info.parameterSets.count == 2)
        #expect(tracks[0].info.parameterSets.first?.first == 0x67)
        #expect(tracks[0].info.parameterSets.last == [0x68, 0xEE, 0x38, 0x80])
        #expect(tracks[1].payloadType == 8)
        #expect(tracks[1].info.clockRate == 8000)
    }

    @Test func dahuaRelativeControlsH265AndAAC() throws {
        let base = "rtsp://192.168.1.108:554/cam/realmonitor?channel=1&subtype=0/"
        let tracks = try RTSPTrackParser.tracks(fromSDP: Array(RTSPFixtures.dahuaSDP.utf8), base: base)
        #expect(tracks.map(\.info.codec) == [.h265, .aac])
        #expect(tracks[0].controlURL == base + "trackID=0")
        // VPS, SPS, PPS in that order whatever the fmtp order.
        #expect(tracks[0].info.parameterSets.map { $0.first.map { $0 >> 1 & 0x3F } } == [32, 33, 34])
        #expect(tracks[1].info.audioSpecificConfig == [0x14, 0x08])
        #expect(tracks[1].info.clockRate == 16_000)
        #expect(tracks[1].info.channels == 1)
        #expect(tracks[1].aacHeaderLayout?.sizeLength == 13)
    }

    @Test func gstreamerStereoAAC() throws {
        let tracks = try RTSPTrackParser.tracks(fromSDP: Array(RTSPFixtures.gstreamerSDP.utf8),
                                                base: "rtsp://127.0.0.1:8554/test/")
        #expect(tracks.map(\.controlURL) == ["rtsp://127.0.0.1:8554/test/stream=0", "rtsp://127.0.0.1:8554/test/stream=1"])
        #expect(tracks[0].info.profileLevelID == "42c01e")
        #expect(tracks[1].info == MediaTrackInfo(codec: .aac, clockRate: 48_000, channels: 2, audioSpecificConfig: [0x11, 0x90]))
        #expect(tracks[1].makeDepacketizer() is AACDepacketizer)
        #expect(tracks[0].makeDepacketizer() is H264Depacketizer)
    }

    @Test func mjpegOnlyIsRefusedByName() {
        let failure = #expect(throws: RTSPFailure.self) {
            try RTSPTrackParser.tracks(fromSDP: Array(RTSPFixtures.mjpegSDP.utf8), base: "rtsp://10.0.0.9/")
        }
        #expect(failure?.reason == "no supported video codec: MJPEG")
        #expect(failure?.isTransient == false)
    }

    /// A DESCRIBE whose audio claims a clock rate beyond Int32 used to reach libavcodec and trap; the
    /// track is refused with the reason, and the video still plays.
    @Test func anAudioClockRateOutOfRangeRefusesOnlyThatTrack() throws {
        let sdp = "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=cam\r\nt=0 0\r\n"
            + "m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:track1\r\n"
            + "m=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMU/3000000000\r\na=control:track2\r\n"
        let tracks = try RTSPTrackParser.tracks(fromSDP: Array(sdp.utf8), base: "rtsp://10.0.0.9/")
        #expect(tracks.map(\.info.codec) == [.h264])
        let audioOnly = "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=cam\r\nt=0 0\r\n"
            + "m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/16000/4294967297\r\na=control:track2\r\n"
        let failure = #expect(throws: RTSPFailure.self) {
            try RTSPTrackParser.tracks(fromSDP: Array(audioOnly.utf8), base: "rtsp://10.0.0.9/")
        }
        #expect(failure?.reason.contains("out of range") == true)
    }

    @Test func controlResolution() {
        let base = "rtsp://cam:554/live"
        #expect(RTSPURL.resolve(control: nil, base: base) == base)
        #expect(RTSPURL.resolve(control: "*", base: base) == base)
        #expect(RTSPURL.resolve(control: "track1", base: base) == "rtsp://cam:554/live/track1")
        #expect(RTSPURL.resolve(control: "track1", base: base + "/") == "rtsp://cam:554/live/track1")
        #expect(RTSPURL.resolve(control: "rtsp://admin:x@other/t", base: base) == "rtsp://other/t")
    }

    @Test func urlCredentialsAreSplitOff() throws {
        let url = try RTSPURL(parsing: "rtsp://admin:p%40ss@[::1]:8554/live?x=1")
        #expect(url.username == "admin")
        #expect(url.password?.revealed == "p@ss")
        #expect(url.host == "::1")
        #expect(url.port == 8554)
        #expect(url.requestURL == "rtsp://[::1]:8554/live?x=1")
        #expect(!"\(url)".contains("p%40ss"))
        #expect(throws: RTSPError.self) { try RTSPURL(parsing: "http://cam/") }
        #expect(throws: RTSPError.self) { try RTSPURL(parsing: "rtsp://cam:99999/") }
        #expect(throws: RTSPError.self) { try RTSPURL(parsing: "rtsp://cam/a\r\nb") }
    }

    @Test func malformedSDPNeverTraps() {
        let valid = Array(RTSPFixtures.dahuaSDP.utf8)
        for cut in stride(from: 0, through: valid.count, by: 7) {
            _ = try? RTSPTrackParser.tracks(fromSDP: Array(valid.prefix(cut)), base: "rtsp://cam/")
        }
        let odd = """
            v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=x\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/0\r\n\
            m=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000\r\na=fmtp:97 mode=AAC-hbr;sizelength=99;config=zz\r\n
            """
        #expect(throws: RTSPFailure.self) { try RTSPTrackParser.tracks(fromSDP: Array(odd.utf8), base: "rtsp://cam/") }
    }
}
