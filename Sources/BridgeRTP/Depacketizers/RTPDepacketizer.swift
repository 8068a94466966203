import BridgeCore

/// Turns the RTP packets of one track into codec frames (`MediaFrame`), whatever the sender's packetization.
///
/// Depacketizers never trap on what the network sends: a packet they cannot read is counted in
/// `counters` and dropped, and a frame that lost a packet is dropped whole, never handed on half-built.
public protocol RTPDepacketizer: Sendable {
    /// Feeds one packet (parsed from `bytes`); returns the frames it completed, oldest first (often none).
    mutating func handle(_ packet: RTPPacket, in bytes: [UInt8]) -> [MediaFrame]
    var counters: DepacketizerCounters { get }
}

/// What a depacketizer saw go wrong: the data-path counters for one track.
public struct DepacketizerCounters: Sendable, Hashable {
    /// Frames handed on.
    public var frames: UInt64 = 0
    /// Packets missing by sequence number (gaps), and packets that came late (behind the newest).
    public var lostPackets: UInt64 = 0
    public var latePackets: UInt64 = 0
    /// Packets whose payload could not be read (truncated, bogus sizes, reserved types).
    public var malformedPackets: UInt64 = 0
    /// Packets of a packetization mode this depacketizer does not implement (STAP-B, MTAP, FU-B, PACI).
    public var unsupportedPackets: UInt64 = 0
    /// Frames dropped because a packet of theirs was lost or malformed, or they grew past the size limit.
    public var brokenFrames: UInt64 = 0

    public init() {}
}

/// Extends 32-bit RTP timestamps to a 64-bit line that keeps growing across wraps (RFC 3550 appendix A.1
/// applied to timestamps). The first timestamp keeps its value; later ones move by their wrap-aware distance,
/// so a timestamp a little behind the newest (B-frames, reordering) comes out a little smaller.
public struct RTPTimestampUnwrapper: Sendable, Hashable {
    private var last: (raw: RTPTimestamp, extended: Int64)?

    public init() {}

    public mutating func unwrap(_ timestamp: RTPTimestamp) -> Int64 {
        guard let last else {
            self.last = (timestamp, Int64(timestamp.rawValue))
            return Int64(timestamp.rawValue)
        }
        let extended = last.extended + Int64(last.raw.distance(to: timestamp))
        if extended > last.extended { self.last = (timestamp, extended) }
        return extended
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.last?.raw == rhs.last?.raw && lhs.last?.extended == rhs.last?.extended
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(last?.raw)
        hasher.combine(last?.extended)
    }
}

/// A stream's RTP sequence as a depacketizer sees it: late or repeated packets and gaps are counted in the
/// depacketizer's counters, and the gap before each packet is told so the caller can drop what it broke.
public struct RTPSequenceTracker: Sendable, Hashable {
    private var last: SequenceNumber?

    public init() {}

    /// nil for a packet at or behind the last one (counted late: drop it); otherwise how many packets
    /// went missing just before it (counted lost), 0 for the next one in order.
    public mutating func accept(_ sequence: SequenceNumber, counting counters: inout DepacketizerCounters) -> Int? {
        guard let last else {
            self.last = sequence
            return 0
        }
        let distance = last.distance(to: sequence)
        guard distance > 0 else {
            counters.latePackets += 1
            return nil
        }
        counters.lostPackets += UInt64(distance - 1)
        self.last = sequence
        return Int(distance - 1)
    }
}
