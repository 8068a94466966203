import BridgeCore
import BridgeRTP
import Hummingbird

/// One browser watching a route over WHEP: its WebRTC session (by ufrag), its tracks, and what its
/// receiver reports say. Lives on the loop of the shard that owns its session, in the route's fan-out there.
final class Viewer {
    let id: String
    let ufrag: String
    var tracks: [ViewerTrack]
    let createdAt: MonotonicInstant
    var connected = false
    var address: String?
    var state = "connecting"
    var lastBurstAt: MonotonicInstant?
    var keyframeRequests = 0
    var nacks = 0
    var fractionLost: Double = 0
    var cumulativeLost: Int32 = 0
    var jitter: UInt32 = 0
    /// From the POST to the first video packet sent (instant start when a GOP is cached).
    var timeToFirstFrame: Duration?

    init(id: String, ufrag: String, tracks: [ViewerTrack], now: MonotonicInstant) {
        self.id = id
        self.ufrag = ufrag
        self.tracks = tracks
        self.createdAt = now
    }

    var bytesSent: UInt64 { tracks.reduce(0) { $0 + UInt64($1.octets) } }
    var packetsSent: UInt64 { tracks.reduce(0) { $0 + UInt64($1.packets) } }

    var summary: ViewerSummary {
        ViewerSummary(id: id, address: address, state: state, packets: packetsSent, bytes: bytesSent,
                      fractionLost: fractionLost, cumulativeLost: Int(cumulativeLost), jitter: Int(jitter),
                      keyframeRequests: keyframeRequests, nacks: nacks, retransmitted: tracks.reduce(0) { $0 + $1.retransmitted },
                      timeToFirstFrameMilliseconds: timeToFirstFrame.map { Int($0.components.seconds * 1000 + $0.components.attoseconds / 1_000_000_000_000_000) })
    }
}

/// One viewer as `GET /api/v1/routes/{name}/sessions` shows it.
struct ViewerSummary: ResponseCodable, Equatable {
    var id: String
    var address: String?
    var state: String
    var packets: UInt64
    var bytes: UInt64
    var fractionLost: Double
    var cumulativeLost: Int
    var jitter: Int
    var keyframeRequests: Int
    var nacks: Int
    var retransmitted: Int
    var timeToFirstFrameMilliseconds: Int?
}

struct ViewerList: ResponseCodable, Equatable {
    var route: String
    var sessions: [ViewerSummary]
}
