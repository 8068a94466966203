import BridgeRTP

/// The last video payloads one loop's fan-out sent for one output, shared by all its viewers for NACK
/// answers. Each payload gets a running index; a viewer keeps only how its own sequence numbers and
/// timestamps map onto those indices (`SequenceMap`), so a thousand viewers cost one history, not a
/// thousand. The payload bytes are the route's own arrays, never copied.
struct PacketHistory {
    private var slots: [RTPPayloadUnit?]
    /// The index the next payload gets; indices only grow.
    private(set) var nextIndex = 0

    /// A few seconds of a 4 Mbit/s camera: a long GOP burst stays answerable as well as the live edge.
    static let defaultCapacity = 2048

    init(capacity: Int = PacketHistory.defaultCapacity) {
        slots = Array(repeating: nil, count: max(1, capacity))
    }

    var capacity: Int { slots.count }

    /// Keeps `unit` and returns its index.
    mutating func append(_ unit: RTPPayloadUnit) -> Int {
        let index = nextIndex
        slots[index % slots.count] = unit
        nextIndex = index &+ 1
        return index
    }

    /// The payload with `index`, if it has not been overwritten yet.
    subscript(index: Int) -> RTPPayloadUnit? {
        guard index >= 0, index < nextIndex, nextIndex - index <= slots.count else { return nil }
        return slots[index % slots.count]
    }
}

/// How one viewer's sequence numbers map onto a shared `PacketHistory`: runs of consecutive packets whose
/// sequence number, history index and timestamp offset all advance together. Live packets make one run
/// per (re)start; a GOP burst makes one run per frame. Only the newest runs are kept.
struct SequenceMap {
    struct Run {
        var firstSequence: UInt16
        var firstIndex: Int
        var count: Int
        /// Output timestamp minus the payload's source timestamp.
        var timestampOffset: Int64
    }

    private var runs: [Run] = []
    /// Enough for a 4 s GOP burst at 30 frames/s, then live packets.
    static let maximumRuns = 160

    /// Notes that `sequence` carried history payload `index` at `outputTimestamp`.
    mutating func record(sequence: UInt16, index: Int, sourceTimestamp: Int64, outputTimestamp: Int64) {
        let offset = outputTimestamp &- sourceTimestamp
        if var last = runs.last, last.timestampOffset == offset, last.firstSequence &+ UInt16(truncatingIfNeeded: last.count) == sequence,
           last.firstIndex &+ last.count == index, last.count < Int(UInt16.max) {
            last.count += 1
            runs[runs.count - 1] = last
            return
        }
        // Runs whose payloads the history has overwritten answer nothing any more.
        let stale = runs.prefix { $0.firstIndex &+ $0.count <= index &- PacketHistory.defaultCapacity }.count
        let excess = max(stale, runs.count - Self.maximumRuns + 1)
        if excess > 0 { runs.removeFirst(excess) }
        runs.append(Run(firstSequence: sequence, firstIndex: index, count: 1, timestampOffset: offset))
    }

    /// The history index and timestamp offset that `sequence` was sent with, newest run first.
    func lookup(_ sequence: UInt16) -> (index: Int, timestampOffset: Int64)? {
        for run in runs.reversed() {
            let delta = Int(sequence &- run.firstSequence)
            if delta < run.count { return (run.firstIndex + delta, run.timestampOffset) }
        }
        return nil
    }
}
