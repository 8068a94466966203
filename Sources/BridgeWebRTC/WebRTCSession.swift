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

    public private(set) var drops = DropCounters()
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
        guard !isClosed else { drops.record(.sessionClosed); return }
        switch PacketDemux.classify(datagram) {
        case .stun: handleSTUN(datagram, from: source, now: now)
        case .dtls: handleDTLS(datagram, from: source)
        case .rtp, .rtcp: handleMedia(datagram, from: source)
        default: drops.record(.unclassified)
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
    /// A caller that hands over its only reference to a packet with room for the SRTP tag (as the route
    /// hub's viewers do) gets it protected in place, without a copy.
    public func send(rtp packet: consuming [UInt8]) {
        send(packet, isRTCP: false)
    }

    public func send(rtcp packet: consuming [UInt8]) {
        send(packet, isRTCP: true)
    }

    private func send(_ packet: consuming [UInt8], isRTCP: Bool) {
        guard let outbound, let destination = ice.selectedAddress, !isClosed else { drops.record(.sendNotConnected); return }
        let overhead = isRTCP ? outbound.profile.rtcpOverhead : outbound.profile.rtpOverhead
        // One buffer, sized once (at most one allocation), protected in place.
        var buffer = consume packet
        let plainLength = buffer.count
        buffer.reserveCapacity(plainLength + overhead)
        buffer.append(contentsOf: repeatElement(0, count: overhead))
        let result = buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(SRTPError) -> Int in
                isRTCP ? try outbound.protectRTCP(bytes, length: plainLength) : try outbound.protect(bytes, length: plainLength)
            }
        }
        guard case .success(let length) = result else { drops.record(.protectFailed); return }
        buffer.removeLast(buffer.count - length)
        outputs.append(.datagram(buffer, to: destination))
    }

    /// Where media goes and how many bytes SRTP adds to an RTP packet, once DTLS has completed; nil before
    /// (and after close). With it a driver protects media in its own socket buffer (`protectRTP(in:length:)`).
    public var mediaPath: (destination: TransportAddress, rtpOverhead: Int)? {
        guard let outbound, let destination = ice.selectedAddress, !isClosed else { return nil }
        return (destination, outbound.profile.rtpOverhead)
    }

    /// Protects the RTP packet in the first `length` bytes of `bytes` in place (the buffer has room for the
    /// overhead after it) and returns the protected length, or nil (counted) if it cannot be sent.
    public func protectRTP(in bytes: UnsafeMutableRawBufferPointer, length: Int) -> Int? {
        guard let outbound, !isClosed else { drops.record(.sendNotConnected); return nil }
        do {
            return try outbound.protect(bytes, length: length)
        } catch {
            drops.record(.protectFailed)
            return nil
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
        guard let message = try? STUNMessage(parsing: datagram) else { drops.record(.malformedSTUN); return }
        switch ice.handleSTUN(message, from: source, now: now) {
        case .respond(let response):
            outputs.append(.datagram(response, to: source))
        case .drop(let reason):
            drops.record(Self.dropReason(reason))
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
                drops.record(.unvalidatedSource)
            }
            return
        }
        dtls.handleDatagram(datagram)
        drainDTLS()
    }

    private func handleMedia(_ datagram: [UInt8], from source: TransportAddress) {
        guard let inbound else { drops.record(.notReady); return }
        guard ice.isValidated(source) else { drops.record(.unvalidatedSource); return }
        let isRTCP = PacketDemux.classify(datagram) == .rtcp
        var plain = datagram
        let result = plain.withUnsafeMutableBytes { bytes in
            Result { () throws(SRTPError) -> Int in
                isRTCP ? try inbound.unprotectRTCP(bytes, length: bytes.count) : try inbound.unprotect(bytes, length: bytes.count)
            }
        }
        switch result {
        case .success(let length):
            plain.removeLast(plain.count - length)
            outputs.append(.event(isRTCP ? .rtcp(plain) : .rtp(plain)))
        case .failure(let error):
            drops.record(error.reason == .replay ? .replayed : .authenticationFailed)
        }
    }

    static func dropReason(_ reason: ICELiteAgent.DropReason) -> DropCounters.Reason {
        switch reason {
        case .notARequest: .stunNotRequest
        case .badFingerprint: .stunBadFingerprint
        case .badUsername: .stunBadUsername
        case .badIntegrity: .stunBadIntegrity
        case .closed: .sessionClosed
        case .tooManyAddresses: .iceTooManyAddresses
        case .replayed: .stunReplayed
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
            guard let destination = ice.selectedAddress else { drops.record(.sendNotConnected); continue }
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
