import Foundation
import InteropSupport
import Testing

/// Overload against the real binary: a test-only slow loop (`POST /api/v1/test/stall`, enabled only by
/// `MEDIABRIDGE_TEST_ENDPOINTS`) holds the WebRTC loop as a saturated machine would. The viewers already
/// in keep playing; a new viewer gets `503` with `Retry-After` while the loop is behind, and is admitted
/// once it has caught up.
@Suite(.serialized, .ownThread) struct OverloadTests {
    @Test func aStalledLoopKeepsTheFirstViewersAndRefusesTheRest() async throws {
        let gateway = try PeerProcess.Gateway(routes: WHEPPlaybackTests.demoRoute, webrtcYAML: "threads: 1")
        defer { gateway.stop() }
        let base = "http://127.0.0.1:\(gateway.httpPort)"
        let viewers = try PeerProcess.startPythonCapturing("Tests/Interop/aiortc_whep.py", arguments: ["\(base)/whep/demo", "16", "3"],
                                                           waitFor: "started", timeout: .seconds(30))
        defer { viewers.stop() }
        try await Task.sleep(for: .seconds(3))

        // Four stalls of 450 ms, 150 ms apart: two late ticks of the lag probe within 2 s shut admission.
        let offer = try HTTPRequest.fixture("chromium-whep-offer.sdp")
        var refused: HTTPReply?
        for _ in 0..<4 {
            let stall = try await HTTPRequest.send("POST", "\(base)/api/v1/test/stall?ms=450")
            #expect(stall.status == 202, "\(stall.body)")
            try await Task.sleep(for: .milliseconds(600))
        }
        for _ in 0..<10 where refused == nil {
            let reply = try await HTTPRequest.send("POST", "\(base)/whep/demo", headers: ["Content-Type": "application/sdp"], body: offer)
            if reply.status == 503 { refused = reply } else if let location = reply.header("Location") {
                _ = try await HTTPRequest.send("DELETE", base + location)
                _ = try await HTTPRequest.send("POST", "\(base)/api/v1/test/stall?ms=450")
                try await Task.sleep(for: .milliseconds(600))
            }
        }
        let refusal = try #require(refused, "no viewer was refused while the loop was stalled")
        #expect(refusal.header("Retry-After") != nil)
        #expect(refusal.body.contains("behind"), "\(refusal.body)")
        let metrics = try await HTTPRequest.send("GET", "\(base)/metrics")
        #expect(metrics.body.contains(#"mediabridge_webrtc_admission_refused_total{reason="overloaded"}"#))

        // The viewers that were in play on to the end.
        let output = try viewers.finish(timeout: .seconds(60))
        let lastLine = output.split(separator: "\n").last.map(String.init) ?? ""
        let results = try JSONDecoder().decode(WHEPPlaybackTests.ViewerResults.self, from: Data(lastLine.utf8))
        #expect(results.viewers.count == 3)
        for viewer in results.viewers {
            #expect(viewer.connection == "connected")
            #expect(viewer.video >= 100, "video frames: \(viewer.video)")
            #expect((viewer.lastFrameAge ?? 99) < 1.5, "the last frame came \(viewer.lastFrameAge ?? -1) s before the end")
        }

        // Caught up (the hold is 5 s): the door opens again.
        var admitted = false
        for _ in 0..<40 where !admitted {
            let reply = try await HTTPRequest.send("POST", "\(base)/whep/demo", headers: ["Content-Type": "application/sdp"], body: offer)
            admitted = reply.status == 201
            if !admitted { try await Task.sleep(for: .milliseconds(500)) }
        }
        #expect(admitted, "no viewer was admitted after the loop caught up")
    }
}
