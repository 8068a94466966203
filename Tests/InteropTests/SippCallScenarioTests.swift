import BridgeCore
import Foundation
import InteropSupport
import Testing

/// SIP calls through the gateway binary where the phone (sipp) does what real networks do to a call: hold and
/// resume, BYEs that cross, retransmissions over UDP, malformed requests. Headless Chromium is the browser on
/// the call page (`chromium_call.py`).
@Suite(.serialized, .ownThread) struct SippCallScenarioTests {
    typealias CallResult = SIPCallTests.CallResult

    /// The call page for route `door`, answering by itself, as soon as it says READY.
    static func page(_ gateway: PeerProcess.Gateway, _ arguments: [String]) throws -> PeerProcess.RunningScript {
        try PeerProcess.startPythonCapturing("Tests/Interop/chromium_call.py",
                                             arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door"] + arguments,
                                             waitFor: "READY", timeout: .seconds(30))
    }

    /// A gateway with call route `door`, its call page (started with `pageArguments`), and sipp calling the
    /// route with a scenario of `Tests/Interop/sipp/`; `stop()` ends all three.
    struct Call {
        let gateway: PeerProcess.Gateway
        let page: PeerProcess.RunningScript
        let sipp: SippCaller
        let sipPort: Int

        func stop() {
            sipp.stop()
            page.stop()
            gateway.stop()
        }

        /// sipp's exit status (bounded), then the page's report.
        func finish() throws -> (Int32?, CallResult) {
            let status = sipp.waitForExit(timeout: .seconds(30))
            return (status, try CallResult.parse(try page.finish(timeout: .seconds(40))))
        }
    }

    static func call(_ scenario: String, page pageArguments: [String], replacing: [String: String] = [:]) throws -> Call {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try SIPCallTests.gateway(sipPort: sipPort)
        do {
            let page = try Self.page(gateway, pageArguments)
            do {
                let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door", scenario: SippCaller.scenario(scenario),
                                          replacing: replacing)
                return Call(gateway: gateway, page: page, sipp: sipp, sipPort: sipPort)
            } catch {
                page.stop()
                throw error
            }
        } catch {
            gateway.stop()
            throw error
        }
    }

    /// Two seconds of a 440 Hz tone as raw G.711 u-law (for sipp's `rtp_stream`), made with ffmpeg.
    static func tone() throws -> URL {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mb-tone-\(UUID().uuidString).ulaw")
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("mb-tone-\(UUID().uuidString).log")
        let ffmpeg = try PeerProcess.startTool("/usr/bin/ffmpeg", arguments: [
            "-loglevel", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-ar", "8000", "-ac", "1",
            "-f", "mulaw", file.path,
        ], log: log)
        let deadline = ContinuousClock.now + .seconds(10)
        while ffmpeg.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        PeerProcess.stop(ffmpeg)
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw PeerProcess.MissingTool(description: "ffmpeg made no tone: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        return file
    }

    /// Hold (`sendonly`) is answered `recvonly` or `inactive`, resume `sendrecv`, and the phone's audio reaches
    /// the browser again afterwards, on the same SSRC with its sequence numbers going on.
    @Test func thePhoneHoldsAndResumesAndItsAudioFlowsAgain() async throws {
        let call = try Self.call("uac_hold_resume.xml", page: ["--wait", "20", "--series", "20"], replacing: ["TONE": try Self.tone().path])
        defer { call.stop() }
        // The gateway answers the hold recvonly: the browser's audio stops reaching the phone until the resume
        // (sipp holds for 4 s; signalling and the polls, slow on a busy machine, take some of it).
        SIPCallTests.expectAHeldStretch(in: try SIPCallTests.packetsSentToThePhone(httpPort: call.gateway.httpPort), seconds: 1.5)
        let (status, result) = try call.finish()
        #expect(status == 0, "sipp: \(call.sipp.errors.suffix(1500))")
        let series = result.series ?? []
        let packets = series.map(\.packets)
        // The hold: the count stands still (after the first tone) for at least 1 s.
        let hold = (2..<max(packets.count, 2)).first { packets[$0] > 50 && packets[$0] == packets[$0 - 2] }
        guard let hold else {
            Issue.record("no pause in the browser's inbound audio: \(packets), states \(result.states)")
            return
        }
        #expect((packets.last ?? 0) > packets[hold] + 100, "audio after the resume: \(packets)")
        #expect(Set(series.compactMap(\.ssrc)).count == 1, "one SSRC towards the browser: \(series.map(\.ssrc))")
        #expect((series.last?.lost ?? 0) < 20, "sequence numbers go on across the hold (lost \(series.last?.lost ?? 0))")
        #expect(result.state.hasPrefix("call ended"), "sipp's BYE ended the call: \(result.states)")
    }

    /// The browser hangs up and the phone's BYE crosses the gateway's: both get a final response, the gateway
    /// retransmits nothing for long, and takes the next call.
    @Test func crossingBYEsBothGetAFinalResponse() async throws {
        let call = try Self.call("uac_bye_cross.xml", page: ["--wait", "20", "--hang-up-after", "2"])
        defer { call.stop() }
        let (status, result) = try call.finish()
        #expect(status == 0, "sipp: \(call.sipp.errors.suffix(1500)) \(call.sipp.received)")
        // The hang-up reaches the gateway as the page's message or as its DTLS close, whichever comes first.
        #expect(result.states.contains("in call") && result.state.hasPrefix("call ended"), "page states: \(result.states)")
        let received = call.sipp.received
        #expect(received.filter { $0.hasPrefix("BYE ") }.count == 1, "the gateway's BYE, not retransmitted: \(received)")
        #expect(received.last.map { $0.hasPrefix("SIP/2.0 200") || $0.hasPrefix("SIP/2.0 481") } == true, "\(received)")
        // Nothing more from the gateway for this call; a next call works.
        let next = try Self.page(call.gateway, ["--wait", "15", "--linger", "5"])
        defer { next.stop() }
        let again = try SippCaller(target: "127.0.0.1:\(call.sipPort)", service: "door", scenario: SippCaller.scenario("uac_info_dtmf.xml"))
        defer { again.stop() }
        #expect(again.waitForExit(timeout: .seconds(20)) == 0, "the next call: \(again.errors.suffix(1500))")
        _ = try next.finish(timeout: .seconds(30))
        #expect(call.gateway.process.isRunning)
    }

    /// The INVITE twice with one branch: one call, the copy answered with the latest provisional; the 200 is
    /// resent until the (doubled) ACK, and not after it.
    @Test func aRetransmittedInviteRingsOnceAndTheACKStopsThe200() async throws {
        let call = try Self.call("uac_retransmissions.xml", page: ["--wait", "20", "--series", "8"])
        defer { call.stop() }
        let (status, result) = try call.finish()
        #expect(status == 0, "sipp: \(call.sipp.errors.suffix(1500)) \(call.sipp.received)")
        // One call: the page answered at most once (a busy machine may sample past the short "answering…").
        #expect(result.states.filter { $0 == "answering…" }.count <= 1 && result.states.contains("in call"), "page states: \(result.states)")
        #expect(result.state.hasPrefix("call ended"), "page states: \(result.states)")
        let received = call.sipp.received
        let oks = received.filter { $0.hasPrefix("SIP/2.0 200") }.count
        // One 200 for the BYE; for the INVITE the first and its copy at T1 (0.5 s), maybe one at 1.5 s, never more.
        #expect((3...4).contains(oks), "200s: \(received)")
        #expect(received.allSatisfy { !$0.hasPrefix("SIP/2.0 4") && !$0.hasPrefix("SIP/2.0 5") }, "\(received)")
    }

    /// The gateway calls a phone whose 200 comes twice: each copy gets its ACK (RFC 3261 section 13.2.2.4).
    @Test func theGatewayACKsEveryCopyOfThePhones200() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try SIPCallTests.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let phonePort = try PeerProcess.freeUDPPort()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mb-sipp-uas-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let messages = directory.appendingPathComponent("messages.log")
        // -nr: the gateway's ACK to the second copy is the same ACK again, which sipp would otherwise take for
        // a retransmission of the first and answer by resending its 200, over and over.
        let phone = try PeerProcess.startTool("/usr/bin/sipp", arguments: [
            "-sf", SippCaller.scenario("uas_200_twice.xml"), "-p", "\(phonePort)", "-i", "127.0.0.1", "-m", "1",
            "-mp", String(try PeerProcess.freeUDPPort() & ~1), "-nostdin", "-nr", "-timeout", "25s", "-timeout_error",
            "-trace_msg", "-message_file", messages.path,
        ], log: directory.appendingPathComponent("sipp.log"))
        defer { PeerProcess.stop(phone) }
        usleep(300_000)  // sipp binds its port
        let output = try PeerProcess.runPython(
            "Tests/Interop/chromium_call.py",
            arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--dial", "sip:sipp@127.0.0.1:\(phonePort)", "--wait", "15",
                        "--hang-up-after", "2"],
            timeout: .seconds(45))
        let result = try CallResult.parse(output)
        #expect(result.states.contains("in call"), "page states: \(result.states)")
        let deadline = ContinuousClock.now + .seconds(10)
        while phone.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
        let trace = (try? String(contentsOf: messages, encoding: .utf8)) ?? ""
        #expect(phone.isRunning == false && phone.terminationStatus == 0, "sipp: \(trace.suffix(2000))")
        let acks = trace.components(separatedBy: "message received").dropFirst().filter { $0.contains("ACK sip:") }.count
        #expect(acks == 2, "ACKs the phone received: \(acks)")
    }

    /// Requests the gateway cannot take get 400 when a response can be formed; the next call works.
    @Test func malformedRequestsGet400AndTheNextCallWorks() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try SIPCallTests.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try Self.page(gateway, ["--wait", "25", "--linger", "1"])
        defer { page.stop() }
        // What sipp cannot send or receive: an INVITE without Call-ID (400 all the same), one whose CSeq names
        // another method (sipp matches responses by that method), and a bare CR inside a header value (the head
        // cannot be read: dropped, no answer).
        let socket = try BlockingUDPSocket()
        let gatewayAddress = TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sipPort))
        func invite(_ headers: String) -> [UInt8] {
            Array(("INVITE sip:door@127.0.0.1:\(sipPort) SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:\(socket.port);branch=z9hG4bK\(UInt32.random(in: 1...UInt32.max))\r\n"
                + "From: <sip:raw@127.0.0.1>;tag=1\r\nTo: <sip:door@127.0.0.1>\r\nMax-Forwards: 70\r\n" + headers
                + "Content-Length: 0\r\n\r\n").utf8)
        }
        func answer() -> String? {
            socket.receive(milliseconds: 1000).map { String(decoding: $0.0, as: UTF8.self) }
        }
        socket.send(invite("CSeq: 1 INVITE\r\nContact: <sip:raw@127.0.0.1>\r\n"), to: gatewayAddress)
        let noCallID = answer()
        #expect(noCallID?.hasPrefix("SIP/2.0 400") == true, "no Call-ID: \(noCallID ?? "no answer")")
        socket.send(invite("Call-ID: m-\(UUID().uuidString)\r\nCSeq: 1 BYE\r\nContact: <sip:raw@127.0.0.1>\r\n"), to: gatewayAddress)
        let otherMethod = answer()
        #expect(otherMethod?.hasPrefix("SIP/2.0 400") == true, "CSeq naming BYE: \(otherMethod ?? "no answer")")
        socket.send(invite("Call-ID: cr-\(UUID().uuidString)\r\nCSeq: 1 INVITE\r\nSubject: a\rInjected: b\r\n"), to: gatewayAddress)
        let bareCR = answer()
        #expect(bareCR == nil, "bare CR: \(bareCR ?? "")")
        let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door", scenario: SippCaller.scenario("uac_malformed.xml"))
        defer { sipp.stop() }
        #expect(sipp.waitForExit(timeout: .seconds(25)) == 0, "sipp: \(sipp.errors.suffix(1500)) \(sipp.received)")
        #expect(sipp.received.filter { $0.hasPrefix("SIP/2.0 400") }.count == 5, "\(sipp.received)")
        let result = try CallResult.parse(try page.finish(timeout: .seconds(40)))
        #expect(result.states.contains("in call"), "the call after them: \(result.states)")
    }
}
