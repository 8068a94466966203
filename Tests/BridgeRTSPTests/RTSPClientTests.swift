import BridgeCore
import BridgeRTSP
import Testing

/// The client driven through canned camera answers with a manual clock: no sockets.
@Suite struct RTSPClientTests {
    typealias F = RTSPFixtures

    static func at(_ seconds: Int) -> MonotonicInstant { MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000) }

    static func drain(_ client: inout RTSPClient) -> [RTSPClient.Output] {
        var outputs: [RTSPClient.Output] = []
        while let output = client.pollOutput() { outputs.append(output) }
        return outputs
    }

    static func sentText(_ outputs: [RTSPClient.Output]) -> [String] {
        outputs.compactMap { if case .send(let bytes) = $0 { String(decoding: bytes, as: UTF8.self) } else { nil } }
    }

    static func failure(_ outputs: [RTSPClient.Output]) -> String? {
        outputs.lazy.compactMap { if case .failed(let failure) = $0 { failure.reason } else { nil } }.first
    }

    static func client(_ url: String, transport: RTSPClient.TransportMode = .tcp) throws -> RTSPClient {
        var configuration = RTSPClient.Configuration(url: Redacted(url), transport: transport)
        configuration.cnonce = "x"
        var client = try RTSPClient(configuration: configuration)
        client.start()
        _ = drain(&client)
        client.handleConnected(now: at(0))
        return client
    }

    @Test func gstreamerDigestSessionOverTCP() throws {
        var client = try Self.client("rtsp://admin:secret@127.0.0.1:8554/test")
        var sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("OPTIONS rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 1\r\n") == true)

        client.handleBytes(F.response("200 OK", cseq: 1, headers: ["Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER"]), now: Self.at(0))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 2\r\n") == true)
        #expect(sent.first?.contains("Accept: application/sdp") == true)
        #expect(sent.first?.contains("Authorization") == false)

        client.handleBytes(F.response("401 Unauthorized", cseq: 2, headers: [#"WWW-Authenticate: Digest realm="GStreamer Server", nonce="0f8e3b1a""#]), now: Self.at(0))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("DESCRIBE rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 3\r\n") == true)
        #expect(sent.first?.contains(#"response="290ca16f25efaed2e2cd967bf2a37d6e""#) == true)
        #expect(sent.first?.contains("secret") == false)

        client.handleBytes(F.response("200 OK", cseq: 3, headers: ["Content-Type: application/sdp", "Content-Base: rtsp://127.0.0.1:8554/test/"],
                                      body: F.gstreamerSDP), now: Self.at(1))
        var outputs = Self.drain(&client)
        guard case .tracks(let tracks) = outputs.first else { Issue.record("expected tracks first"); return }
        #expect(tracks.map(\.info.codec) == [.h264, .aac])
        sent = Self.sentText(outputs)
        #expect(sent.first?.hasPrefix("SETUP rtsp://127.0.0.1:8554/test/stream=0 RTSP/1.0\r\nCSeq: 4\r\n") == true)
        #expect(sent.first?.contains("Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n") == true)
        #expect(sent.first?.contains("Authorization: Digest") == true)

        client.handleBytes(F.response("200 OK", cseq: 4, headers: ["Session: 12345678;timeout=30", "Transport: RTP/AVP/TCP;unicast;interleaved=0-1"]), now: Self.at(1))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.contains("SETUP rtsp://127.0.0.1:8554/test/stream=1") == true)
        #expect(sent.first?.contains("interleaved=2-3") == true)
        #expect(sent.first?.contains("Session: 12345678\r\n") == true)

        client.handleBytes(F.response("200 OK", cseq: 5, headers: ["Session: 12345678;timeout=30", "Transport: RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=0BADCAFE"]), now: Self.at(1))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("PLAY rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 6\r\n") == true)
        #expect(sent.first?.contains("Range: npt=0.000-") == true)

        client.handleBytes(F.response("200 OK", cseq: 6, headers: ["Session: 12345678"]) + F.interleaved(channel: 0, [0x80, 0x60, 0, 1])
                           + F.interleaved(channel: 3, [0x81, 0xC8]) + F.interleaved(channel: 9, [1]), now: Self.at(2))
        outputs = Self.drain(&client)
        #expect(outputs.count == 3)
        guard case .playing(let granted) = outputs.first else { Issue.record("expected playing"); return }
        #expect(granted.last?.ssrc == 0x0BAD_CAFE)
        #expect(outputs[1] == .rtp(track: 0, payload: [0x80, 0x60, 0, 1]))
        #expect(outputs[2] == .rtcp(track: 1, payload: [0x81, 0xC8]))
        #expect(client.unknownChannelFrames == 1)

        // Keep-alive at half the 30 s session timeout, with GET_PARAMETER since OPTIONS listed it.
        #expect(client.nextTimeout() == Self.at(17))
        client.handleTimeout(now: Self.at(17))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("GET_PARAMETER rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 7\r\n") == true)
        #expect(sent.first?.contains("Session: 12345678") == true)
        client.handleBytes(F.response("200 OK", cseq: 7), now: Self.at(17))
        #expect(client.nextTimeout() == Self.at(32))

        // A camera that rotates its nonce answers a keep-alive with 401: answered once with the new nonce.
        client.handleTimeout(now: Self.at(32))
        _ = Self.drain(&client)
        client.handleBytes(F.response("401 Unauthorized", cseq: 8, headers: [#"WWW-Authenticate: Digest realm="GStreamer Server", nonce="feed", stale=TRUE"#]), now: Self.at(32))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("GET_PARAMETER rtsp://127.0.0.1:8554/test RTSP/1.0\r\nCSeq: 9\r\n") == true)
        #expect(sent.first?.contains(#"nonce="feed""#) == true)
        client.handleBytes(F.response("200 OK", cseq: 9), now: Self.at(32))
        #expect(client.isPlaying)

        client.stop(now: Self.at(20))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("TEARDOWN rtsp://127.0.0.1:8554/test RTSP/1.0\r\n") == true)
        #expect(client.nextTimeout() == nil)
    }

    @Test func keepAliveFallsBackToOptions() throws {
        var client = try Self.client("rtsp://10.0.0.9/live")
        client.handleBytes(F.response("200 OK", cseq: 1, headers: ["Public: DESCRIBE, SETUP, PLAY, TEARDOWN"]), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 2, body: F.hikvisionSDP), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 3, headers: ["Session: ABC"]), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 4, headers: ["Session: ABC"]), now: Self.at(0))
        var sent = Self.sentText(Self.drain(&client))
        #expect(sent.last?.hasPrefix("PLAY rtsp://192.168.1.64:554/Streaming/Channels/101/?transportmode=unicast RTSP/1.0") == true)
        client.handleBytes(F.response("200 OK", cseq: 5), now: Self.at(0))
        #expect(client.isPlaying)
        #expect(client.nextTimeout() == Self.at(30))
        client.handleTimeout(now: Self.at(30))
        sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.hasPrefix("OPTIONS ") == true)
        #expect(sent.first?.contains("Session: ABC") == true)
    }

    @Test func notFoundIsAUserReadableFailure() throws {
        var client = try Self.client("rtsp://127.0.0.1:8554/nope")
        client.handleBytes(F.response("200 OK", cseq: 1), now: Self.at(0))
        client.handleBytes(F.response("404 Not Found", cseq: 2), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client)) == "404 Not Found from camera")
        #expect(client.nextTimeout() == nil)
    }

    @Test func wrongPasswordFailsAfterOneRetry() throws {
        var client = try Self.client("rtsp://admin:wrong@127.0.0.1:8554/test")
        client.handleBytes(F.response("200 OK", cseq: 1), now: Self.at(0))
        let challenge = #"WWW-Authenticate: Digest realm="GStreamer Server", nonce="aa""#
        client.handleBytes(F.response("401 Unauthorized", cseq: 2, headers: [challenge]), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client)) == nil)
        client.handleBytes(F.response("401 Unauthorized", cseq: 3, headers: [challenge]), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client)) == "401 Unauthorized from camera")
    }

    @Test func unauthorizedWithoutCredentials() throws {
        var client = try Self.client("rtsp://127.0.0.1:8554/test")
        client.handleBytes(F.response("401 Unauthorized", cseq: 1, headers: [#"WWW-Authenticate: Basic realm="x""#]), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client))?.hasPrefix("401 Unauthorized from camera") == true)
    }

    @Test func redirectsAreFollowedUpToThree() throws {
        var client = try Self.client("rtsp://user:pw@cam-a/live")
        client.handleBytes(F.response("302 Moved", cseq: 1, headers: ["Location: rtsp://cam-b:8554/live"]), now: Self.at(0))
        var outputs = Self.drain(&client)
        #expect(outputs.last == .connect(host: "cam-b", port: 8554, secure: false))
        for hop in 0..<3 {
            client.handleConnected(now: Self.at(0))
            let sent = Self.sentText(Self.drain(&client))
            #expect(sent.first?.hasPrefix("OPTIONS rtsp://cam-b:8554/live") == true)
            client.handleBytes(F.response("301 Moved", cseq: 2 + hop, headers: ["Location: rtsp://cam-b:8554/live"]), now: Self.at(0))
            outputs = Self.drain(&client)
        }
        #expect(Self.failure(outputs) == "more than 3 redirects from camera")
    }

    /// rtsps to rtsp on the same host, or another host: the credentials stay behind; the same host and scheme
    /// (host compared without case) keeps them.
    @Test(arguments: [
        ("rtsps://user:pw@cam-a/live", "rtsp://cam-a/live", false),
        ("rtsp://user:pw@cam-a/live", "rtsp://cam-b/live", false),
        ("rtsp://user:pw@cam-a/live", "rtsp://CAM-A:8554/other", true),
    ])
    func redirectKeepsCredentialsOnlyForTheSameHostAndScheme(from: String, to location: String, keeps: Bool) throws {
        var client = try Self.client(from)
        client.handleBytes(F.response("302 Moved", cseq: 1, headers: ["Location: \(location)"]), now: Self.at(0))
        _ = Self.drain(&client)
        client.handleConnected(now: Self.at(0))
        _ = Self.drain(&client)
        client.handleBytes(F.response("401 Unauthorized", cseq: 2, headers: [#"WWW-Authenticate: Digest realm="cam", nonce="n""#]),
                           now: Self.at(0))
        let outputs = Self.drain(&client)
        let retried = Self.sentText(outputs).contains { $0.contains("Authorization: Digest username=\"user\"") }
        #expect(retried == keeps)
        if !keeps {
            #expect(Self.failure(outputs)?.contains("not sent on after a redirect to another host or scheme") == true)
        }
    }

    /// A camera (or someone on the path) that offered Digest and then asks for Basic over rtsp:// gets no password.
    @Test func basicAfterDigestIsRefusedOverPlainRTSP() throws {
        var client = try Self.client("rtsp://admin:12345@cam/live")
        _ = Self.drain(&client)  // the first OPTIONS
        client.handleBytes(F.response("401 Unauthorized", cseq: 1, headers: [#"WWW-Authenticate: Digest realm="cam", nonce="n""#]),
                           now: Self.at(0))
        #expect(Self.sentText(Self.drain(&client)).first?.contains("Authorization: Digest") == true)
        client.handleBytes(F.response("200 OK", cseq: 2), now: Self.at(0))
        _ = Self.drain(&client)
        client.handleBytes(F.response("401 Unauthorized", cseq: 3, headers: [#"WWW-Authenticate: Basic realm="cam""#]), now: Self.at(0))
        let outputs = Self.drain(&client)
        #expect(!Self.sentText(outputs).contains { $0.contains("Authorization: Basic") })
        #expect(Self.failure(outputs)?.contains("only Basic") == true)
    }

    @Test func noAnswerTimesOut() throws {
        var client = try Self.client("rtsp://cam/live")
        _ = Self.drain(&client)
        #expect(client.nextTimeout() == Self.at(10))
        client.handleTimeout(now: Self.at(9))
        #expect(Self.failure(Self.drain(&client)) == nil)
        client.handleTimeout(now: Self.at(10))
        #expect(Self.failure(Self.drain(&client)) == "no answer to OPTIONS within 10 s")
    }

    @Test func udpAsksForPortsAndSendsClientPorts() throws {
        var client = try Self.client("rtsp://cam/live", transport: .udp)
        client.handleBytes(F.response("200 OK", cseq: 1), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 2, headers: ["Content-Base: rtsp://cam/live/"], body: F.gstreamerSDP), now: Self.at(0))
        let outputs = Self.drain(&client)
        #expect(outputs.last == .needClientPorts(count: 2))
        client.provideClientPorts([(5000, 5001), (5002, 5003)], now: Self.at(0))
        let sent = Self.sentText(Self.drain(&client))
        #expect(sent.first?.contains("Transport: RTP/AVP;unicast;client_port=5000-5001\r\n") == true)
        client.handleBytes(F.response("461 Unsupported Transport", cseq: 3), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client)) == "461 Unsupported Transport from camera")
    }

    @Test func udpRefusedFallsBackToInterleavedOnTheSameConnection() throws {
        var configuration = RTSPClient.Configuration(url: Redacted("rtsp://cam/live"), transport: .udp)
        configuration.fallBackToTCP = true
        var client = try RTSPClient(configuration: configuration)
        client.start()
        client.handleConnected(now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 1), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 2, headers: ["Content-Base: rtsp://cam/live/"], body: F.gstreamerSDP), now: Self.at(0))
        _ = Self.drain(&client)
        client.provideClientPorts([(5000, 5001), (5002, 5003)], now: Self.at(0))
        _ = Self.drain(&client)
        client.handleBytes(F.response("461 Unsupported Transport", cseq: 3), now: Self.at(0))
        let outputs = Self.drain(&client)
        #expect(outputs.first == .switchedToTCP)
        #expect(Self.sentText(outputs).first?.contains("Transport: RTP/AVP/TCP;unicast;interleaved=0-1\r\n") == true)
        #expect(client.transportMode == .tcp)
        client.handleBytes(F.response("200 OK", cseq: 4, headers: ["Session: S"]), now: Self.at(0))
        #expect(Self.sentText(Self.drain(&client)).first?.contains("interleaved=2-3") == true)
    }

    @Test func unsupportedCodecFailsWithItsName() throws {
        var client = try Self.client("rtsp://10.0.0.9/")
        client.handleBytes(F.response("200 OK", cseq: 1), now: Self.at(0))
        client.handleBytes(F.response("200 OK", cseq: 2, body: F.mjpegSDP), now: Self.at(0))
        #expect(Self.failure(Self.drain(&client)) == "no supported video codec: MJPEG")
    }

    @Test func serverRequestsAreAnswered() throws {
        var client = try Self.client("rtsp://cam/live")
        _ = Self.drain(&client)
        client.handleBytes(Array("OPTIONS * RTSP/1.0\r\nCSeq: 77\r\n\r\n".utf8), now: Self.at(0))
        let sent = Self.sentText(Self.drain(&client))
        #expect(sent == ["RTSP/1.0 200 OK\r\nCSeq: 77\r\n\r\n"])
    }

    @Test func malformedAnswersEndTheSessionNeverTrap() throws {
        let script: [[UInt8]] = [
            F.response("200 OK", cseq: 1), F.response("200 OK", cseq: 2, headers: ["Content-Base: rtsp://cam/live/"], body: F.dahuaSDP),
            F.response("200 OK", cseq: 3, headers: ["Session: S;timeout=10", "Transport: RTP/AVP/TCP;interleaved=0-1"]),
            F.response("200 OK", cseq: 4, headers: ["Session: S"]), F.response("200 OK", cseq: 5),
        ]
        let stream = script.flatMap { $0 }
        var random = SeededGenerator(seed: 99)
        for _ in 0..<400 {
            var bytes = stream
            for _ in 0..<Int.random(in: 1...8, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &random)))
            var client = try Self.client("rtsp://cam/live")
            client.handleBytes(bytes, now: Self.at(0))
            _ = Self.drain(&client)
            client.handleTimeout(now: Self.at(100))
            _ = Self.drain(&client)
        }
    }
}
