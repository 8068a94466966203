import BridgeCore

/// The highest nonce count (`nc`) accepted for each nonce `SIPDigestServer` issued, so that a response is
/// taken once: a count not above the last accepted one is a replay (RFC 7616 section 3.4, RFC 3261 section
/// 22.4). Sans-IO and bounded: an entry lives as long as its nonce, and at most `capacity` are kept.
///
/// When full, expired entries go first, then the oldest nonce; every nonce up to the oldest one dropped is
/// then answered as stale, so dropping an entry never lets a replay through.
struct SIPNonceCounts: Sendable {
    enum Outcome: Sendable, Hashable {
        case accepted
        /// `nc` not above the last accepted one for this nonce.
        case replayed
        /// The nonce's entry was dropped to make room: ask for a fresh nonce.
        case forgotten
    }

    private struct Entry: Sendable {
        var issued: MonotonicInstant
        var count: UInt32
    }

    let capacity: Int
    /// By the nonce's serial number.
    private var entries: [UInt64: Entry] = [:]
    /// Entries up to this serial may have been dropped before their nonce expired.
    private var droppedThrough: UInt64?

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    var count: Int { entries.count }

    /// Records `count` for the nonce `serial` issued at `issued` (still within `lifetime` at `now`).
    mutating func record(serial: UInt64, issued: MonotonicInstant, count: UInt32, lifetime: Duration,
                         now: MonotonicInstant) -> Outcome {
        if var entry = entries[serial] {
            guard count > entry.count else { return .replayed }
            entry.count = count
            entries[serial] = entry
            return .accepted
        }
        if let droppedThrough, serial <= droppedThrough { return .forgotten }
        if entries.count >= capacity { makeRoom(lifetime: lifetime, now: now) }
        entries[serial] = Entry(issued: issued, count: count)
        return .accepted
    }

    private mutating func makeRoom(lifetime: Duration, now: MonotonicInstant) {
        entries = entries.filter { now.duration(since: $0.value.issued) <= lifetime }
        guard entries.count >= capacity, let oldest = entries.keys.min() else { return }
        entries[oldest] = nil
        droppedThrough = max(droppedThrough ?? 0, oldest)
    }
}
