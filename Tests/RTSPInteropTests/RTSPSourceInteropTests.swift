import InteropSupport
import BridgeCore
import BridgeGateway
import BridgeRTP
import Foundation
import Testing

/// RTSPSource against a real gst-rtsp-server. One server process per test, stopped by PID.
@Suite(.serialized, .ownThread) struct RTSPSourceInteropTests {
    static func videoFrames(_ state: CollectingSink.State) -> [MediaFrame] {
        state.frames.filter { $0.frame.codec == .h264 || $0.frame.codec == .h265 }.map(\.frame)
    }

    static func audioFrames(_ state: CollectingSink.State) -> [MediaFrame] {
        state.frames.filter { $0.frame.codec == .aac }.map(\.frame)
    }

    /// Frames of every track but the video one (audio of any codec).
    static func otherFrames(_ state: CollectingSink.State) -> [MediaFrame] {
        state.frames.filter { $0.frame.codec != .h264 && $0.frame.codec != .h265 }.map(\.frame)
    }

    static func nalType(_ unit: [UInt8]) -> UInt8 { (unit.first ?? 0) & 0x1F }

    func play(_ url: String, transport: RouteConfig.RTSPTransport = .tcp, videoFrames: Int = 50, audioFrames: Int = 20,
              udpBindHost: String = "0.0.0.0", tlsVerification: TLSVerification = .full, udpPorts: ClosedRange<Int>? = nil)
        async throws -> CollectingSink.State
    {
        let sink = CollectingSink()
        var options = RTSPSource.Options(url: Redacted(url), transport: transport)
        options.udpBindHost = udpBindHost
        options.tlsVerification = tlsVerification
        options.udpPorts = udpPorts
        let source = RTSPSource(options: options)
        source.start(sink: sink)
        let enough = await sink.wait(timeout: .seconds(20)) { state in
            state.ended || (Self.videoFrames(state).count >= videoFrames && Self.otherFrames(state).count >= audioFrames)
        }
        let statistics = await source.statistics()
        #expect(statistics.isPlaying)
        #expect(statistics.counters.allSatisfy { $0.brokenFrames == 0 && $0.malformedPackets == 0 && $0.lostPackets == 0 })
        #expect(!statistics.videoHasBFrames)
        source.stop()
        let ended = await sink.wait(timeout: .seconds(5)) { $0.ended }
        let state = sink.snapshot
        #expect(ended, "the source did not end within 5 s of stop()")
        #expect(enough, "not enough frames within 20 s: \(Self.videoFrames(state).count) video, \(Self.audioFrames(state).count) audio, error \(String(describing: state.error))")
        return state
    }

    static func checkStream(_ state: CollectingSink.State) {
        #expect(state.error == nil)
        #expect(state.describeCount == 1)
        #expect(state.callsAfterEnd == 0)
        #expect(state.tracks?.map(\.codec) == [.h264, .aac])
        #expect(state.tracks?.first?.parameterSets.count == 2)
        #expect(state.tracks?.first?.width == 320 && state.tracks?.first?.height == 240)
        #expect(state.tracks?.last?.audioSpecificConfig.isEmpty == false)
        let video = videoFrames(state)
        // The first frame out is a whole IDR access unit led by SPS and PPS (from the stream or the SDP).
        #expect(video.first?.isKeyframe == true)
        if let first = video.first {
            let types = first.units.map(nalType)
            // x264 starts each access unit with a delimiter (9), which stays first.
            #expect(types.drop { $0 == 9 }.prefix(2) == [7, 8], "first access unit NAL types \(types)")
            #expect(types.contains(5))
        }
        // Every later keyframe too (gst does not repeat SPS/PPS in-band: they come from sprop-parameter-sets).
        for frame in video where frame.isKeyframe {
            #expect(frame.units.map(nalType).contains(7) && frame.units.map(nalType).contains(8))
        }
        // In order, whole: 25 fps at 90 kHz is 3600 ticks apart, no frame lost on loopback.
        let steps = zip(video, video.dropFirst()).map { $1.timestamp - $0.timestamp }
        #expect(steps.allSatisfy { $0 > 0 }, "video timestamps not increasing: \(steps.prefix(20))")
        #expect(steps.allSatisfy { $0 == 3600 }, "video frames missing: \(steps.filter { $0 != 3600 }.prefix(10))")
        let audio = audioFrames(state)
        let audioSteps = zip(audio, audio.dropFirst()).map { $1.timestamp - $0.timestamp }
        #expect(audioSteps.allSatisfy { $0 == 1024 }, "AAC timestamps: \(audioSteps.prefix(10))")
        #expect(audio.allSatisfy { $0.units.count == 1 && !$0.units[0].isEmpty })
    }

    @Test func tcpInterleavedH264AndAAC() async throws {
        let camera = try RTSPCameraProcess()
        defer { camera.stop() }
        let state = try await play(camera.url())
        Self.checkStream(state)
    }

    /// gst sends RTCP sender reports within a few seconds; the source keeps the latest per track.
    @Test func senderReportsForLipSync() async throws {
        let camera = try RTSPCameraProcess()
        defer { camera.stop() }
        let sink = CollectingSink()
        let source = RTSPSource(options: .init(url: Redacted(camera.url()), transport: .tcp))
        source.start(sink: sink)
        var statistics = RTSPSourceStatistics()
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            statistics = await source.statistics()
            if statistics.senderReports.count == 2, statistics.senderReports.allSatisfy({ $0 != nil }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        source.stop()
        #expect(statistics.senderReports.count == 2)
        #expect(statistics.senderReports.allSatisfy { ($0?.ntpTimestamp ?? 0) > 0 }, "no sender report within 15 s")
    }

    /// Client ports from `routes[].udp_ports` (two pairs: video and audio).
    @Test func udpH264AndAAC() async throws {
        let camera = try RTSPCameraProcess()
        defer { camera.stop() }
        let state = try await play(camera.url(), transport: .udp, udpPorts: 41_000...41_019)
        #expect(state.error == nil)
        let types = Self.videoFrames(state).first?.units.map(Self.nalType) ?? []
        #expect(types.drop { $0 == 9 }.prefix(2) == [7, 8], "first access unit NAL types \(types)")
        #expect(Self.audioFrames(state).count >= 20)
    }

    /// `auto` tries UDP first; a camera that answers 461 to UDP SETUP gets a TCP session instead.
    @Test func autoFallsBackToTCPOn461() async throws {
        let camera = try RTSPCameraProcess(tcpOnly: true)
        defer { camera.stop() }
        let state = try await play(camera.url(), transport: .auto, videoFrames: 25)
        #expect(state.error == nil)
        #expect(state.describeCount == 1)
        #expect(Self.videoFrames(state).first?.isKeyframe == true)
    }

    /// `auto` with UDP that never arrives: the ports are bound on 127.0.0.2 while the camera sends to
    /// 127.0.0.1, so after 3 s without media the source switches to TCP.
    @Test func autoFallsBackToTCPWhenNoUDPMediaArrives() async throws {
        let camera = try RTSPCameraProcess()
        defer { camera.stop() }
        let started = ContinuousClock.now
        let state = try await play(camera.url(), transport: .auto, videoFrames: 25, udpBindHost: "127.0.0.2")
        #expect(state.error == nil)
        #expect(state.describeCount == 1)
        #expect(ContinuousClock.now - started >= .seconds(3))
        #expect(Self.videoFrames(state).first?.isKeyframe == true)
    }

    /// H.265 (VPS/SPS/PPS before the IRAP) with Opus, and H.264 with PCMU, over TCP.
    @Test func h265WithOpusAndH264WithG711() async throws {
        let camera = try RTSPCameraProcess(mounts: ["/hevc=h265+opus:25", "/g711=h264+pcmu:25", "/alaw=h264+pcma:25"])
        defer { camera.stop() }
        // Waits for both tracks: a software H.265 encoder on a busy machine starts slower than Opus.
        let hevc = try await play(camera.url("/hevc"), videoFrames: 10, audioFrames: 40)
        #expect(hevc.error == nil)
        #expect(hevc.tracks?.map(\.codec) == [.h265, .opus])
        let video = hevc.frames.filter { $0.frame.codec == .h265 }.map(\.frame)
        #expect(video.count >= 10)
        let types = video.first?.units.map { ($0.first ?? 0) >> 1 & 0x3F } ?? []
        #expect(video.first?.isKeyframe == true)
        #expect(types.drop { $0 == 35 }.prefix(3) == [32, 33, 34], "first H.265 access unit NAL types \(types)")
        let opus = hevc.frames.filter { $0.frame.codec == .opus }.map(\.frame)
        #expect(opus.count >= 20)
        #expect(zip(opus, opus.dropFirst()).allSatisfy { $1.timestamp - $0.timestamp == 960 })

        let g711 = try await play(camera.url("/g711"), videoFrames: 25)
        #expect(g711.error == nil)
        #expect(g711.tracks?.map(\.codec) == [.h264, .pcmu])
        #expect(g711.tracks?.last?.clockRate == 8000)
        #expect(g711.frames.contains { $0.frame.codec == .pcmu && !$0.frame.units[0].isEmpty })

        let alaw = try await play(camera.url("/alaw"), videoFrames: 25)
        #expect(alaw.error == nil)
        #expect(alaw.tracks?.map(\.codec) == [.h264, .pcma])
        #expect(alaw.frames.contains { $0.frame.codec == .pcma && !$0.frame.units[0].isEmpty })
    }

    /// rtsps:// (RTSP over TLS, interleaved media) to a camera with a self-signed certificate, which needs
    /// `tls_verify: false` (or a pin: below).
    @Test func rtspsOverTLS() async throws {
        let pem = try RTSPCameraProcess.makeSelfSignedPEM()
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: pem).deletingLastPathComponent()) }
        let camera = try RTSPCameraProcess(tlsPEM: pem)
        defer { camera.stop() }
        let state = try await play(camera.url(scheme: "rtsps"), videoFrames: 25, tlsVerification: .none)
        Self.checkStream(state)
    }

    /// `routes[].tls_fingerprint`: the camera's certificate pinned by its SHA-256; a wrong pin is refused.
    @Test func rtspsWithAPinnedCertificate() async throws {
        let pem = try RTSPCameraProcess.makeSelfSignedPEM()
        defer { try? FileManager.default.removeItem(at: URL(fileURLWithPath: pem).deletingLastPathComponent()) }
        let camera = try RTSPCameraProcess(tlsPEM: pem)
        defer { camera.stop() }
        let fingerprint = try Self.sha256Fingerprint(ofPEM: pem)
        let state = try await play(camera.url(scheme: "rtsps"), videoFrames: 25, tlsVerification: .pinned(fingerprint))
        Self.checkStream(state)

        let sink = CollectingSink()
        var options = RTSPSource.Options(url: Redacted(camera.url(scheme: "rtsps")), transport: .tcp)
        options.tlsVerification = .pinned(fingerprint.map { $0 ^ 0xFF })
        let source = RTSPSource(options: options)
        source.start(sink: sink)
        let ended = await sink.wait(timeout: .seconds(15)) { $0.ended }
        source.stop()
        #expect(ended, "a camera whose certificate does not match the pin is refused")
        #expect(sink.snapshot.frames.isEmpty)
        #expect(sink.snapshot.error != nil)
    }

    /// The DER SHA-256 of a PEM certificate, through the openssl CLI (what a user would run).
    static func sha256Fingerprint(ofPEM pem: String) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["x509", "-in", pem, "-noout", "-fingerprint", "-sha256"]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let hex = (text.split(separator: "=").last ?? "").filter(\.isHexDigit)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex) {
            bytes.append(UInt8(hex[index..<next], radix: 16) ?? 0)
            index = next
        }
        #expect(bytes.count == 32, "openssl printed \(text)")
        return bytes
    }

    /// AAC as MP4A-LATM (rtpmp4apay, cpresent=0): the AudioSpecificConfig comes out of the StreamMuxConfig.
    @Test func h264WithLATMAudio() async throws {
        let camera = try RTSPCameraProcess(mounts: ["/latm=h264+latm:25"])
        defer { camera.stop() }
        let state = try await play(camera.url("/latm"), videoFrames: 25)
        #expect(state.error == nil)
        #expect(state.tracks?.map(\.codec) == [.h264, .aac])
        #expect(state.tracks?.last?.audioSpecificConfig.count == 2)
        let audio = Self.audioFrames(state)
        #expect(audio.count >= 20)
        #expect(zip(audio, audio.dropFirst()).allSatisfy { $1.timestamp - $0.timestamp == 1024 })
    }

    @Test func digestAuthentication() async throws {
        let camera = try RTSPCameraProcess(user: "admin", password: "s3cret")
        defer { camera.stop() }
        let state = try await play(camera.url(credentials: "admin:s3cret"), videoFrames: 25)
        Self.checkStream(state)
    }

    /// Credentials from the route config (`username`, `password`) rather than the URL.
    @Test func digestWithCredentialsFromTheRouteConfig() async throws {
        let camera = try RTSPCameraProcess(user: "admin", password: "s3cret")
        defer { camera.stop() }
        let config = try ConfigLoader().parse(yaml: """
            routes: [{name: cam, source: "\(camera.url())", username: admin, password: s3cret}]
            """)
        let route = try #require(config.routes.first)
        let source = try #require(RTSPSource(route: route))
        let sink = CollectingSink()
        source.start(sink: sink)
        let playing = await sink.wait(timeout: .seconds(20)) { $0.ended || $0.frames.count >= 25 }
        source.stop()
        #expect(playing && sink.snapshot.error == nil, "error: \(String(describing: sink.snapshot.error))")
        #expect(sink.snapshot.frames.count >= 25)
    }

    @Test func wrongPasswordEndsWith401() async throws {
        let camera = try RTSPCameraProcess(user: "admin", password: "s3cret")
        defer { camera.stop() }
        let sink = CollectingSink()
        let source = RTSPSource(options: .init(url: Redacted(camera.url(credentials: "admin:wrong")), transport: .tcp))
        source.start(sink: sink)
        let ended = await sink.wait(timeout: .seconds(15)) { $0.ended }
        source.stop()
        #expect(ended)
        #expect(sink.snapshot.error?.description == "401 Unauthorized from camera")
        #expect(sink.snapshot.error?.isTransient == false)
        #expect(sink.snapshot.tracks == nil)
    }

    @Test func unknownMountIs404() async throws {
        let camera = try RTSPCameraProcess()
        defer { camera.stop() }
        let sink = CollectingSink()
        let source = RTSPSource(options: .init(url: Redacted(camera.url("/nope")), transport: .tcp))
        source.start(sink: sink)
        #expect(await sink.wait(timeout: .seconds(15)) { $0.ended })
        #expect(sink.snapshot.error?.description == "404 Not Found from camera")
    }

    @Test func refusedConnection() async throws {
        // A port the camera listened on and gave back: nothing listens there now.
        let camera = try RTSPCameraProcess()
        let port = camera.port
        camera.stop()
        let sink = CollectingSink()
        let source = RTSPSource(options: .init(url: Redacted("rtsp://127.0.0.1:\(port)/test"), transport: .tcp))
        source.start(sink: sink)
        #expect(await sink.wait(timeout: .seconds(10)) { $0.ended })
        #expect(sink.snapshot.error?.description.hasPrefix("connection refused") == true,
                "\(String(describing: sink.snapshot.error))")
    }
}
