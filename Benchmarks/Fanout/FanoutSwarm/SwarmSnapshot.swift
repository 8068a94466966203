/// Counters summed over viewers at one instant; differences of two snapshots give a window's rates.
struct SwarmSnapshot: Sendable {
    var viewers = 0
    var connected = 0
    var closed = 0
    var rtp = 0
    var rtcp = 0
    var expected = 0
    var gaps = 0
    var bytes = 0
    /// Datagrams the client sessions refused (failed SRTP authentication, unknown source, ...).
    var drops = 0
    /// Connected viewers that received no RTP since the window's start mark (the gateway stopped serving them).
    var stalled = 0

    static func + (lhs: Self, rhs: Self) -> Self {
        SwarmSnapshot(viewers: lhs.viewers + rhs.viewers, connected: lhs.connected + rhs.connected,
                      closed: lhs.closed + rhs.closed, rtp: lhs.rtp + rhs.rtp, rtcp: lhs.rtcp + rhs.rtcp,
                      expected: lhs.expected + rhs.expected, gaps: lhs.gaps + rhs.gaps, bytes: lhs.bytes + rhs.bytes,
                      drops: lhs.drops + rhs.drops, stalled: lhs.stalled + rhs.stalled)
    }
}
