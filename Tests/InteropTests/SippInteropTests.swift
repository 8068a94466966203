import BridgeCore
import BridgeSIP
import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// sipp 3.6 (Debian's `sip-tester`) against `SIPUserAgent` driven by a small UDP loop on 127.0.0.1, with
/// sipp's built-in scenarios: `uac` calls us (INVITE with SDP, 100, 180, 200 with SDP, ACK, BYE, 200) and
/// `uas` answers our call (INVITE, 180, 200, ACK, our BYE, 200). sipp exits 0 only when the call went
/// through every step.
@Suite(.serialized) struct SippInteropTests {
    /// One UDP socket on 127.0.0.1 with a free port.
    final class UDPSocket {
        let descriptor: Int32
        let port: UInt16

        init() throws {
            let descriptor = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
            guard descriptor >= 0 else { throw PeerProcess.MissingTool(description: "socket() failed") }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let bound = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { throw PeerProcess.MissingTool(description: "bind() failed") }
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
            }
            self.descriptor = descriptor
            port = UInt16(bigEndian: address.sin_port)
        }

        deinit { close(descriptor) }

        /// One datagram, or nil after `milliseconds`.
        func receive(milliseconds: Int32) -> ([UInt8], TransportAddress)? {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, milliseconds) > 0 else { return nil }
            var buffer = [UInt8](repeating: 0, count: 65_536)
            var from = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let count = buffer.withUnsafeMutableBytes { bytes in
                withUnsafeMutablePointer(to: &from) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(descriptor, bytes.baseAddress, bytes.count, 0, $0, &length) }
                }
            }
            guard count > 0 else { return nil }
            let ip = withUnsafeBytes(of: from.sin_addr.s_addr) { Array($0) }
            guard let source = TransportAddress(addressBytes: ip, port: UInt16(bigEndian: from.sin_port)) else { return nil }
            return (Array(buffer[..<count]), source)
        }

        func send(_ bytes: [UInt8], to destination: TransportAddress) {
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = destination.port.bigEndian
            withUnsafeMutableBytes(of: &address.sin_addr.s_addr) { $0.copyBytes(from: destination.addressBytes.prefix(4)) }
            _ = bytes.withUnsafeBytes { payload in
                withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                        sendto(descriptor, payload.baseAddress, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                    }
                }
            }
        }
    }

    /// A UDP port that was free a moment ago (for sipp's `-p`).
    static func freePort() throws -> UInt16 {
        try UDPSocket().port
    }

    @Test func sippUACCallsTheUserAgent() throws {
        let socket = try UDPSocket()
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
        let socket = try UDPSocket()
        let sippPort = try Self.freePort()
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
