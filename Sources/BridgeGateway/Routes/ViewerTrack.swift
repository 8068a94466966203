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
    /// How this viewer's video sequence numbers map onto its loop's shared `PacketHistory`, for NACK.
    private var sentMap: SequenceMap?
    private(set) var retransmitted = 0

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
        sentMap = isVideo ? SequenceMap() : nil
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

    /// The next RTP packet for `unit`, at the mapped timestamp (or at `outputTimestamp` for GOP bursts);
    /// `historyIndex` is where the loop's shared history keeps `unit`, for NACK answers (video only).
    mutating func packet(for unit: RTPPayloadUnit, historyIndex: Int? = nil, outputTimestamp: Int64? = nil,
                         now: MonotonicInstant) -> OutgoingRTP {
        let out = outputTimestamp ?? unit.timestamp + offset
        lastOut = max(lastOut ?? out, out)
        if let historyIndex {
            sentMap?.record(sequence: sequence, index: historyIndex, sourceTimestamp: unit.timestamp, outputTimestamp: out)
        }
        let packet = outgoing(unit, sequence: sequence, timestamp: out)
        sequence &+= 1
        packets &+= 1
        octets &+= UInt32(truncatingIfNeeded: unit.payload.count)
        lastSentAt = now
        return packet
    }

    /// The packet with `lost`'s sequence number again, as first sent, if `history` still holds its payload.
    mutating func retransmission(of lost: UInt16, from history: PacketHistory) -> OutgoingRTP? {
        guard let (index, timestampOffset) = sentMap?.lookup(lost), let unit = history[index] else { return nil }
        retransmitted += 1
        return outgoing(unit, sequence: lost, timestamp: unit.timestamp &+ timestampOffset)
    }

    private func outgoing(_ unit: RTPPayloadUnit, sequence: UInt16, timestamp: Int64) -> OutgoingRTP {
        OutgoingRTP(header: RTPHeader(marker: unit.marker, payloadType: PayloadType(maskingHeaderByte: payloadType),
                                      sequenceNumber: SequenceNumber(sequence),
                                      timestamp: RTPTimestamp(UInt32(truncatingIfNeeded: timestamp)), ssrc: SSRC(ssrc)),
                    payload: unit.payload)
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
