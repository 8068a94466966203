/// Counters summed over a swarm's calls at one instant; the difference of two gives a window's figures.
/// "Down" is phone to browser (received by the browser), "up" browser to phone (received by the phone).
struct CallSnapshot: Sendable {
    var calls = 0
    /// Both ends sending media (the browser's DTLS is up and the phone has the gateway's RTP address).
    var up = 0
    var downSent = 0
    var downReceived = 0
    var downExpected = 0
    var upSent = 0
    var upReceived = 0
    var upExpected = 0
    /// Calls up that received nothing in that direction since the window mark.
    var downStalled = 0
    var upStalled = 0
    /// Datagrams the browser sessions refused (SRTP authentication, unknown source).
    var browserDrops = 0

    static func + (lhs: Self, rhs: Self) -> Self {
        CallSnapshot(calls: lhs.calls + rhs.calls, up: lhs.up + rhs.up,
                     downSent: lhs.downSent + rhs.downSent, downReceived: lhs.downReceived + rhs.downReceived,
                     downExpected: lhs.downExpected + rhs.downExpected,
                     upSent: lhs.upSent + rhs.upSent, upReceived: lhs.upReceived + rhs.upReceived, upExpected: lhs.upExpected + rhs.upExpected,
                     downStalled: lhs.downStalled + rhs.downStalled, upStalled: lhs.upStalled + rhs.upStalled,
                     browserDrops: lhs.browserDrops + rhs.browserDrops)
    }

    /// The counters' growth since `start`; calls, up and stalls as they are now.
    func since(_ start: Self) -> Self {
        var window = self
        window.downSent -= start.downSent
        window.downReceived -= start.downReceived
        window.downExpected -= start.downExpected
        window.upSent -= start.upSent
        window.upReceived -= start.upReceived
        window.upExpected -= start.upExpected
        window.browserDrops -= start.browserDrops
        return window
    }
}
