/// A counter that wraps around, compared with serial number arithmetic (RFC 1982): `a` comes before `b`
/// when `b` is less than half the number space ahead of `a`. RTP sequence numbers and timestamps both
/// work this way (RFC 3550 appendix A.1).
///
/// Not `Comparable` on purpose: wrap-aware order is not transitive, so sorting with it would be wrong.
public protocol SerialNumber: RawRepresentable, Hashable, Sendable
where RawValue: FixedWidthInteger & UnsignedInteger {
    init(rawValue: RawValue)
}

extension SerialNumber {
    /// The signed number of steps from `self` to `other`, the shorter way round:
    /// in `-half ... half - 1`. Exactly half the space apart counts as behind (`-half`).
    @inlinable public func distance(to other: Self) -> Int {
        let forward = other.rawValue &- rawValue
        let half = RawValue(1) << (RawValue.bitWidth - 1)
        return forward < half ? Int(forward) : Int(forward) - (Int(half) << 1)
    }

    /// True when `other` is ahead of `self` by less than half the number space.
    @inlinable public func isBefore(_ other: Self) -> Bool { distance(to: other) > 0 }

    /// True when `self` is ahead of `other` by less than half the number space.
    @inlinable public func isAfter(_ other: Self) -> Bool { other.isBefore(self) }

    /// `self` moved forward (or backward, for negative `steps`) with wrap-around.
    @inlinable public func advanced(by steps: Int) -> Self {
        Self(rawValue: rawValue &+ RawValue(truncatingIfNeeded: steps))
    }
}

/// RTP sequence number (RFC 3550 section 5.1): 16 bits, +1 per packet, wraps at 65536.
public struct SequenceNumber: SerialNumber, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt16

    @inlinable public init(rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt16) { self.rawValue = rawValue }
    @inlinable public init(integerLiteral value: UInt16) { self.rawValue = value }

    /// The next packet's number.
    @inlinable public var next: SequenceNumber { SequenceNumber(rawValue: rawValue &+ 1) }

    public var description: String { String(rawValue) }
}

/// RTP timestamp (RFC 3550 section 5.1): 32 bits in the clock rate of the payload format, wraps.
public struct RTPTimestamp: SerialNumber, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(integerLiteral value: UInt32) { self.rawValue = value }

    public var description: String { String(rawValue) }
}

/// Extends 16-bit sequence numbers to a 64-bit count that keeps growing across wraps (the "extended highest
/// sequence number" of RFC 3550 appendix A.1), so that history buffers and loss counts can use plain integers.
/// A packet more than half the space behind the newest is taken as old (reordered), never as a new cycle.
public struct SequenceNumberUnwrapper: Sendable, Hashable {
    /// The extended value of the newest packet seen, or nil before the first.
    public private(set) var highest: Int64?

    public init() {}

    /// The extended value of `sequenceNumber`; advances `highest` when the packet is newer.
    public mutating func unwrap(_ sequenceNumber: SequenceNumber) -> Int64 {
        guard let highest else {
            self.highest = Int64(sequenceNumber.rawValue)
            return Int64(sequenceNumber.rawValue)
        }
        let newest = SequenceNumber(rawValue: UInt16(truncatingIfNeeded: highest))
        let extended = highest + Int64(newest.distance(to: sequenceNumber))
        if extended > highest { self.highest = extended }
        return extended
    }
}
