import BridgeCore
import BridgeGateway
import BridgeMedia
import BridgeRTP
import InteropSupport
import Testing

/// A camera's AAC (gst-rtsp-server, 44.1 kHz sine) through the route's transcoder: Opus frames a decoder
/// accepts, 20 ms apart, carrying the tone (decoded back with libavcodec and measured).
@Suite(.serialized, .ownThread) struct CameraAudioTranscodeTests {
    @Test func cameraAACBecomesOpusWithTheToneInIt() async throws {
        let camera = try RTSPCameraProcess(mounts: ["/cam=h264+aac:25"])
        defer { camera.stop() }
        let sink = CollectingSink()
        let source = RTSPSource(options: RTSPSource.Options(url: Redacted(camera.url("/cam")), transport: .tcp))
        source.start(sink: sink)
        let enough = await sink.wait(timeout: .seconds(20)) { state in
            state.ended || state.frames.filter { $0.frame.codec == .aac }.count >= 120
        }
        source.stop()
        let state = sink.snapshot
        #expect(enough, "AAC frames: \(state.frames.filter { $0.frame.codec == .aac }.count), error \(String(describing: state.error))")
        let aacTrack = try #require(state.tracks?.first { $0.codec == .aac })
        let transcoder = try AudioTranscoder(from: aacTrack)
        let opus = state.frames.filter { $0.frame.codec == .aac }.flatMap { transcoder.transcode($0.frame) }
        #expect(transcoder.failures == 0)
        #expect(opus.count >= 100, "Opus frames: \(opus.count)")
        for pair in zip(opus, opus.dropFirst()) { #expect(pair.1.timestamp - pair.0.timestamp == 960) }
        let decoder = try AudioDecoder(track: MediaTrackInfo(codec: .opus, clockRate: 48_000, channels: 2))
        var samples: [Int16] = []
        for frame in opus.dropFirst(5) { try decoder.decode(frame.units[0], into: &samples) }
        let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot()
        #expect(rms > 500, "the camera's sine survives AAC → Opus (rms \(rms))")
    }
}

/// `mediabridge probe` on a camera (the same code the CLI prints): tracks, the browser verdict and the time
/// to the first keyframe; and a clear error for a path the camera does not have.
@Suite(.serialized, .ownThread) struct CameraProbeTests {
    @Test func probeDescribesACameraAndItsErrors() async throws {
        let camera = try RTSPCameraProcess(mounts: ["/cam=h264+aac:25"])
        defer { camera.stop() }
        let report = await SourceProbe(source: try SourceURL.parse(camera.url("/cam")).get(), duration: .seconds(3)).run()
        let text = report.description
        #expect(text.contains("track 0: H264 profile-level-id 42c0"), "\(text)")
        #expect(text.contains("320x240"))
        #expect(text.contains("plays directly (H.264)"))
        #expect(text.contains("track 1: MPEG4-GENERIC"))
        #expect(text.contains("through transcode: AAC to Opus"))
        #expect(report.timeToFirstKeyframe != nil)
        let missing = await SourceProbe(source: try SourceURL.parse(camera.url("/nope")).get(), duration: .seconds(3)).run()
        #expect(missing.error == "404 Not Found from camera")
    }
}
