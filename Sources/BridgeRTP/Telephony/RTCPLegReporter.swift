import BridgeCore

/// RTCP for one leg of a bridged call (RFC 3550 section 6), sans-IO: it counts what the gateway sends
/// (for its sender report) and receives (for its report block: loss by sequence numbers, interarrival
/// jitter), learns the round trip from the peer's report blocks about the gateway's SSRC, and writes the
/// compound report (SR or RR, then SDES CNAME) when the driver's timer asks.
///
/// Times come in as `now` (monotonic) and `ntp` (the wall clock as a 64-bit NTP timestamp).
public struct RTCPLegReporter: Sendable {
    /// What the peer said about the gateway's stream, and the round trip its last report showed.
    public struct PeerView: Sendable, Hashable {
        public var fractionLost: Double = 0
        public var cumulativeLost: Int = 0
        public var jitter: UInt32 = 0
        public var roundTripMilliseconds: Double?
        public var reports = 0

        public init() {}
    }

    public let ssrc: UInt32
    public let clockRate: Int
    public let cname: String
    public private(set) var peer = PeerView()
    public private(set) var packetsSent: UInt32 = 0
    public private(set) var packetsReceived: UInt32 = 0

    private var octetsSent: UInt32 = 0
    private var lastSent: (timestamp: UInt32, at: MonotonicInstant)?

    // Reception (RFC 3550 appendix A.1, A.3 and A.8).
    private var remoteSSRC: UInt32?
    private var baseSequence: UInt32 = 0
    private var highestSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    private var expectedPrior: UInt32 = 0
    private var receivedPrior: UInt32 = 0
    private var lastTransit: Int64?
    private var jitter: Double = 0
    private var lastSenderReport: (middle: UInt32, at: MonotonicInstant)?

    public init(ssrc: UInt32, clockRate: Int, cname: String) {
        self.ssrc = ssrc
        self.clockRate = max(clockRate, 1)
        self.cname = cname
    }

    /// One RTP packet the gateway sent on this leg.
    public mutating func sent(payloadBytes: Int, timestamp: UInt32, now: MonotonicInstant) {
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: payloadBytes)
        lastSent = (timestamp, now)
    }

    /// One RTP packet the gateway accepted from the peer on this leg. A new SSRC starts the count afresh.
    public mutating func received(sequence: UInt16, timestamp: UInt32, ssrc: UInt32, now: MonotonicInstant) {
        if remoteSSRC != ssrc {
            remoteSSRC = ssrc
            baseSequence = UInt32(sequence)
            highestSequence = sequence
            cycles = 0
            packetsReceived = 0
            expectedPrior = 0
            receivedPrior = 0
            lastTransit = nil
            jitter = 0
        }
        let delta = sequence &- highestSequence
        if delta != 0 && delta < 0x8000 {
            if sequence < highestSequence { cycles &+= 0x1_0000 }
            highestSequence = sequence
        }
        packetsReceived &+= 1
        let arrival = ClockScaling.ticks(nanoseconds: now.nanoseconds, clockRate: clockRate)
        let transit = arrival &- Int64(timestamp)
        if let lastTransit {
            let difference = Double(abs(transit - lastTransit))
            // Timestamps that jump (a new talk spurt after a long hold) do not count as jitter.
            if difference < Double(clockRate) { jitter += (difference - jitter) / 16 }
        }
        lastTransit = transit
    }

    /// An RTCP compound packet from the peer: its sender report (for LSR/DLSR) and its block about us.
    public mutating func handleRTCP(_ bytes: [UInt8], now: MonotonicInstant, ntp: UInt64) {
        guard let compound = try? RTCPCompound(parsing: bytes), let packets = try? compound.packets(in: bytes) else { return }
        for packet in packets {
            switch packet {
            case .senderReport(let report):
                lastSenderReport = (UInt32(truncatingIfNeeded: report.ntpTimestamp >> 16), now)
                bytes.withUnsafeBytes { raw in report.reportBlocks.forEach(in: raw) { note($0, ntp: ntp) } }
            case .receiverReport(let report):
                bytes.withUnsafeBytes { raw in report.reportBlocks.forEach(in: raw) { note($0, ntp: ntp) } }
            default:
                continue
            }
        }
    }

    private mutating func note(_ block: RTCPReportBlock, ntp: UInt64) {
        guard block.ssrc.rawValue == ssrc else { return }
        peer.reports += 1
        peer.fractionLost = Double(block.fractionLost) / 256
        peer.cumulativeLost = Int(block.cumulativeLost)
        peer.jitter = block.jitter
        // RFC 3550 section 6.4.1: round trip = arrival - LSR - DLSR, in units of 1/65536 s.
        guard block.lastSenderReport != 0 else { return }
        let arrival = UInt32(truncatingIfNeeded: ntp >> 16)
        let roundTrip = arrival &- block.lastSenderReport &- block.delaySinceLastSenderReport
        if roundTrip < 0x8000_0000 { peer.roundTripMilliseconds = Double(roundTrip) * 1_000 / 65_536 }
    }

    /// The report block about the peer's stream, nil before any packet arrived. Moves the interval counts.
    private mutating func reportBlock(now: MonotonicInstant) -> RTCPReportBlock? {
        guard let remoteSSRC else { return nil }
        let extendedHighest = cycles &+ UInt32(highestSequence)
        let expected = extendedHighest &- baseSequence &+ 1
        let lost = Int64(expected) - Int64(packetsReceived)
        let expectedInterval = expected &- expectedPrior
        let receivedInterval = packetsReceived &- receivedPrior
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = Int64(expectedInterval) - Int64(receivedInterval)
        let fraction = expectedInterval == 0 || lostInterval <= 0 ? 0 : UInt8(min(255, (lostInterval << 8) / Int64(expectedInterval)))
        var lsr: UInt32 = 0, dlsr: UInt32 = 0
        if let lastSenderReport {
            lsr = lastSenderReport.middle
            let elapsed = now.nanoseconds >= lastSenderReport.at.nanoseconds ? now.nanoseconds - lastSenderReport.at.nanoseconds : 0
            dlsr = UInt32(truncatingIfNeeded: elapsed * 65_536 / 1_000_000_000)
        }
        return RTCPReportBlock(ssrc: SSRC(remoteSSRC), fractionLost: fraction,
                               cumulativeLost: Int32(clamping: lost), extendedHighestSequenceNumber: extendedHighest,
                               jitter: UInt32(jitter), lastSenderReport: lsr, delaySinceLastSenderReport: dlsr)
    }

    /// The compound report to send now: SR when the gateway has sent media on this leg, RR otherwise,
    /// with the block about the peer's stream, then SDES CNAME.
    public mutating func report(now: MonotonicInstant, ntp: UInt64) -> [UInt8] {
        let blocks = reportBlock(now: now).map { [$0] } ?? []
        var bytes: [UInt8] = []
        if let lastSent {
            let elapsed = now.nanoseconds >= lastSent.at.nanoseconds ? now.nanoseconds - lastSent.at.nanoseconds : 0
            let timestamp = lastSent.timestamp &+ UInt32(truncatingIfNeeded: ClockScaling.ticks(nanoseconds: elapsed, clockRate: clockRate))
            RTCPSenderReport(ssrc: SSRC(ssrc), ntpTimestamp: ntp, rtpTimestamp: RTPTimestamp(timestamp),
                             packetCount: packetsSent, octetCount: octetsSent).write(reportBlocks: blocks, into: &bytes)
        } else {
            RTCPReceiverReport(ssrc: SSRC(ssrc)).write(reportBlocks: blocks, into: &bytes)
        }
        RTCPSourceDescription.write(cnames: [(SSRC(ssrc), cname)], into: &bytes)
        return bytes
    }
}
