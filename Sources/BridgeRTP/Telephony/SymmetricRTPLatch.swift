import BridgeCore

/// Where to send a phone's RTP (symmetric RTP, RFC 4961), decided from where its RTP comes from.
///
/// Media goes to the address the phone's SDP named until the phone's own packets show where it really is:
/// a packet from the SDP address latches at once; from elsewhere (the phone is behind NAT), only after
/// `requiredPackets` consecutive packets from one address with one SSRC. Once latched, packets from any other
/// address are dropped for the rest of the call (or until a re-INVITE names a new address): a stray or
/// forged source can never take the call over.
public struct SymmetricRTPLatch: Sendable {
    public private(set) var expected: TransportAddress?
    public private(set) var latched: TransportAddress?
    public private(set) var latchedSSRC: UInt32?
    public private(set) var dropped = 0
    let requiredPackets: Int
    private var candidate: (address: TransportAddress, ssrc: UInt32, count: Int)?

    public init(expected: TransportAddress?, requiredPackets: Int = 3) {
        self.expected = expected
        self.requiredPackets = max(requiredPackets, 1)
    }

    /// Where media for the phone goes now (nil while neither the SDP nor the phone has said).
    public var destination: TransportAddress? { latched ?? expected }

    /// Whether a valid RTP packet (already parsed) from `source` is the phone's; it may latch.
    public mutating func accept(from source: TransportAddress, ssrc: UInt32) -> Bool {
        if let latched {
            guard source == latched else { dropped += 1; return false }
            return true
        }
        if source == expected {
            latch(source, ssrc: ssrc)
            return true
        }
        if let current = candidate, current.address == source, current.ssrc == ssrc {
            candidate?.count += 1
        } else {
            candidate = (source, ssrc, 1)
        }
        guard let current = candidate, current.count >= requiredPackets else { dropped += 1; return false }
        latch(source, ssrc: ssrc)
        return true
    }

    /// A re-INVITE named a new address: learn again.
    public mutating func reset(expected: TransportAddress?) {
        self.expected = expected
        latched = nil
        latchedSSRC = nil
        candidate = nil
    }

    private mutating func latch(_ address: TransportAddress, ssrc: UInt32) {
        latched = address
        latchedSSRC = ssrc
        candidate = nil
    }
}
