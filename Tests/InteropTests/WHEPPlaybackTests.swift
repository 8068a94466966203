import Foundation
import InteropSupport
import Testing

/// Real viewers on the demo route: headless Chromium through the gateway's own page, and aiortc clients
/// several at once, one of them vanishing without a word.
@Suite(.serialized, .ownThread) struct WHEPPlaybackTests {
    static let demoRoute = #"[{name: demo, source: "file:$SAMPLES/demo.mp4", mode: always-on}]"#

    struct PlayerResult: Decodable {
        struct Snapshot: Decodable {
            var connection: String?
            var framesDecoded: Int?
            var audioPackets: Int?
            var audioLevel: Double?
            var firstFrameMs: Int?
            var width: Int?
            var error: String?
        }
        var snapshot: Snapshot?
        var errors: [String]
    }

    @Test func chromiumPlaysTheDemoRouteWithSoundFromThePage() async throws {
        let gateway = try PeerProcess.Gateway(routes: Self.demoRoute)
        defer { gateway.stop() }
        let output = try PeerProcess.runPython("Tests/Interop/chromium_player.py",
                                               arguments: ["http://127.0.0.1:\(gateway.httpPort)", "demo", "20", "50"], timeout: .seconds(60))
        let result = try JSONDecoder().decode(PlayerResult.self, from: Data(output.utf8))
        let snapshot = try #require(result.snapshot)
        #expect(snapshot.error == nil)
        #expect(snapshot.connection == "connected")
        #expect((snapshot.framesDecoded ?? 0) >= 50, "frames decoded: \(snapshot.framesDecoded ?? 0)")
        #expect(snapshot.width == 640)
        #expect((snapshot.audioPackets ?? 0) > 50)
        #expect((snapshot.audioLevel ?? 0) > 0.01, "AAC became Opus that Chromium plays with a level")
        let firstFrame = try #require(snapshot.firstFrameMs)
        // A sanity bound only: the start-up figure itself comes from the benchmarks and the printed line below.
        #expect(firstFrame < 5000, "first frame after \(firstFrame) ms")
        #expect(result.errors.isEmpty, "page errors: \(result.errors)")
        print("chromium demo route: first frame \(firstFrame) ms after POST, \(snapshot.framesDecoded ?? 0) frames")
    }

    struct Joins: Decodable {
        var firstFrameMs: [Int]
        var errors: [String]
    }

    /// Time to first frame (POST to the first frame the video element presents) over 20 joins: every join
    /// shows a frame (within the script's 8 s), and the figures are printed. The bound on the median is a sanity
    /// bound only; on a busy machine a single join can take seconds, so the speed goal lives in the benchmarks.
    /// Also with the sessions on two event loops, whose sockets share the port: the kernel hands some
    /// browsers' datagrams to the loop that does not own their session, which passes them on.
    @Test func twentyChromiumJoinsEachShowAFrame() async throws {
        let gateway = try PeerProcess.Gateway(routes: Self.demoRoute, webrtcYAML: "threads: 2")
        defer { gateway.stop() }
        let output = try PeerProcess.runPython("Tests/Interop/chromium_joins.py",
                                               arguments: ["http://127.0.0.1:\(gateway.httpPort)", "demo", "20"], timeout: .seconds(120))
        let joins = try JSONDecoder().decode(Joins.self, from: Data(output.utf8))
        #expect(joins.errors.isEmpty, "\(joins.errors)")
        #expect(joins.firstFrameMs.count == 20)
        let sorted = joins.firstFrameMs.sorted()
        guard !sorted.isEmpty else { return }
        // Nearest rank: of 20 joins the 95th percentile is the 19th, not the slowest.
        let p50 = sorted[(sorted.count - 1) / 2], p95 = sorted[max(0, (sorted.count * 95 + 99) / 100 - 1)]
        #expect(p50 < 2000, "median \(p50) ms over \(sorted)")
        let metrics = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/metrics").body
        let handedOff = metrics.split(separator: "\n").filter { $0.hasPrefix("mediabridge_webrtc_handed_off_total{") }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }.reduce(0, +)
        #expect(handedOff > 0, "20 browsers over 2 loops: some datagrams reach the other loop's socket")
        print("time to first frame over \(sorted.count) Chromium joins: p50 \(p50) ms, p95 \(p95) ms, max \(sorted.last ?? 0) ms; "
              + "\(Int(handedOff)) datagrams handed to their session's loop")
    }

    struct ViewerResults: Decodable {
        struct Viewer: Decodable {
            var connection: String
            var video: Int
            var audio: Int
            var firstFrame: Double?
            var size: [Int]?
            /// Seconds from the last decoded video frame to the end of the run.
            var lastFrameAge: Double?
        }
        var viewers: [Viewer]
    }

    struct Sessions: Decodable {
        struct Session: Decodable { var id: String; var timeToFirstFrameMilliseconds: Int? }
        var sessions: [Session]
    }

    @Test func severalAiortcViewersAllReceiveAndAVanishedOneIsReaped() async throws {
        let gateway = try PeerProcess.Gateway(routes: Self.demoRoute)
        defer { gateway.stop() }
        let url = "http://127.0.0.1:\(gateway.httpPort)/whep/demo"
        // One viewer that will vanish: killed by PID with no DELETE and no DTLS close_notify.
        let doomed = try PeerProcess.startPythonCapturing("Tests/Interop/aiortc_whep.py", arguments: [url, "120", "1"],
                                                          waitFor: "started", timeout: .seconds(30))
        defer { doomed.stop() }
        try await Task.sleep(for: .seconds(2))
        doomed.stop()

        let output = try PeerProcess.runPython("Tests/Interop/aiortc_whep.py", arguments: [url, "5", "3"], timeout: .seconds(60))
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
        let results = try JSONDecoder().decode(ViewerResults.self, from: Data(lastLine.utf8))
        #expect(results.viewers.count == 3)
        for viewer in results.viewers {
            #expect(viewer.connection == "connected")
            #expect(viewer.video >= 50, "video frames: \(viewer.video)")
            #expect(viewer.audio >= 100, "audio frames: \(viewer.audio)")
            #expect(viewer.size == [640, 360])
            // A sanity bound only; aiortc's Python decoder on a busy machine is slow to start.
            #expect((viewer.firstFrame ?? 99) < 5.0, "first frame after \(viewer.firstFrame ?? -1) s")
        }

        // Consent freshness (RFC 7675): the killed viewer's session goes within about 30 s.
        let started = ContinuousClock.now
        var remaining = -1
        for _ in 0..<90 {
            let reply = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/api/v1/routes/demo/sessions")
            remaining = try JSONDecoder().decode(Sessions.self, from: Data(reply.body.utf8)).sessions.count
            if remaining == 0 { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(remaining == 0, "the vanished viewer is still listed after \(ContinuousClock.now - started)")
        print("vanished viewer reaped \(ContinuousClock.now - started) after the others finished")
    }
}
