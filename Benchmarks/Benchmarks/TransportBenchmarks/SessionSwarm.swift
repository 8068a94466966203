import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSRTP
import BridgeWebRTC

/// `count` connected gateway/browser session pairs over an in-memory network with a manual clock, wired as
/// in `WebRTCSessionTests.Network`: ICE, DTLS and SRTP set up for real, one pair at a time, before any
/// measurement. One gateway address (one socket), one browser address per pair.
final class SessionSwarm {
    static let gatewayAddress = TransportAddress(ipv4: 127, 0, 0, 1, port: 8189)
    static let payloadLength = 1200

    let gateways: [WebRTCSession]
    let clients: [WebRTCClientSession]
    let browserAddresses: [TransportAddress]
    /// Virtual time after every handshake; media calls use it (no timer runs during measurement).
    let now: MonotonicInstant
    let profile: SRTPProfile
    /// Next RTP sequence number per pair and direction, so that every packet is fresh for replay checks.
    var gatewaySequence: [UInt16]
    var clientSequence: [UInt16]
    /// A 12-byte RTP header and a 1200-byte payload; bytes 2-3 are rewritten per packet.
    var packet: [UInt8] = [0x80, 96, 0, 0, 0, 0, 0x10, 0, 0xCA, 0xFE, 0xBA, 0xBE]
        + [UInt8](repeating: 0x42, count: SessionSwarm.payloadLength)

    init(count: Int) throws {
        // One certificate and SSL_CTX per side, shared by every session (as the gateway does).
        let gatewayContext = try DTLSContext(certificate: try DTLSCertificate.generate())
        let browserContext = try DTLSContext(certificate: try DTLSCertificate.generate(commonName: "browser"))
        let start = MonotonicInstant(nanoseconds: 1_000_000_000)
        var gateways: [WebRTCSession] = [], clients: [WebRTCClientSession] = [], addresses: [TransportAddress] = []
        var latest = start
        for index in 0..<count {
            let serverICE = ICELiteAgent.Credentials(ufrag: "gw\(index)", pwd: "gateway-password-\(index)-0123456789")
            let browserICE = ICELiteAgent.Credentials(ufrag: "br\(index)", pwd: "browser-password-\(index)-0123456789")
            let browserAddress = TransportAddress(ipv4: 10, 0, UInt8(index >> 8), UInt8(index & 0xFF), port: 50_000)
            let gateway = try WebRTCSession(configuration: .init(
                local: serverICE, remote: browserICE, dtlsContext: gatewayContext, dtlsRole: .server,
                remoteFingerprints: [("sha-256", browserContext.certificate.sha256Fingerprint)]), now: start)
            let client = try WebRTCClientSession(
                local: browserICE, remote: serverICE, server: Self.gatewayAddress, dtlsContext: browserContext,
                remoteFingerprint: ("sha-256", gatewayContext.certificate.sha256Fingerprint), now: start)
            // Each pair runs on its own virtual clock from `start`, in 10 ms steps, until both sides have keys.
            var now = start
            for _ in 0..<100 where !(client.isConnected && gateway.profile != nil) {
                if let deadline = client.nextTimeout(now: now), deadline <= now { client.handleTimeout(now: now) }
                if let deadline = gateway.nextTimeout(now: now), deadline <= now { gateway.handleTimeout(now: now) }
                Self.deliver(gateway: gateway, client: client, browserAddress: browserAddress, now: now)
                now = now + .milliseconds(10)
            }
            guard client.isConnected, gateway.profile != nil, !gateway.isClosed else {
                throw SwarmError(description: "pair \(index) did not connect (gateway drops \(gateway.drops.total), client drops \(client.drops))")
            }
            latest = max(latest, now)
            gateways.append(gateway)
            clients.append(client)
            addresses.append(browserAddress)
        }
        guard let profile = gateways.first?.profile, gateways.allSatisfy({ $0.profile == profile }) else {
            throw SwarmError(description: "sessions negotiated different SRTP profiles")
        }
        self.gateways = gateways
        self.clients = clients
        browserAddresses = addresses
        now = latest
        self.profile = profile
        gatewaySequence = Array(repeating: 0, count: count)
        clientSequence = Array(repeating: 0, count: count)
    }

    /// Moves datagrams both ways until neither side has anything left (events are dropped).
    private static func deliver(gateway: WebRTCSession, client: WebRTCClientSession, browserAddress: TransportAddress,
                                now: MonotonicInstant) {
        for _ in 0..<100 {
            var moved = false
            while let output = client.pollOutput() {
                moved = true
                if case .datagram(let bytes, _) = output { gateway.handleDatagram(bytes, from: browserAddress, now: now) }
            }
            while let output = gateway.pollOutput() {
                moved = true
                if case .datagram(let bytes, _) = output { client.handleDatagram(bytes, from: gatewayAddress, now: now) }
            }
            if !moved { return }
        }
    }

    /// The shared RTP packet with the next sequence number of `index`'s gateway side written into it.
    @inline(__always)
    func nextGatewayPacket(_ index: Int) {
        gatewaySequence[index] &+= 1
        let sequence = gatewaySequence[index]
        packet[2] = UInt8(sequence >> 8)
        packet[3] = UInt8(sequence & 0xFF)
    }

    @inline(__always)
    func nextClientPacket(_ index: Int) {
        clientSequence[index] &+= 1
        let sequence = clientSequence[index]
        packet[2] = UInt8(sequence >> 8)
        packet[3] = UInt8(sequence & 0xFF)
    }
}

struct SwarmError: Error, CustomStringConvertible {
    let description: String
}
