import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSRTP
import BridgeSTUN

/// The browser's side of a session, for tests and benchmarks (the viewer swarm): a controlling ICE agent
/// that nominates the gateway's address, a DTLS client, and SRTP both ways. Same sans-IO shape as
/// `WebRTCSession`.
public final class WebRTCClientSession {
    public private(set) var isConnected = false
    public private(set) var isClosed = false
    public private(set) var received = (rtp: 0, rtcp: 0)
    public private(set) var drops = 0

    private let local: ICELiteAgent.Credentials
    private let remote: ICELiteAgent.Credentials
    private let server: TransportAddress
    private let dtls: DTLSTransport
    private var outbound: SRTPContext?
    private var inbound: SRTPContext?
    private var outputs: [WebRTCSession.Output] = []
    private var nextCheck: MonotonicInstant
    private var iceConfirmed = false
    /// Checks every 50 ms until answered, then every 2.5 s for consent (RFC 7675 allows 5 s on average).
    static let checkInterval = Duration.milliseconds(50)
    static let consentInterval = Duration.milliseconds(2500)

    public init(local: ICELiteAgent.Credentials, remote: ICELiteAgent.Credentials, server: TransportAddress,
                dtlsContext: DTLSContext, remoteFingerprint: (hashFunction: String, value: String), now: MonotonicInstant) throws(DTLSError) {
        self.local = local
        self.remote = remote
        self.server = server
        dtls = try DTLSTransport(context: dtlsContext, role: .client, remoteFingerprints: [remoteFingerprint])
        nextCheck = now
    }

    public func handleTimeout(now: MonotonicInstant) {
        guard !isClosed else { return }
        if now >= nextCheck {
            outputs.append(.datagram(bindingRequest(), to: server))
            nextCheck = now + (iceConfirmed ? Self.consentInterval : Self.checkInterval)
        }
        dtls.handleTimeout()
        drainDTLS()
    }

    public func nextTimeout(now: MonotonicInstant) -> MonotonicInstant? {
        guard !isClosed else { return nil }
        return [nextCheck, dtls.nextTimeout(now: now)].compactMap { $0 }.min()
    }

    public func handleDatagram(_ datagram: [UInt8], from source: TransportAddress, now: MonotonicInstant) {
        guard !isClosed, source == server else { drops += 1; return }
        switch PacketDemux.classify(datagram) {
        case .stun:
            guard let message = try? STUNMessage(parsing: datagram), message.type == .bindingSuccess,
                  STUNIntegrity.hasValidIntegrity(message, key: Array(remote.pwd.utf8)) else { drops += 1; return }
            if !iceConfirmed {
                iceConfirmed = true
                dtls.start()
            }
        case .dtls:
            dtls.handleDatagram(datagram)
        case .rtp, .rtcp:
            guard let inbound else { drops += 1; return }
            let isRTCP = PacketDemux.classify(datagram) == .rtcp
            guard let plain = try? (isRTCP ? inbound.unprotectRTCP(datagram) : inbound.unprotect(datagram)) else { drops += 1; return }
            if isRTCP { received.rtcp += 1 } else { received.rtp += 1 }
            outputs.append(.event(isRTCP ? .rtcp(plain) : .rtp(plain)))
        default:
            drops += 1
        }
        drainDTLS()
    }

    public func send(rtp packet: [UInt8]) {
        guard let outbound, let protected = try? outbound.protect(packet) else { drops += 1; return }
        outputs.append(.datagram(protected, to: server))
    }

    public func pollOutput() -> WebRTCSession.Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    private func bindingRequest() -> [UInt8] {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        builder.appendUsername("\(remote.ufrag):\(local.ufrag)")
        builder.appendICEControlling(0x5EED_5EED_5EED_5EED)
        builder.appendPriority(ICEPriority.peerReflexive)
        builder.appendUseCandidate()
        builder.appendMessageIntegrity(key: Array(remote.pwd.utf8))
        builder.appendFingerprint()
        return builder.message
    }

    private func drainDTLS() {
        while let datagram = dtls.pollDatagram() { outputs.append(.datagram(datagram, to: server)) }
        switch dtls.state {
        case .connected(let keys) where outbound == nil:
            outbound = try? SRTPContext(profile: keys.profile, key: keys.localKey, salt: keys.localSalt, direction: .outbound)
            inbound = try? SRTPContext(profile: keys.profile, key: keys.remoteKey, salt: keys.remoteSalt, direction: .inbound)
            isConnected = outbound != nil && inbound != nil
            if isConnected { outputs.append(.event(.connected(keys.profile))) }
        case .failed(let reason):
            isClosed = true
            outputs.append(.event(.closed(reason: "DTLS: \(reason)")))
        default:
            break
        }
    }
}

enum ICEPriority {
    /// RFC 8445 section 5.1.2.1 with the peer-reflexive type preference 110.
    static let peerReflexive: UInt32 = (110 << 24) + (65535 << 8) + 255
}
