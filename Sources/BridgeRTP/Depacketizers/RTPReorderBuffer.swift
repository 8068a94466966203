import BridgeCore

/// Puts UDP packets of one stream back in sequence order before they reach a depacketizer, which would
/// otherwise take a swapped pair for a loss and drop the frame.
///
/// Packets come out as soon as they are next in line. A gap holds later packets back until it fills or
/// `depth` packets wait behind it; then the buffer gives up on the missing ones and moves on (the
/// depacketizer sees the gap and counts it). Duplicates and packets behind the line are dropped. No timer:
/// the delay a loss adds is at most `depth` packets.
public struct RTPReorderBuffer: Sendable {
    public let depth: Int
    public private(set) var droppedLate: UInt64 = 0
    private var unwrapper = SequenceNumberUnwrapper()
    private var next: Int64?
    private var held: [Int64: [UInt8]] = [:]

    public init(depth: Int = 16) {
        self.depth = max(1, depth)
    }

    /// Takes a packet (its RTP bytes and sequence number); returns the packets now in order.
    public mutating func insert(_ bytes: [UInt8], sequenceNumber: SequenceNumber) -> [[UInt8]] {
        let extended = unwrapper.unwrap(sequenceNumber)
        guard let expected = next else {
            next = extended + 1
            return [bytes]
        }
        if extended < expected || held[extended] != nil {
            droppedLate += 1
            return []
        }
        if extended == expected {
            next = extended + 1
            return [bytes] + releaseInOrder()
        }
        if extended - expected > Int64(depth) * 64 {
            // A jump far ahead (a sender restart): start the line again there.
            let flushed = held.keys.sorted().compactMap { held[$0] }
            held = [:]
            next = extended + 1
            return flushed + [bytes]
        }
        held[extended] = bytes
        guard held.count > depth, let oldest = held.keys.min() else { return [] }
        next = oldest
        return releaseInOrder()
    }

    private mutating func releaseInOrder() -> [[UInt8]] {
        var released: [[UInt8]] = []
        while let expected = next, let bytes = held.removeValue(forKey: expected) {
            released.append(bytes)
            next = expected + 1
        }
        return released
    }
}
