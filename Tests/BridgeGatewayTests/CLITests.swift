import InteropSupport
import Foundation
import NIOCore
import NIOPosix
import Testing

/// Runs the built `mediabridge` binary (`make test` builds it before the tests).
@Suite(.serialized, .ownThread) struct CLITests {
    static let binary = Fixtures.repositoryRoot + "/.build/debug/mediabridge"

    struct Outcome {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.repositoryRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                       stderr: String(decoding: stderr, as: UTF8.self))
    }

    @Test func binaryWasBuilt() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "run `swift build` (make test does) first")
    }

    @Test func checkConfigAcceptsTheDefaultConfig() throws {
        let outcome = try run(["check-config", "config/mediabridge.yaml"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("ok: 1 route; http on 127.0.0.1:8080"))
        #expect(outcome.stdout.contains("demo: file:samples/demo.mp4 (always-on)"))
    }

    @Test func probeDescribesTheDemoFile() throws {
        let outcome = try run(["probe", "file:samples/demo.mp4", "--seconds", "2"])
        #expect(outcome.status == 0, "\(outcome.stderr)")
        #expect(outcome.stdout.contains("track 0: H264 profile-level-id 42c01f 640x360 clock 90000"))
        #expect(outcome.stdout.contains("plays directly (H.264)"))
        #expect(outcome.stdout.contains("track 1: MPEG4-GENERIC clock 48000 2 ch"))
        #expect(outcome.stdout.contains("through transcode: AAC to Opus"))
        #expect(outcome.stdout.contains("first keyframe after"))
    }

    @Test func probeReportsAMissingFileAndExits1() throws {
        let outcome = try run(["probe", "file:samples/missing.mp4", "--seconds", "1"])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.contains("error: cannot open samples/missing.mp4: No such file or directory"))
    }

    @Test func checkConfigListsEveryProblemAndExits1() throws {
        let outcome = try run(["check-config", Fixtures.path("config/invalid.yaml")])
        #expect(outcome.status == 1)
        #expect(outcome.stdout.isEmpty)
        #expect(outcome.stderr.contains("3 problems"))
        #expect(outcome.stderr.contains(#"routes[1].source: unsupported scheme "htp" (did you mean "rtsp"?) (line 9)"#))
        #expect(outcome.stderr.contains(#"webrtc.udp_prot: unknown key "udp_prot" (did you mean "udp_port"?) (line 4)"#))
        #expect(outcome.stderr.contains("routes[0].source: environment variable CAM_PASSWORD is not set (line 7)"))
    }

    @Test func checkConfigNeverPrintsPasswords() throws {
        let outcome = try run(["check-config", Fixtures.path("config/camera.yaml")], environment: ["CAM_PASSWORD": "hunter2"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.contains("rtsp://admin:***@192.0.2.10:554/live"))
        #expect(!(outcome.stdout + outcome.stderr).contains("hunter2"))
    }

    @Test(arguments: [
        ("missing.yaml", "missing.yaml: no such file"),
        ("Tests/Fixtures/config", "Tests/Fixtures/config: is a directory, not a YAML file"),
        ("Tests/Fixtures/config/malformed.yaml", "Tests/Fixtures/config/malformed.yaml: not valid YAML: "),
    ])
    func unusableFilesExit2WithOneLine(file: String, message: String) throws {
        for command in [["check-config", file], ["run", "--config", file]] {
            let outcome = try run(command)
            #expect(outcome.status == 2)
            #expect(outcome.stderr.hasPrefix(message))
            #expect(outcome.stderr.split(separator: "\n").count == 1)
        }
    }

    @Test func versionPrints() throws {
        let outcome = try run(["--version"])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "0.1.0-dev")
    }

    @Test func portInUseNamesThePortAndTheKey() async throws {
        // Hold a port with a listener of our own, then point the gateway at it.
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(holder.localAddress?.port)
        let config = try writeConfig("http: {listen: '127.0.0.1:\(port)'}\nwebrtc: {tcp_port: 0}\nroutes: []\n")
        let outcome = try run(["run", "--config", config])
        try await holder.close()
        #expect(outcome.status == 1)
        #expect(outcome.stderr.contains("http.listen: port \(port) on 127.0.0.1 is already in use"))
    }

    @Test func runServesAndStopsOnSIGINTWithinTwoSeconds() async throws {
        let config = try writeConfig("http: {listen: '127.0.0.1:0'}\nwebrtc: {tcp_port: 0}\nroutes:\n  - name: demo\n    source: file:samples/demo.mp4\n")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["run", "--config", config]
        process.currentDirectoryURL = URL(fileURLWithPath: Fixtures.repositoryRoot)
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // Read the banner until it names the URL (bounded: 200 reads or EOF).
        var banner = ""
        for _ in 0..<200 where !banner.contains("Stop with Ctrl-C") {
            let data = out.fileHandleForReading.availableData
            if data.isEmpty { break }
            banner += String(decoding: data, as: UTF8.self)
        }
        let url = try #require(banner.firstMatch(of: /Open http:\/\/127\.0\.0\.1:(\d+)\//))
        let port = try #require(Int(url.1))
        let health = try await TestHTTPClient.get("/healthz", port: port)
        #expect(health.status == 200)

        let start = ContinuousClock.now
        kill(process.processIdentifier, SIGINT)
        // A sanity bound only (a busy CI machine is slow); the shutdown's speed is not what this test measures.
        for _ in 0..<200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let elapsed = ContinuousClock.now - start
        #expect(!process.isRunning, "gateway still running \(elapsed) after SIGINT")
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test func sdpAnswerPrintsTheAnswerAndTheDecisions() throws {
        let outcome = try run(["sdp", "answer", "--source", Fixtures.path("sdp/gst-rtsp-h264-aac.sdp"),
                               "--offer", Fixtures.path("sdp/chromium-whep-offer.sdp")])
        #expect(outcome.status == 0)
        #expect(outcome.stdout.hasPrefix("v=0\r\n"))
        #expect(outcome.stdout.contains("a=group:BUNDLE 0 1\r\n"))
        #expect(outcome.stdout.contains("a=setup:passive\r\n"))
        #expect(outcome.stderr == "video (mid 0): pass through H264/90000 as PT 108\naudio (mid 1): transcode MPEG4-GENERIC/44100/1 to opus/48000/2 PT 111\n")
    }

    @Test func sdpToWebRTCAndToSIPTranslateCalls() throws {
        let offer = try run(["sdp", "to-webrtc", Fixtures.path("sdp/baresip-invite.sdp")])
        #expect(offer.status == 0)
        #expect(offer.stdout.contains("m=audio 8189 UDP/TLS/RTP/SAVPF 0 8 9 96 101\r\n"))
        let answer = try run(["sdp", "to-sip", Fixtures.path("sdp/chromium-answer-to-mb-baresip-offer.sdp"),
                              "--sip-offer", Fixtures.path("sdp/baresip-invite.sdp"), "--rtp-address", "192.0.2.9"])
        #expect(answer.status == 0)
        #expect(answer.stdout.contains("c=IN IP4 192.0.2.9\r\n"))
        #expect(answer.stderr.contains("pass through PCMU/8000"))
        let invite = try run(["sdp", "to-sip", Fixtures.path("sdp/chromium-call-offer.sdp")])
        #expect(invite.status == 0)
        #expect(invite.stdout.contains("m=audio 20000 RTP/AVP 111 9 0 8 126\r\n"))
    }

    @Test func sdpCommandsReportBadInput() throws {
        let unusable = try run(["sdp", "answer", "--source", Fixtures.path("sdp/gst-rtsp-h264-aac.sdp"),
                                "--offer", Fixtures.path("sdp/baresip-invite.sdp")])
        #expect(unusable.status == 1)
        #expect(unusable.stderr == "SDP: m-line 1 (audio) uses RTP/AVP; WebRTC needs UDP/TLS/RTP/SAVPF\n")
        let malformed = try run(["sdp", "to-webrtc", Fixtures.path("config/camera.yaml")])
        #expect(malformed.status == 1)
        #expect(malformed.stderr.contains(#"camera.yaml: SDP line 1: expected <letter>=<value>, found "routes:""#))
        let missing = try run(["sdp", "to-webrtc", "/nonexistent.sdp"])
        #expect(missing.status == 2)
    }

    func writeConfig(_ yaml: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mediabridge-\(UUID().uuidString).yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
