/// Counters summed over viewers at one instant; differences of two snapshots give a window's rates.
public struct SwarmSnapshot: Sendable {
    public init() {}

    public init(viewers: Int, connected: Int, closed: Int, rtp: Int, rtcp: Int, expected: Int, gaps: Int, bytes: Int, drops: Int, stalled: Int) {
        (self.viewers, self.connected, self.closed, self.rtp, self.rtcp) = (viewers, connected, closed, rtp, rtcp)
        (self.expected, self.gaps, self.bytes, self.drops, self.stalled) = (expected, gaps, bytes, drops, stalled)
    }

    public var viewers = 0
    public var connected = 0
    public var closed = 0
    public var rtp = 0
    public var rtcp = 0
    public var expected = 0
    public var gaps = 0
    public var bytes = 0
    /// Datagrams the client sessions refused (failed SRTP authentication, unknown source, ...).
    public var drops = 0
    /// Connected viewers that received no RTP since the window's start mark (the gateway stopped serving them).
    public var stalled = 0

    public static func + (lhs: Self, rhs: Self) -> Self {
        SwarmSnapshot(viewers: lhs.viewers + rhs.viewers, connected: lhs.connected + rhs.connected,
                      closed: lhs.closed + rhs.closed, rtp: lhs.rtp + rhs.rtp, rtcp: lhs.rtcp + rhs.rtcp,
                      expected: lhs.expected + rhs.expected, gaps: lhs.gaps + rhs.gaps, bytes: lhs.bytes + rhs.bytes,
                      drops: lhs.drops + rhs.drops, stalled: lhs.stalled + rhs.stalled)
    }
}
