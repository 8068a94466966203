import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSRTP
@testable import BridgeWebRTC
import Testing

/// A gateway session and a client session over an in-memory network with a manual clock.
@Suite(.serialized) struct WebRTCSessionTests {
    static let gatewayAddress = TransportAddress(ipv4: 127, 0, 0, 1, port: 8189)
    static let browserAddress = TransportAddress(ipv4: 127, 0, 0, 1, port: 50_000)
    static let serverICE = ICELiteAgent.Credentials(ufrag: "gwU1", pwd: "gateway-password-0123456789")
    static let browserICE = ICELiteAgent.Credentials(ufrag: "brU1", pwd: "browser-password-0123456789")

    final class Network {
        let gateway: WebRTCSession
        let browser: WebRTCClientSession
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        var gatewayEvents: [WebRTCSession.Event] = []
        var browserEvents: [WebRTCSession.Event] = []
        /// Return true to lose a datagram (index counts every datagram sent).
        var lose: (Int, [UInt8]) -> Bool = { _, _ in false }
        var sent = 0
        /// Datagrams held back to be delivered in reverse order (reordering).
        var reorderNextBrowserMedia = false

        init(browserFingerprint: String? = nil) throws {
            let gatewayContext = try DTLSContext(certificate: try DTLSCertificate.generate())
            let browserContext = try DTLSContext(certificate: try DTLSCertificate.generate(commonName: "browser"),
                                                 profiles: [.aes128CMHMACSHA1_80, .aeadAES128GCM])
            gateway = try WebRTCSession(configuration: .init(
                local: WebRTCSessionTests.serverICE, remote: WebRTCSessionTests.browserICE, dtlsContext: gatewayContext,
                dtlsRole: .server,
                remoteFingerprints: [("sha-256", browserFingerprint ?? browserContext.certificate.sha256Fingerprint)]), now: now)
            browser = try WebRTCClientSession(
                local: WebRTCSessionTests.browserICE, remote: WebRTCSessionTests.serverICE, server: WebRTCSessionTests.gatewayAddress,
                dtlsContext: browserContext, remoteFingerprint: ("sha-256", gatewayContext.certificate.sha256Fingerprint), now: now)
        }

        /// Runs timers and deliveries for `duration` of virtual time in 10 ms steps (bounded).
        func run(for duration: Duration) {
            let end = now + duration
            while now < end {
                if let deadline = browser.nextTimeout(now: now), deadline <= now { browser.handleTimeout(now: now) }
                if let deadline = gateway.nextTimeout(now: now), deadline <= now { gateway.handleTimeout(now: now) }
                deliver()
                now = now + .milliseconds(10)
            }
        }

        func deliver() {
            for _ in 0..<100 {
                var moved = false
                var heldBack: [[UInt8]] = []
                while let output = browser.pollOutput() {
                    moved = true
                    switch output {
                    case .datagram(let bytes, let to):
                        #expect(to == WebRTCSessionTests.gatewayAddress)
                        sent += 1
                        if lose(sent, bytes) { continue }
                        if reorderNextBrowserMedia, PacketDemux.classify(bytes) == .rtp { heldBack.append(bytes); continue }
                        gateway.handleDatagram(bytes, from: WebRTCSessionTests.browserAddress, now: now)
                    case .event(let event): browserEvents.append(event)
                    }
                }
                for bytes in heldBack.reversed() { gateway.handleDatagram(bytes, from: WebRTCSessionTests.browserAddress, now: now) }
                while let output = gateway.pollOutput() {
                    moved = true
                    switch output {
                    case .datagram(let bytes, let to):
                        #expect(to == WebRTCSessionTests.browserAddress)
                        sent += 1
                        if lose(sent, bytes) { continue }
                        browser.handleDatagram(bytes, from: WebRTCSessionTests.gatewayAddress, now: now)
                    case .event(let event): gatewayEvents.append(event)
                    }
                }
                if !moved { return }
            }
        }
    }

    static func rtp(sequence: UInt16, payload: [UInt8] = Array(repeating: 0x42, count: 1000)) -> [UInt8] {
        [0x80, 96, UInt8(sequence >> 8), UInt8(sequence & 0xFF), 0, 0, 0x10, 0, 0xCA, 0xFE, 0xBA, 0xBE] + payload
    }

    @Test func handshakeThenMediaBothWays() throws {
        let network = try Network()
        network.run(for: .milliseconds(500))
        #expect(network.gatewayEvents.contains(.selectedAddress(Self.browserAddress)))
        #expect(network.gatewayEvents.contains(.connected(.aeadAES128GCM)))
        #expect(network.browser.isConnected)
        for sequence in 0..<50 { network.gateway.send(rtp: Self.rtp(sequence: UInt16(sequence))) }
        for sequence in 0..<20 { network.browser.send(rtp: Self.rtp(sequence: UInt16(sequence))) }
        network.deliver()
        #expect(network.browser.received.rtp == 50)
        let receivedAtGateway = network.gatewayEvents.filter { if case .rtp = $0 { true } else { false } }
        #expect(receivedAtGateway.count == 20)
        #expect(receivedAtGateway.first == .rtp(Self.rtp(sequence: 0)))
        #expect(network.gateway.drops.total == 0)
    }

    @Test func mediaBeforeDTLSIsRefused() throws {
        let network = try Network()
        network.gateway.send(rtp: Self.rtp(sequence: 1))
        #expect(network.gateway.drops[.sendNotConnected] == 1)
        network.gateway.handleDatagram(Self.rtp(sequence: 1), from: Self.browserAddress, now: network.now)
        #expect(network.gateway.drops[.notReady] == 1)
        #expect(network.gateway.pollOutput() == nil)
    }

    @Test func handshakeSurvivesLossAndMediaReordering() async throws {
        let network = try Network()
        // Lose every third datagram during the handshake. DTLS retransmits on OpenSSL's own wall clock
        // (250 ms), so real time has to pass between rounds (bounded: at most 8 rounds).
        network.lose = { index, _ in index % 3 == 0 }
        for _ in 0..<8 where !network.browser.isConnected || !network.gatewayEvents.contains(.connected(.aeadAES128GCM)) {
            network.run(for: .milliseconds(300))
            try await Task.sleep(for: .milliseconds(300))
        }
        network.lose = { _, _ in false }
        network.run(for: .milliseconds(100))
        #expect(network.browser.isConnected)
        #expect(network.gatewayEvents.contains(.connected(.aeadAES128GCM)))
        network.reorderNextBrowserMedia = true
        for sequence in 0..<10 { network.browser.send(rtp: Self.rtp(sequence: UInt16(sequence))) }
        network.deliver()
        let sequences = network.gatewayEvents.compactMap { event -> Int? in
            if case .rtp(let packet) = event { return Int(packet[2]) << 8 | Int(packet[3]) }
            return nil
        }
        #expect(sequences == Array((0..<10).reversed()))
    }

    @Test func consentExpiryClosesTheSession() throws {
        let network = try Network()
        network.run(for: .milliseconds(500))
        #expect(network.browser.isConnected)
        // The browser vanishes: nothing more reaches the gateway.
        network.lose = { _, _ in true }
        network.run(for: .seconds(31))
        #expect(network.gateway.isClosed)
        #expect(network.gatewayEvents.contains { if case .closed(let reason) = $0 { reason.hasPrefix("consent expired") } else { false } })
        network.gateway.send(rtp: Self.rtp(sequence: 1))
        #expect(network.gateway.drops[.sendNotConnected] == 1)
    }

    @Test func fingerprintMismatchIsRefused() throws {
        let network = try Network(browserFingerprint: Array(repeating: "AB", count: 32).joined(separator: ":"))
        network.run(for: .milliseconds(500))
        #expect(network.gateway.isClosed)
        #expect(network.gatewayEvents.contains(.closed(reason: "DTLS: the peer's certificate does not match the fingerprint in its SDP")))
    }

    @Test func forgedMediaIsDroppedAndCounted() throws {
        let network = try Network()
        network.run(for: .milliseconds(500))
        var forged = Self.rtp(sequence: 7)
        forged += [UInt8](repeating: 0, count: 16)
        network.gateway.handleDatagram(forged, from: Self.browserAddress, now: network.now)
        network.gateway.handleDatagram(forged, from: TransportAddress(ipv4: 10, 9, 9, 9, port: 1), now: network.now)
        #expect(network.gateway.drops[.authenticationFailed] == 1)
        #expect(network.gateway.drops[.unvalidatedSource] == 1)
    }

    @Test func malformedDatagramsNeverTrap() throws {
        let network = try Network()
        network.run(for: .milliseconds(500))
        var state: UInt64 = 99
        for _ in 0..<2000 {
            state = state &* 6_364_136_223_846_793_005 &+ 1
            let length = Int(state >> 50) % 300
            var bytes = (0..<length).map { UInt8(truncatingIfNeeded: (state >> UInt64($0 % 48)) &* 31 &+ UInt64($0)) }
            if !bytes.isEmpty { bytes[0] = [0, 1, 22, 23, 128, 129, 0x90, 200][Int(state % 8)] }
            network.gateway.handleDatagram(bytes, from: Self.browserAddress, now: network.now)
        }
        #expect(network.gateway.drops.total > 1000)
        // The session still works afterwards.
        network.gateway.send(rtp: Self.rtp(sequence: 500))
        network.deliver()
        #expect(network.browser.received.rtp == 1)
    }
}
