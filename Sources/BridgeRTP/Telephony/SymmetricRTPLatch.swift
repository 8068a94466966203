import BridgeCore

/// Where to send a phone's RTP (symmetric RTP, RFC 4961), decided from where its RTP comes from, and which
/// sources are the phone at all: the defence against RTP bleed (a third party spraying the gateway's RTP
/// ports to take a call's audio), in the manner of rtpengine's strict source and Asterisk's `strictrtp`.
///
/// Until the phone's own packets show where it is, media goes to the address its SDP named. Then:
/// - A packet from exactly the SDP address (IP and port) latches at once.
/// - When the SDP IP is public, only packets from that IP are the phone's: a phone that advertises a
///   public address sends from it. Another port of that IP (a port-rewriting NAT or firewall) may be learned.
/// - When the SDP IP is private, loopback, link-local or shared (the phone may be behind NAT and send from
///   another IP), or the SDP gave no address (`0.0.0.0`, `::`), any source may be learned.
/// - Learning takes `requiredPackets` consecutive packets from one source with one SSRC (a packet from any
///   other learnable source starts the count again, so a sprayer cannot interleave its way in) and, while the
///   SDP named an address, `learningWindow` since the first packet after (re)start: the exact SDP address
///   wins if it shows up in that time.
/// - Once latched, RTP from any other address is dropped for the rest of the call: a stray or forged
///   source can never take the call over. The phone's RTCP is taken only from the latched host (any port:
///   rtcp-mux or not) and, before latching, only from the SDP host.
///
/// An SDP update that names the same address, or none (a hold with `0.0.0.0`), keeps the latch; one that
/// moves the phone learns again (`phoneMoved(to:)`). Drops are counted: `rtpSourceRejected`,
/// `rtcpSourceRejected`. On a private or loopback SDP address a sprayer that outlasts the learning window
/// before the phone's first packet can still win; the public-address rule is the defence that holds.
public struct SymmetricRTPLatch: Sendable {
    public private(set) var expected: TransportAddress?
    public private(set) var latched: TransportAddress?
    public private(set) var latchedSSRC: UInt32?
    public private(set) var drops = DropCounters()
    let requiredPackets: Int
    let learningWindow: Duration
    private var candidate: (address: TransportAddress, ssrc: UInt32, count: Int)?
    private var firstPacket: MonotonicInstant?

    public init(expected: TransportAddress?, requiredPackets: Int = 3, learningWindow: Duration = .milliseconds(500)) {
        self.expected = expected.flatMap { $0.isUnspecified ? nil : $0 }
        self.requiredPackets = max(requiredPackets, 1)
        self.learningWindow = learningWindow
    }

    /// Where media for the phone goes now (nil while neither the SDP nor the phone has said).
    public var destination: TransportAddress? { latched ?? expected }

    /// Whether a valid RTP packet (already parsed) from `source` is the phone's; it may latch.
    public mutating func accept(from source: TransportAddress, ssrc: UInt32, now: MonotonicInstant) -> Bool {
        if let latched {
            guard source == latched else { return reject(.rtpSourceRejected) }
            return true
        }
        if let expected, source.hasSameIP(as: expected), source.port == expected.port {
            latch(source, ssrc: ssrc)
            return true
        }
        if let expected, expected.isPublic, !source.hasSameIP(as: expected) { return reject(.rtpSourceRejected) }
        let started = firstPacket ?? now
        firstPacket = started
        if let current = candidate, current.address == source, current.ssrc == ssrc {
            // Bounded: a candidate waiting out the window keeps counting without ever overflowing.
            candidate = (source, ssrc, min(current.count, requiredPackets) + 1)
        } else {
            candidate = (source, ssrc, 1)
        }
        guard let current = candidate, current.count >= requiredPackets,
              expected == nil || now.duration(since: started) >= learningWindow else { return reject(.rtpSourceRejected) }
        latch(source, ssrc: ssrc)
        return true
    }

    /// Whether phone RTCP from `source` may be read: from the latched host, or before latching the SDP host.
    public mutating func acceptRTCP(from source: TransportAddress) -> Bool {
        guard let host = latched ?? expected, source.hasSameIP(as: host) else { return reject(.rtcpSourceRejected) }
        return true
    }

    /// An SDP offer or answer (re-INVITE, UPDATE) named `address` for the phone's media. The same address as
    /// before, the latched one, or none (hold) keeps the latch; another starts learning again towards it.
    public mutating func phoneMoved(to address: TransportAddress?) {
        guard let address, !address.isUnspecified, address != expected else { return }
        expected = address
        guard address != latched else { return }
        latched = nil
        latchedSSRC = nil
        candidate = nil
        firstPacket = nil
    }

    private mutating func reject(_ reason: DropCounters.Reason) -> Bool {
        drops.record(reason)
        return false
    }

    private mutating func latch(_ address: TransportAddress, ssrc: UInt32) {
        latched = address
        latchedSSRC = ssrc
        candidate = nil
    }
}
