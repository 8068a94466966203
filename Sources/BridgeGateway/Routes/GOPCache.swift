import BridgeRTP

/// The current group of pictures of one video output, from its last keyframe on, which lets a new viewer
/// start at once. The payloads are the route's, shared by every copy, never duplicated per viewer.
struct GOPCache: Sendable {
    private(set) var units: [RTPPayloadUnit] = []
    /// Where the first unit sits in the owning loop's `PacketHistory` (its units follow it there in order).
    var historyStart: Int?
    private var bytes = 0
    /// The GOP grew past the limit: cache nothing until the next keyframe.
    private var overflowed = false
    static let byteLimit = 8 << 20

    /// Adds one frame's payloads: a keyframe starts a new GOP.
    mutating func remember(_ frame: [RTPPayloadUnit], historyStart frameStart: Int? = nil) {
        guard let first = frame.first else { return }
        if first.startsKeyframe {
            units.removeAll(keepingCapacity: true)
            bytes = 0
            overflowed = false
            historyStart = frameStart
        }
        guard !overflowed, !units.isEmpty || first.startsKeyframe else { return }
        bytes += frame.reduce(0) { $0 + $1.payload.count }
        if bytes > Self.byteLimit {
            units.removeAll()
            overflowed = true
            return
        }
        units += frame
    }

    /// Whether `other` holds the same GOP (a loop that saw every frame the hub saw has the hub's).
    func matches(_ other: GOPCache) -> Bool {
        units.count == other.units.count && units.first?.timestamp == other.units.first?.timestamp
            && units.last?.timestamp == other.units.last?.timestamp
    }
}
