import BridgeCore
import BridgeSIP
import Foundation
import InteropSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// sipp 3.6 (Debian's `sip-tester`) against `SIPUserAgent` driven by a small UDP loop on 127.0.0.1, with
/// sipp's built-in scenarios: `uac` calls us (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200) and
/// `uas` answers our call (INVITE, 180, 200, ACK, our BYE, 200). sipp exits 0 only when the call went
/// through every step.
@Suite(.serialized, .ownThread) struct SippInteropTests {
    /// One UDP socket on 127.0.0.1 with a free port.
    /// A UDP port that was free a moment ago (for sipp's `-p`).
    @Test func sippUACCallsTheUserAgent() throws {
        let socket = try BlockingUDPSocket()
        var agent = SIPUserAgent(configuration: SIPUserAgent.Configuration(
            contact: SIPURI(user: "gw", host: "127.0.0.1", port: socket.port),
            via: SIPVia(transport: "UDP", host: "127.0.0.1", port: socket.port), userAgent: "mediabridge-test"),
                                 seed: UInt64.random(in: 0...UInt64.max))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-uac-\(socket.port).log")
        let sipp = try PeerProcess.startTool("/usr/bin/sipp", arguments: [
            "-sn", "uac", "127.0.0.1:\(socket.port)", "-m", "1", "-i", "127.0.0.1", "-d", "300", "-nostdin",
            "-timeout", "15s", "-timeout_error",
        ], log: log)
        defer { PeerProcess.stop(sipp) }
        let start = ContinuousClock.now
        func now() -> MonotonicInstant {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        }
        var seen: [String] = []
        let sdp = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n".utf8)
        while sipp.isRunning && ContinuousClock.now - start < .seconds(20) {
            if let (bytes, source) = socket.receive(milliseconds: 20) {
                agent.handle(bytes: bytes, from: source, now: now())
            }
            if let deadline = agent.nextTimeout(), deadline <= now() { agent.handleTimeout(now: now()) }
            while let event = agent.pollOutput() {
                switch event {
                case .send(let outgoing):
                    socket.send(outgoing.bytes, to: outgoing.destination)
                case .incomingCall(let id, _, _):
                    seen.append("incoming")
                    try agent.ring(id, now: now())
                    try agent.answer(id, sdp: sdp, now: now())
                case .callEstablished:
                    seen.append("established")
                case .callEnded(_, let reason):
                    seen.append("ended: \(reason)")
                case .dropped(let reason, _):
                    seen.append("dropped: \(reason)")
                default:
                    break
                }
            }
        }
        PeerProcess.stop(sipp)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(sipp.terminationStatus == 0, "sipp: \(output.suffix(1500))")
        #expect(seen == ["incoming", "established", "ended: remote hung up"])
    }

    @Test func theUserAgentCallsSippUAS() throws {
        let socket = try BlockingUDPSocket()
        let sippPort = UInt16(try PeerProcess.freeUDPPort())
        var agent = SIPUserAgent(configuration: SIPUserAgent.Configuration(
            contact: SIPURI(user: "gw", host: "127.0.0.1", port: socket.port),
            via: SIPVia(transport: "UDP", host: "127.0.0.1", port: socket.port), userAgent: "mediabridge-test"),
                                 seed: UInt64.random(in: 0...UInt64.max))
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-uas-\(sippPort).log")
        let sipp = try PeerProcess.startTool("/usr/bin/sipp", arguments: [
            "-sn", "uas", "-p", "\(sippPort)", "-i", "127.0.0.1", "-m", "1", "-nostdin", "-timeout", "15s", "-timeout_error",
        ], log: log)
        defer { PeerProcess.stop(sipp) }
        let start = ContinuousClock.now
        func now() -> MonotonicInstant {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        }
        usleep(300_000)  // sipp binds its port
        let sdp = Array("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n".utf8)
        let peer = TransportAddress(ipv4: 127, 0, 0, 1, port: sippPort)
        _ = try agent.startCall(to: SIPURI(user: "service", host: "127.0.0.1", port: sippPort), destination: peer,
                                sdp: sdp, now: now())
        var seen: [String] = []
        var hangUp: (SIPCallReference, MonotonicInstant)?
        while sipp.isRunning && ContinuousClock.now - start < .seconds(20) {
            if let (bytes, source) = socket.receive(milliseconds: 20) {
                agent.handle(bytes: bytes, from: source, now: now())
            }
            if let deadline = agent.nextTimeout(), deadline <= now() { agent.handleTimeout(now: now()) }
            while let event = agent.pollOutput() {
                switch event {
                case .send(let outgoing):
                    socket.send(outgoing.bytes, to: outgoing.destination)
                case .callProgress(_, let response):
                    seen.append("progress \(response.statusCode ?? 0)")
                case .callAnswered(let reference, let response):
                    seen.append("answered, SDP \(response.body.isEmpty ? "missing" : "present")")
                    hangUp = (reference, now() + .milliseconds(200))
                case .callEstablished:
                    seen.append("established")
                case .callEnded(_, let reason):
                    seen.append("ended: \(reason)")
                case .dropped(let reason, _):
                    seen.append("dropped: \(reason)")
                default:
                    break
                }
            }
            if let (reference, at) = hangUp, at <= now() {
                hangUp = nil
                try agent.hangUp(reference, now: now())
            }
        }
        PeerProcess.stop(sipp)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(sipp.terminationStatus == 0, "sipp: \(output.suffix(1500))")
        #expect(seen == ["progress 180", "answered, SDP present", "established", "ended: hung up (BYE answered 200)"])
    }
}
