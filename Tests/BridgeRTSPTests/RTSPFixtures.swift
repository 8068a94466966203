/// Camera answers kept as regression fixtures, each named after the camera kind it came from.
enum RTSPFixtures {
    /// Hikvision DS-2CD2xxx style: absolute controls with a query, PCMA audio, a vendor attribute.
    static let hikvisionSDP = """
        v=0
        o=- 1109162014219182 1109162014219192 IN IP4 192.168.1.64
        s=Media Presentation
        e=NONE
        b=AS:5050
        t=0 0
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast
        m=video 0 RTP/AVP 96
        c=IN IP4 0.0.0.0
        b=AS:5000
        a=recvonly
        a=x-dimensions:1920,1080
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=1?transportmode=unicast
        a=rtpmap:96 H264/90000
        a=fmtp:96 profile-level-id=420029; packetization-mode=1; sprop-parameter-sets=Z01AKI2NQDwBE/LCAAAOEAACvyAI,aO44gA==
        m=audio 0 RTP/AVP 8
        c=IN IP4 0.0.0.0
        b=AS:50
        a=recvonly
        a=control:rtsp://192.168.1.64:554/Streaming/Channels/101/trackID=2?transportmode=unicast
        a=rtpmap:8 PCMA/8000
        a=Media_header:MEDIAINFO=494D4B48010100000400000111710110401F000000FA000000000000000000000000000000000000;
        a=appversion:1.0

        """.replacingLineEndings()

    /// Dahua style: `a=control:*`, relative track controls, H.265 with sprop-vps/sps/pps, AAC 16 kHz.
    static let dahuaSDP = """
        v=0
        o=- 2251938202 2251938202 IN IP4 0.0.0.0
        s=Media Server
        c=IN IP4 0.0.0.0
        t=0 0
        a=control:*
        a=packetization-supported:DH
        a=range:npt=now-
        m=video 0 RTP/AVP 96
        a=control:trackID=0
        a=framerate:25.000000
        a=rtpmap:96 H265/90000
        a=fmtp:96 profile-id=1;sprop-sps=QgEBAWAAAAMAsAAAAwAAAwB7oAPAgBDlja5JMvTcBAQEAg==;sprop-pps=RAHA8vA8kAA=;sprop-vps=QAEMAf//AWAAAAMAsAAAAwAAAwB7rAk=
        a=recvonly
        m=audio 0 RTP/AVP 97
        a=control:trackID=1
        a=rtpmap:97 MPEG4-GENERIC/16000/1
        a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1408
        a=recvonly

        """.replacingLineEndings()

    /// gst-rtsp-server 1.22 (H.264 + AAC), as INTEROP-NOTES.md describes it.
    static let gstreamerSDP = """
        v=0
        o=- 1188340656180883 1 IN IP4 127.0.0.1
        s=Session streamed with GStreamer
        i=rtsp-server
        t=0 0
        a=tool:GStreamer
        a=type:broadcast
        a=range:npt=now-
        a=control:rtsp://127.0.0.1:8554/test
        m=video 0 RTP/AVP 96
        c=IN IP4 0.0.0.0
        a=rtpmap:96 H264/90000
        a=framerate:25
        a=fmtp:96 packetization-mode=1;sprop-parameter-sets=Z0LAHtkAUH7AWyAAAAMAIAAABlHixck=,aMuMsg==;profile-level-id=42c01e;level-asymmetry-allowed=1
        a=control:stream=0
        a=ts-refclk:local
        a=mediaclk:sender
        m=audio 0 RTP/AVP 97
        c=IN IP4 0.0.0.0
        a=rtpmap:97 MPEG4-GENERIC/48000/2
        a=fmtp:97 streamtype=5;profile-level-id=2;mode=AAC-hbr;config=1190;sizelength=13;indexlength=3;indexdeltalength=3
        a=control:stream=1

        """.replacingLineEndings()

    /// An old camera that streams MJPEG only.
    static let mjpegSDP = """
        v=0
        o=- 1 1 IN IP4 10.0.0.9
        s=MJPEG
        t=0 0
        m=video 0 RTP/AVP 26
        a=control:track1

        """.replacingLineEndings()

    static func response(_ status: String, cseq: Int, headers: [String] = [], body: String = "") -> [UInt8] {
        var text = "RTSP/1.0 \(status)\r\nCSeq: \(cseq)\r\n"
        for header in headers { text += header + "\r\n" }
        if !body.isEmpty { text += "Content-Length: \(body.utf8.count)\r\n" }
        text += "\r\n" + body
        return Array(text.utf8)
    }

    static func interleaved(channel: UInt8, _ payload: [UInt8]) -> [UInt8] {
        [0x24, channel, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }
}

extension String {
    /// LF line endings to CRLF, as cameras send SDP.
    func replacingLineEndings() -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: "\r\n")
    }
}
