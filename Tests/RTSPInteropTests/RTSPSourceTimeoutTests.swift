import BridgeCore
import BridgeGateway
import InteropSupport
import Testing

/// The source's timers and connection handling against a scripted fake camera (no gst needed).
@Suite(.ownThread) struct RTSPSourceTimeoutTests {
    /// `mediaTimeout` is 1 s where the test waits for it, longer where another ending must win even on a busy machine.
    func run(_ behavior: ScriptedCamera.Behavior, mediaTimeout: Duration = .seconds(1)) async throws -> MediaSourceError? {
        let camera = try await ScriptedCamera(behavior)
        var options = RTSPSource.Options(url: Redacted("rtsp://127.0.0.1:\(camera.port)/cam"), transport: .tcp)
        options.responseTimeout = .seconds(1)
        options.mediaTimeout = mediaTimeout
        let sink = CollectingSink()
        let source = RTSPSource(options: options)
        source.start(sink: sink)
        let ended = await sink.wait(timeout: mediaTimeout + .seconds(10)) { $0.ended }
        source.stop()
        await camera.stop()
        #expect(ended, "the source did not end within \(mediaTimeout + .seconds(10))")
        #expect(sink.snapshot.callsAfterEnd == 0)
        return sink.snapshot.error
    }

    @Test func noAnswerEndsAfterTheResponseTimeout() async throws {
        let error = try await run(.neverAnswer)
        #expect(error?.description == "no answer to OPTIONS within 1 s")
    }

    @Test func noMediaAfterPlayEndsAfterTheMediaTimeout() async throws {
        let error = try await run(.noMediaAfterPlay)
        #expect(error?.description == "no media from camera for 1 s")
    }

    @Test func cameraClosingTheConnectionEndsTheSource() async throws {
        let error = try await run(.closeAfterPlay, mediaTimeout: .seconds(30))
        #expect(error?.description == "the camera closed the connection")
    }

    @Test func stopBeforeAnythingHappensEndsCleanly() async throws {
        let camera = try await ScriptedCamera(.neverAnswer)
        let sink = CollectingSink()
        let source = RTSPSource(options: .init(url: Redacted("rtsp://127.0.0.1:\(camera.port)/cam"), transport: .tcp))
        source.start(sink: sink)
        source.stop()
        source.stop()
        #expect(await sink.wait(timeout: .seconds(5)) { $0.ended })
        #expect(sink.snapshot.error == nil)
        #expect(sink.snapshot.callsAfterEnd == 0)
        await camera.stop()
    }
}
