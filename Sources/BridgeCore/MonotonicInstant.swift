/// A point on a monotonic clock, in nanoseconds from an arbitrary origin. Protocol cores take it as input
/// (`now:`) and return it from `nextTimeout()`; only the I/O driver reads a real clock.
public struct MonotonicInstant: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = MonotonicInstant(nanoseconds: 0)

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    public static func + (lhs: Self, rhs: Duration) -> Self {
        let (seconds, attoseconds) = rhs.components
        let delta = seconds * 1_000_000_000 + attoseconds / 1_000_000_000
        return MonotonicInstant(nanoseconds: delta >= 0 ? lhs.nanoseconds &+ UInt64(delta) : lhs.nanoseconds &- UInt64(-delta))
    }

    /// The time from `earlier` to `self`; zero if `earlier` is later.
    public func duration(since earlier: Self) -> Duration {
        guard nanoseconds >= earlier.nanoseconds else { return .zero }
        return .nanoseconds(Int64(clamping: nanoseconds - earlier.nanoseconds))
    }

    public var description: String { "\(Double(nanoseconds) / 1e9)s" }
}
