/// Rescaling between clocks (nanoseconds to an RTP clock, one RTP clock to another) without a trap: a wire
/// value times a clock rate can leave Int64 after a long uptime or with a hostile rate, so the product wraps
/// (RTP timestamps are modulo 2^32 anyway) instead of overflowing.
public enum ClockScaling {
    /// `value × numerator / denominator`, exact while the result fits, wrapping where it does not; 0 for a
    /// denominator that is not positive. The remainder is scaled apart so that `value × numerator` itself is
    /// never formed.
    @inlinable
    public static func rescale(_ value: Int64, by numerator: Int64, over denominator: Int64) -> Int64 {
        guard denominator > 0 else { return 0 }
        let quotient = value / denominator, remainder = value % denominator
        let (fraction, overflow) = remainder.multipliedReportingOverflow(by: numerator)
        let tail = overflow ? Int64(Double(remainder) * Double(numerator) / Double(denominator)) : fraction / denominator
        return quotient &* numerator &+ tail
    }

    /// Nanoseconds as ticks of a `clockRate` Hz clock.
    @inlinable
    public static func ticks(nanoseconds: UInt64, clockRate: Int) -> Int64 {
        rescale(Int64(truncatingIfNeeded: nanoseconds), by: Int64(clockRate), over: 1_000_000_000)
    }
}
