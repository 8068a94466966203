/// Synchronization source identifier (RFC 3550 section 3): the 32-bit number naming one stream of RTP
/// packets in a session. Chosen at random by the sender, so it carries no order.
public struct SSRC: RawRepresentable, Hashable, Sendable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public let rawValue: UInt32

    @inlinable public init(rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    @inlinable public init(integerLiteral value: UInt32) { self.rawValue = value }

    /// Decimal, as SDP `a=ssrc` lines and Wireshark show it.
    public var description: String { String(rawValue) }
}

/// RTP payload type (RFC 3550 section 5.1): 7 bits, 0...127. Static types 0...34 (RFC 3551), dynamic 96...127.
public struct PayloadType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8

    /// Nil for values above 127, which do not fit the 7-bit field.
    @inlinable public init?(rawValue: UInt8) {
        guard rawValue <= 127 else { return nil }
        self.rawValue = rawValue
    }

    /// The low 7 bits of a header byte (the marker bit is dropped), so always valid.
    @inlinable public init(maskingHeaderByte byte: UInt8) { rawValue = byte & 0x7F }

    /// 64...95 clash with RTCP packet types 192...223 once the marker bit is set, so RTP multiplexed with RTCP
    /// on one port must not use them (RFC 5761 section 4).
    public var isAllowedWithRTCPMux: Bool { !(64...95).contains(rawValue) }

    public var description: String { String(rawValue) }
}
