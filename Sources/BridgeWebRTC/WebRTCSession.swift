import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeSRTP
import BridgeSTUN

/// One browser's WebRTC transport, sans-IO: RFC 7983 demux, ICE-lite, DTLS-SRTP, SRTP both ways.
///
/// Feed it datagrams and timer ticks; drain `pollOutput()` until nil after each call; schedule
/// `nextTimeout(now:)`. Media goes out only after DTLS completes; DTLS is accepted only from an address
/// ICE validated (a ClientHello that came earlier waits in a small buffer); SRTP is authenticated before
/// anything is learned from a packet. Not thread-safe: it lives on its socket's event loop.
public final class WebRTCSession {
    public struct Configuration: Sendable {
        public var local: ICELiteAgent.Credentials
        public var remote: ICELiteAgent.Credentials?
        public var dtlsContext: DTLSContext
        public var dtlsRole: DTLSTransport.Role
        /// The peer's `a=fingerprint` lines.
        public var remoteFingerprints: [(hashFunction: String, value: String)]

        public init(local: ICELiteAgent.Credentials, remote: ICELiteAgent.Credentials?, dtlsContext: DTLSContext,
                    dtlsRole: DTLSTransport.Role, remoteFingerprints: [(hashFunction: String, value: String)]) {
            self.local = local
            self.remote = remote
            self.dtlsContext = dtlsContext
            self.dtlsRole = dtlsRole
            self.remoteFingerprints = remoteFingerprints
        }
    }

    public enum Event: Sendable, Hashable {
        /// ICE selected (or moved to) this address.
        case selectedAddress(TransportAddress)
        /// DTLS finished and SRTP keys are in place: media may flow.
        case connected(SRTPProfile)
        case rtp([UInt8])
        case rtcp([UInt8])
        case closed(reason: String)
    }

    public enum Output: Sendable, Hashable {
        case datagram([UInt8], to: TransportAddress)
        case event(Event)
    }

    public private(set) var drops = DropCounts()
    public private(set) var isClosed = false
    public var selectedAddress: TransportAddress? { ice.selectedAddress }
    public var profile: SRTPProfile? { outbound?.profile }

    private var ice: ICELiteAgent
    private let dtls: DTLSTransport
    private var outbound: SRTPContext?
    private var inbound: SRTPContext?
    private var outputs: [Output] = []
    /// DTLS datagrams from addresses ICE has not validated yet (bounded).
    private var pendingDTLS: [(TransportAddress, [UInt8])] = []
    static let maximumPendingDTLS = 8

    public init(configuration: Configuration, now: MonotonicInstant) throws(DTLSError) {
        ice = ICELiteAgent(local: configuration.local, remote: configuration.remote, now: now)
        dtls = try DTLSTransport(context: configuration.dtlsContext, role: configuration.dtlsRole,
                                 remoteFingerprints: configuration.remoteFingerprints)
    }

    // MARK: Input

    public func handleDatagram(_ datagram: [UInt8], from source: TransportAddress, now: MonotonicInstant) {
        guard !isClosed else { drops.count(.closed); return }
        switch PacketDemux.classify(datagram) {
        case .stun: handleSTUN(datagram, from: source, now: now)
        case .dtls: handleDTLS(datagram, from: source)
        case .rtp, .rtcp: handleMedia(datagram, from: source)
        default: drops.count(.unknownPacket)
        }
    }

    public func handleTimeout(now: MonotonicInstant) {
        guard !isClosed else { return }
        ice.handleTimeout(now: now)
        drainICEEvents()
        dtls.handleTimeout()
        drainDTLS()
    }

    public func nextTimeout(now: MonotonicInstant) -> MonotonicInstant? {
        guard !isClosed else { return nil }
        return [ice.nextTimeout(), dtls.nextTimeout(now: now)].compactMap { $0 }.min()
    }

    public func pollOutput() -> Output? {
        outputs.isEmpty ? nil : outputs.removeFirst()
    }

    // MARK: Sending media

    /// Protects and queues an RTP packet for the selected address. Nothing leaves before DTLS completes.
    public func send(rtp packet: [UInt8]) {
        guard let outbound, let destination = ice.selectedAddress, !isClosed else { drops.count(.notConnected); return }
        do {
            outputs.append(.datagram(try outbound.protect(packet), to: destination))
        } catch {
            drops.count(.protectFailed)
        }
    }

    public func send(rtcp packet: [UInt8]) {
        guard let outbound, let destination = ice.selectedAddress, !isClosed else { drops.count(.notConnected); return }
        do {
            outputs.append(.datagram(try outbound.protectRTCP(packet), to: destination))
        } catch {
            drops.count(.protectFailed)
        }
    }

    public func close(reason: String) {
        guard !isClosed else { return }
        isClosed = true
        dtls.close()
        // close_notify goes out if a pair is selected; the DTLS state is not read again.
        while let datagram = dtls.pollDatagram() {
            if let destination = ice.selectedAddress { outputs.append(.datagram(datagram, to: destination)) }
        }
        ice.close()
        outputs.append(.event(.closed(reason: reason)))
    }

    // MARK: Internals

    private func handleSTUN(_ datagram: [UInt8], from source: TransportAddress, now: MonotonicInstant) {
        guard let message = try? STUNMessage(parsing: datagram) else { drops.count(.malformedSTUN); return }
        switch ice.handleSTUN(message, from: source, now: now) {
        case .respond(let response):
            outputs.append(.datagram(response, to: source))
        case .drop(let reason):
            drops.count(DropCounts.Reason(ice: reason))
        }
        drainICEEvents()
        // DTLS that arrived before this address was validated can go in now.
        if ice.isValidated(source), pendingDTLS.contains(where: { $0.0 == source }) {
            let ready = pendingDTLS.filter { $0.0 == source }
            pendingDTLS.removeAll { $0.0 == source }
            for (address, datagram) in ready { handleDTLS(datagram, from: address) }
        }
    }

    private func handleDTLS(_ datagram: [UInt8], from source: TransportAddress) {
        guard ice.isValidated(source) else {
            if pendingDTLS.count < Self.maximumPendingDTLS {
                pendingDTLS.append((source, datagram))
            } else {
                drops.count(.dtlsUnvalidatedAddress)
            }
            return
        }
        dtls.handleDatagram(datagram)
        drainDTLS()
    }

    private func handleMedia(_ datagram: [UInt8], from source: TransportAddress) {
        guard let inbound else { drops.count(.mediaBeforeDTLS); return }
        guard ice.isValidated(source) else { drops.count(.mediaUnvalidatedAddress); return }
        let isRTCP = PacketDemux.classify(datagram) == .rtcp
        do {
            let plain = isRTCP ? try inbound.unprotectRTCP(datagram) : try inbound.unprotect(datagram)
            outputs.append(.event(isRTCP ? .rtcp(plain) : .rtp(plain)))
        } catch {
            drops.count(error.reason == .replay ? .srtpReplay : .srtpAuthentication)
        }
    }

    private func drainICEEvents() {
        while let event = ice.pollEvent() {
            switch event {
            case .selectedAddressChanged(let address):
                outputs.append(.event(.selectedAddress(address)))
                dtls.start()
                drainDTLS()
            case .closed(let reason):
                close(reason: reason)
            }
        }
    }

    private func drainDTLS() {
        while let datagram = dtls.pollDatagram() {
            guard let destination = ice.selectedAddress else { drops.count(.notConnected); continue }
            outputs.append(.datagram(datagram, to: destination))
        }
        switch dtls.state {
        case .connected(let keys) where outbound == nil:
            do {
                outbound = try SRTPContext(profile: keys.profile, key: keys.localKey, salt: keys.localSalt, direction: .outbound)
                inbound = try SRTPContext(profile: keys.profile, key: keys.remoteKey, salt: keys.remoteSalt, direction: .inbound)
                outputs.append(.event(.connected(keys.profile)))
            } catch {
                close(reason: "SRTP setup failed: \(error)")
            }
        case .failed(let reason):
            close(reason: "DTLS: \(reason)")
        case .closed:
            close(reason: "the peer closed DTLS")
        default:
            break
        }
    }
}
