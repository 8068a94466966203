import BridgeCore

/// How many of a loop's viewers of a route get the next frame, when frames reach the loop late.
///
/// An event loop that cannot keep up must not let media pile up in its task queue: NIO runs queued tasks
/// before it reads sockets again, so a backlog that never empties starves STUN, DTLS and RTCP, and 30 s
/// later every viewer's consent expires together. When a frame arrives more than `lateness` after the
/// source handed it over (a keyframe's fan-out delays the next frame by less), the loop serves a quarter
/// fewer viewers, at most once per `cutInterval` (the newest go first, and their video resumes at the next
/// keyframe); while frames arrive within `onTime`, it serves more again, a few at a time.
struct MediaShedder: Sendable {
    static let lateness = Duration.milliseconds(200)
    static let onTime = Duration.milliseconds(100)
    static let cutInterval = Duration.milliseconds(100)
    /// Viewers served, oldest first; nil serves everyone.
    private(set) var served: Int?
    private var lastCut: MonotonicInstant?

    /// The number of viewers (of `viewers`, in join order) to serve a frame that is `late` at `now`.
    mutating func admit(late: Duration, viewers: Int, now: MonotonicInstant) -> Int {
        if late > Self.lateness {
            if lastCut.map({ now >= $0 + Self.cutInterval }) ?? true {
                served = max(1, (min(served ?? viewers, viewers) * 3) / 4)
                lastCut = now
            }
        } else if let current = served, late < Self.onTime {
            let next = current + max(1, viewers / 16)
            served = next >= viewers ? nil : next
        }
        return min(served ?? viewers, viewers)
    }

    var isShedding: Bool { served != nil }
}
