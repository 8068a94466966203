import BridgeCore

/// Audio whose RTP payload is one whole frame: G.711 (RFC 3551 section 4.5.14), G.722 (section 4.5.2),
/// Opus (RFC 7587). One frame per packet, the payload as it came; lost packets are counted, not waited for.
public struct PassThroughDepacketizer: RTPDepacketizer {
    public let codec: MediaCodec
    public let clockRate: Int
    public private(set) var counters = DepacketizerCounters()
    private var unwrapper = RTPTimestampUnwrapper()
    private var sequence = RTPSequenceTracker()

    public init(codec: MediaCodec, clockRate: Int) {
        self.codec = codec
        self.clockRate = clockRate
    }

    public mutating func handle(_ packet: RTPPacket, in bytes: [UInt8]) -> [MediaFrame] {
        guard sequence.accept(packet.header.sequenceNumber, counting: &counters) != nil else { return [] }
        let payload = packet.payload(in: bytes)
        guard !payload.isEmpty else {
            counters.malformedPackets += 1
            return []
        }
        counters.frames += 1
        return [MediaFrame(codec: codec, timestamp: unwrapper.unwrap(packet.header.timestamp), clockRate: clockRate,
                           isKeyframe: true, units: [Array(payload)])]
    }
}
