import BridgeCore
import BridgeRTP

/// One outgoing track of one viewer: its own SSRC, payload type, sequence line and timestamp line.
///
/// Source timestamps (unwrapped, in the track's clock) map to the viewer's line by an offset. The line only
/// moves forward: when the source restarts (a camera reconnect, a new epoch) or the viewer joins on a cached
/// GOP, the offset is chosen so that the next packet follows the last one sent by one frame, and the
/// browser sees one continuous stream.
struct ViewerTrack {
    let stream: StreamKey
    let payloadType: UInt8
    let ssrc: UInt32
    let clockRate: Int
    /// One frame's duration in the clock (the step used when the line must jump).
    let step: Int64

    private(set) var sequence: UInt16
    private(set) var offset: Int64 = 0
    private(set) var epoch = -1
    private(set) var lastOut: Int64?
    /// Video waits for a keyframe (or a cached GOP) before its first packet.
    var started: Bool
    private(set) var packets: UInt32 = 0
    private(set) var octets: UInt32 = 0
    /// When the last packet went out, for sender reports.
    private(set) var lastSentAt: MonotonicInstant?
    /// The last packets sent (video only), for NACK: the payload bytes are the route's, shared, not copied.
    private var history: [HistoryEntry?]
    private(set) var retransmitted = 0

    struct HistoryEntry {
        var sequence: UInt16
        var timestamp: Int64
        var unit: RTPPayloadUnit
    }

    /// About a second of video at a few Mbit/s.
    static let historySize = 1024

    init(stream: StreamKey, payloadType: UInt8, ssrc: UInt32, clockRate: Int, isVideo: Bool,
         random: inout some RandomNumberGenerator) {
        self.stream = stream
        self.payloadType = payloadType
        self.ssrc = ssrc
        self.clockRate = clockRate
        step = isVideo ? Int64(clockRate / 30) : Int64(clockRate / 50)
        sequence = UInt16.random(in: 0...0x7FFF, using: &random)
        lastOut = nil
        started = !isVideo
        history = isVideo ? Array(repeating: nil, count: Self.historySize) : []
        firstOut = Int64(UInt32.random(in: 0...0x3FFF_FFFF, using: &random))
    }

    private let firstOut: Int64

    /// The output timestamp the next packet continues from (one step after the last, or the random start).
    var nextOut: Int64 { lastOut.map { $0 + step } ?? firstOut }

    /// Makes `sourceTimestamp` map to the next position of the line.
    mutating func rebase(sourceTimestamp: Int64, epoch: Int) {
        offset = nextOut - sourceTimestamp
        self.epoch = epoch
    }

    /// Whether the line must be re-anchored before sending from this epoch.
    func needsRebase(epoch: Int) -> Bool { self.epoch != epoch }

    /// Writes one RTP packet for `unit`, at the mapped timestamp (or at `outputTimestamp` for GOP bursts).
    mutating func packet(for unit: RTPPayloadUnit, outputTimestamp: Int64? = nil, now: MonotonicInstant) -> [UInt8] {
        let out = outputTimestamp ?? unit.timestamp + offset
        lastOut = max(lastOut ?? out, out)
        let bytes = write(unit, sequence: sequence, timestamp: out)
        if !history.isEmpty { history[Int(sequence) % Self.historySize] = HistoryEntry(sequence: sequence, timestamp: out, unit: unit) }
        sequence &+= 1
        packets &+= 1
        octets &+= UInt32(truncatingIfNeeded: unit.payload.count)
        lastSentAt = now
        return bytes
    }

    /// The packet with `lost`'s sequence number again, as first sent, if it is still in the history.
    mutating func retransmission(of lost: UInt16) -> [UInt8]? {
        guard !history.isEmpty, let entry = history[Int(lost) % Self.historySize], entry.sequence == lost else { return nil }
        retransmitted += 1
        return write(entry.unit, sequence: entry.sequence, timestamp: entry.timestamp)
    }

    private func write(_ unit: RTPPayloadUnit, sequence: UInt16, timestamp: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(RTPHeader.fixedLength + unit.payload.count + 16)
        RTPPacket.write(
            header: RTPHeader(marker: unit.marker, payloadType: PayloadType(maskingHeaderByte: payloadType), sequenceNumber: SequenceNumber(sequence),
                              timestamp: RTPTimestamp(UInt32(truncatingIfNeeded: timestamp)), ssrc: SSRC(ssrc)),
            payload: unit.payload, into: &bytes)
        return bytes
    }

    /// After a GOP burst that ended at `lastBurstOut` for source time `sourceTimestamp`: live packets follow.
    mutating func continueAfterBurst(lastBurstOut: Int64, sourceTimestamp: Int64, epoch: Int) {
        offset = lastBurstOut - sourceTimestamp
        self.epoch = epoch
    }

    /// A sender report (RFC 3550 section 6.4.1) for this track at `now`, `wallClock` as NTP.
    func senderReport(now: MonotonicInstant, ntp: UInt64) -> [UInt8]? {
        guard let lastOut, let lastSentAt else { return nil }
        let elapsed = now.nanoseconds >= lastSentAt.nanoseconds ? now.nanoseconds - lastSentAt.nanoseconds : 0
        let current = lastOut &+ ClockScaling.ticks(nanoseconds: elapsed, clockRate: clockRate)
        var bytes: [UInt8] = []
        RTCPSenderReport(ssrc: SSRC(ssrc), ntpTimestamp: ntp, rtpTimestamp: RTPTimestamp(UInt32(truncatingIfNeeded: current)),
                         packetCount: packets, octetCount: octets).write(into: &bytes)
        return bytes
    }
}

/// One output of a route: a source track, in the codec a viewer receives (the source's own, or Opus).
struct StreamKey: Hashable, Sendable {
    var track: Int
    var codec: MediaCodec
}
