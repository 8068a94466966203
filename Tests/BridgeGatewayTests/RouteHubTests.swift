@testable import BridgeGateway
import BridgeDTLS
import BridgeRTP
import Logging
import NIOCore
import Synchronization
import Testing

/// The route supervisor and hub with a scripted source: start on demand, retry with backoff, idle stop,
/// B-frame warning.
@Suite(.serialized) struct RouteHubTests {
    /// A source whose behaviour each start takes from a script: fail with a message, or describe tracks and
    /// send the given frames.
    final class ScriptedSource: MediaSource, @unchecked Sendable {
        enum Step { case fail(String), play([MediaTrackInfo], [(Int, MediaFrame)]) }
        let step: Step
        let script: Script
        init(_ step: Step, script: Script) { self.step = step; self.script = script }
        func start(sink: any MediaSourceSink) {
            script.log.withLock { $0.append("start") }
            switch step {
            case .fail(let message): sink.source(didEndWith: MediaSourceError(message))
            case .play(let tracks, let frames):
                sink.source(didDescribe: tracks)
                for (track, frame) in frames { sink.source(didProduce: frame, track: track) }
            }
        }
        func stop() { script.log.withLock { $0.append("stop") } }
    }

    final class Script: @unchecked Sendable {
        let steps: Mutex<[ScriptedSource.Step]>
        let log = Mutex<[String]>([])
        init(_ steps: [ScriptedSource.Step]) { self.steps = Mutex(steps) }
        func next() -> ScriptedSource {
            let step = steps.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
            return ScriptedSource(step, script: self)
        }
    }

    static let video = MediaTrackInfo(codec: .h264, clockRate: 90_000, parameterSets: [[0x67, 0x42, 0xC0, 0x1F], [0x68, 0xCE]], profileLevelID: "42c01f")

    func withHub(mode: RouteConfig.Mode, idle: Duration = .seconds(10), script: Script,
                 _ body: (RouteHub, RouteRegistry) async throws -> Void) async throws {
        let server = try await WebRTCTransportServer.bind(host: "127.0.0.1", port: 0, advertise: ["127.0.0.1"], certificate: DTLSCertificate.generate())
        let route = RouteConfig(name: "cam", source: try SourceURL.parse("rtsp://10.0.0.1/stream").get(), mode: mode, idleTimeout: idle,
                                token: nil, transport: .tcp, video: .auto, audio: .auto)
        let registry = RouteRegistry(routes: [route])
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let hub = RouteHub(config: route, server: server, registry: registry, logger: logger, metrics: GatewayMetrics()) { _ in script.next() }
        do {
            try await body(hub, registry)
        } catch {
            hub.shutdown()
            await server.close()
            throw error
        }
        hub.shutdown()
        await server.close()
    }

    func state(_ registry: RouteRegistry) -> RouteRegistry.Entry? { registry.snapshot.first }

    @Test func onDemandStartsAtTheFirstRequestAndReportsTracks() async throws {
        let script = Script([.play([Self.video], [])])
        try await withHub(mode: .onDemand, script: script) { hub, registry in
            hub.boot()
            try await Task.sleep(for: .milliseconds(100))
            #expect(script.log.withLock { $0 }.isEmpty, "on-demand waits for a viewer")
            let tracks = try await hub.prepare()
            #expect(tracks == [Self.video])
            #expect(state(registry)?.state == .live)
        }
    }

    @Test func aFailingSourceShowsItsError() async throws {
        let script = Script([.fail("401 Unauthorized from camera")])
        try await withHub(mode: .alwaysOn, script: script) { hub, registry in
            hub.boot()
            for _ in 0..<200 where state(registry)?.state != .error { try await Task.sleep(for: .milliseconds(50)) }
            #expect(state(registry)?.lastError == "401 Unauthorized from camera")
        }
    }

    @Test func aFailedSourceIsRetriedAfterTheBackoff() async throws {
        let script = Script([.fail("no route to host"), .play([Self.video], [])])
        let started = ContinuousClock.now
        try await withHub(mode: .alwaysOn, script: script) { hub, registry in
            hub.boot()
            for _ in 0..<100 where state(registry)?.state != .live { try await Task.sleep(for: .milliseconds(100)) }
            #expect(state(registry)?.state == .live)
            #expect(script.log.withLock { $0 } == ["start", "start"])
            #expect(ContinuousClock.now - started >= .milliseconds(900), "the retry waits for the 1 s backoff")
        }
    }

    @Test func anOnDemandSourceStopsAfterTheIdleTimeout() async throws {
        let script = Script([.play([Self.video], [])])
        try await withHub(mode: .onDemand, idle: .seconds(3), script: script) { hub, registry in
            _ = try await hub.prepare()
            try await hub.addViewer(id: "v1", ufrag: "nosuch", plans: [])
            #expect(await hub.removeViewer(id: "v1", reason: nil))
            let left = ContinuousClock.now
            try await Task.sleep(for: .milliseconds(300))
            // The log first, then the clock: a thread paused between the two cannot make a timely stop look early.
            let stopped = script.log.withLock { $0 }.contains("stop")
            if ContinuousClock.now - left < .seconds(2) {
                #expect(!stopped, "still within the idle timeout")
            }
            for _ in 0..<80 where !script.log.withLock({ $0 }).contains("stop") { try await Task.sleep(for: .milliseconds(100)) }
            #expect(script.log.withLock { $0 } == ["start", "stop"])
            #expect(state(registry)?.state == .idle)
        }
    }

    @Test func bFramesAreReportedOnTheRoute() async throws {
        func frame(_ timestamp: Int64, key: Bool = false) -> (Int, MediaFrame) {
            (0, MediaFrame(codec: .h264, timestamp: timestamp, clockRate: 90_000, isKeyframe: key, units: [[key ? 0x65 : 0x41, 1, 2]]))
        }
        let script = Script([.play([Self.video], [frame(0, key: true), frame(9000), frame(3000), frame(6000)])])
        try await withHub(mode: .alwaysOn, script: script) { hub, registry in
            hub.boot()
            for _ in 0..<200 where state(registry)?.warning == nil { try await Task.sleep(for: .milliseconds(50)) }
            #expect(state(registry)?.warning?.contains("B-frames") == true)
        }
    }
}
