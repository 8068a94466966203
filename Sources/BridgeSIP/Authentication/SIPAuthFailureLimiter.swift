import BridgeCore

/// Counts failed authentication attempts per source IP address and turns a source away once it failed
/// `limit` times within `window`, for `window` from its last counted failure. Sans-IO (`now` is passed
/// in) and bounded: at most `capacity` addresses are tracked; when full, idle entries go first, then the
/// oldest unblocked one, then the oldest.
///
/// The driver asks `isBlocked` before checking credentials and calls `recordFailure` for each refusal.
public struct SIPAuthFailureLimiter: Sendable {
    private struct Entry: Sendable {
        var windowStart: MonotonicInstant
        var lastFailure: MonotonicInstant
        var failures: Int
        var blockedUntil: MonotonicInstant?
    }

    public let limit: Int
    public let window: Duration
    public let capacity: Int
    /// By address bytes, IPv4-mapped IPv6 as IPv4 (the port is left out: a phone changes ports, an attacker too).
    private var entries: [[UInt8]: Entry] = [:]

    public init(limit: Int = 10, window: Duration = .seconds(60), capacity: Int = 4096) {
        self.limit = max(1, limit)
        self.window = window
        self.capacity = max(1, capacity)
    }

    /// Addresses tracked now.
    public var count: Int { entries.count }

    /// True while `source` has to wait before trying again.
    public func isBlocked(_ source: TransportAddress, now: MonotonicInstant) -> Bool {
        entries[source.unmappedAddressBytes].map { isBlocked($0, now: now) } ?? false
    }

    /// Counts one failure from `source`; returns the failures in its current window.
    @discardableResult
    public mutating func recordFailure(from source: TransportAddress, now: MonotonicInstant) -> Int {
        let key = source.unmappedAddressBytes
        var entry = entries[key].flatMap { isIdle($0, now: now) ? nil : $0 }
            ?? Entry(windowStart: now, lastFailure: now, failures: 0, blockedUntil: nil)
        entry.failures = min(entry.failures, limit) + 1
        entry.lastFailure = now
        if entry.failures >= limit { entry.blockedUntil = now + window }
        if entries[key] == nil, entries.count >= capacity { makeRoom(now: now) }
        entries[key] = entry
        return entry.failures
    }

    /// Past its window and not blocked: forgotten.
    private func isIdle(_ entry: Entry, now: MonotonicInstant) -> Bool {
        if let until = entry.blockedUntil, now < until { return false }
        return now.duration(since: entry.windowStart) >= window || entry.blockedUntil != nil
    }

    private mutating func makeRoom(now: MonotonicInstant) {
        entries = entries.filter { !isIdle($0.value, now: now) }
        guard entries.count >= capacity else { return }
        let victim = entries.min { lhs, rhs in
            let (a, b) = (isBlocked(lhs.value, now: now), isBlocked(rhs.value, now: now))
            return a != b ? !a : lhs.value.lastFailure < rhs.value.lastFailure
        }
        if let victim { entries[victim.key] = nil }
    }

    private func isBlocked(_ entry: Entry, now: MonotonicInstant) -> Bool {
        entry.blockedUntil.map { now < $0 } ?? false
    }
}
