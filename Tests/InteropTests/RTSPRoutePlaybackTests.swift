import Foundation
import InteropSupport
import Testing

/// A real camera (gst-rtsp-server) through the gateway into headless Chromium: H.264 + AAC with a keyframe
/// only every 4 s, and a camera that goes away and comes back while the browser keeps watching.
@Suite(.serialized, .ownThread) struct RTSPRoutePlaybackTests {
    struct Routes: Decodable {
        struct Route: Decodable { var name: String; var state: String; var error: String? }
        var routes: [Route]
    }

    func waitUntilLive(_ gateway: PeerProcess.Gateway, seconds: Int = 20) async throws -> Routes.Route? {
        var last: Routes.Route?
        for _ in 0..<(seconds * 5) {
            let reply = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/api/v1/routes")
            last = try JSONDecoder().decode(Routes.self, from: Data(reply.body.utf8)).routes.first
            if last?.state == "live" { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        return last
    }

    @Test func chromiumPlaysACameraWithAFourSecondGOPAtOnceWithSound() async throws {
        let camera = try RTSPCameraProcess(mounts: ["/cam=h264+aac:100"])
        defer { camera.stop() }
        let gateway = try PeerProcess.Gateway(routes: "[{name: cam, source: \"\(camera.url("/cam"))\", mode: always-on}]")
        defer { gateway.stop() }
        let route = try await waitUntilLive(gateway)
        #expect(route?.state == "live", "route: \(String(describing: route))")
        // Join mid-GOP: the next keyframe is up to 4 s away; the cached GOP must make that irrelevant.
        try await Task.sleep(for: .milliseconds(1500))
        let output = try PeerProcess.runPython("Tests/Interop/chromium_player.py",
                                               arguments: ["http://127.0.0.1:\(gateway.httpPort)", "cam", "20", "40"], timeout: .seconds(60))
        let result = try JSONDecoder().decode(WHEPPlaybackTests.PlayerResult.self, from: Data(output.utf8))
        let snapshot = try #require(result.snapshot)
        #expect(snapshot.connection == "connected")
        #expect((snapshot.framesDecoded ?? 0) >= 40, "frames decoded: \(snapshot.framesDecoded ?? 0)")
        #expect(snapshot.width == 320)
        #expect((snapshot.audioLevel ?? 0) > 0.01, "camera AAC plays as Opus with a level")
        let firstFrame = try #require(snapshot.firstFrameMs)
        // A sanity bound only (the figure is printed; speed goals live in the benchmarks).
        #expect(firstFrame < 5000, "first frame after \(firstFrame) ms with a 4 s keyframe interval")
        print("camera route (GOP 4 s): first frame \(firstFrame) ms after POST")
    }

    struct Watch: Decodable {
        var samples: [[JSONValue]]
    }

    enum JSONValue: Decodable {
        case number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let value = try? container.decode(Double.self) { self = .number(value) } else { self = .text(try container.decode(String.self)) }
        }
        var number: Double { if case .number(let value) = self { value } else { -1 } }
    }

    @Test func theBrowserKeepsItsSessionWhileTheCameraRestarts() async throws {
        var camera = try RTSPCameraProcess(mounts: ["/cam=h264+aac:25"])
        let port = camera.port
        defer { camera.stop() }
        let gateway = try PeerProcess.Gateway(routes: "[{name: cam, source: \"\(camera.url("/cam"))\", mode: always-on}]")
        defer { gateway.stop() }
        _ = try await waitUntilLive(gateway)
        let watcher = try PeerProcess.startPythonCapturing("Tests/Interop/chromium_watch.py",
                                                           arguments: ["http://127.0.0.1:\(gateway.httpPort)", "cam", "20"],
                                                           waitFor: "PLAYING", timeout: .seconds(40))
        defer { watcher.stop() }
        // The camera goes away for 3 s and comes back on the same port.
        camera.stop()
        try await Task.sleep(for: .seconds(3))
        camera = try RTSPCameraProcess(mounts: ["/cam=h264+aac:25"], port: port)
        let output = try watcher.finish(timeout: .seconds(40))
        let watch = try JSONDecoder().decode(Watch.self, from: Data((output.split(separator: "\n").last.map(String.init) ?? "").utf8))
        let frames = watch.samples.map { $0[1].number }
        let attempts = watch.samples.map { $0[2].number }
        let atOutage = frames.first ?? 0
        #expect((frames.last ?? 0) > atOutage + 100, "frames kept growing after the camera came back: \(frames)")
        #expect(attempts.allSatisfy { $0 == 1 }, "the page kept its one WHEP session: \(attempts)")
        let restarts = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/metrics").body
            .split(separator: "\n").first { $0.hasPrefix("mediabridge_route_source_restarts_total{route=\"cam\"}") }
        #expect(restarts?.hasSuffix(" 1") == true || restarts?.hasSuffix(" 2") == true, "\(restarts ?? "no metric")")
    }
}
