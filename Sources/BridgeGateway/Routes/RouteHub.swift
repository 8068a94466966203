import BridgeCore
import BridgeMedia
import BridgeRTP
import BridgeSDP
import BridgeWebRTC
import Foundation
import Logging
import NIOCore

/// One route: its source, its outputs (packetized once per codec) and where its viewers are. The hub runs
/// on the route's home loop (one of the WebRTC shards' loops), where the source's frames arrive; each
/// viewer lives on the shard that owns its session, in that shard's `RouteFanout`, which the hub hands every
/// packetized frame once. Calls from elsewhere hop onto the home loop.
final class RouteHub: @unchecked Sendable {
    let config: RouteConfig
    let eventLoop: any EventLoop
    let server: WebRTCTransportServer
    let registry: RouteRegistry
    let logger: Logger
    let makeSource: @Sendable (RouteConfig) -> any MediaSource

    // Home-loop state.
    var source: (any MediaSource)?
    var sourceGeneration = 0
    var tracks: [MediaTrackInfo]?
    var waiters: [(Result<[MediaTrackInfo], MediaSourceError>) -> Void] = []
    var epoch = 0
    var outputs: [StreamKey: RouteOutput] = [:]
    /// Each viewer's shard, and how many viewers each shard has.
    var viewers: [String: Int] = [:]
    private var viewersPerShard: [Int]
    /// One fan-out per shard, each reachable only on its shard's loop.
    private var fanouts: [NIOLoopBoundBox<RouteFanout>] = []
    var backoff: Duration = .seconds(1)
    var retryTask: Scheduled<Void>?
    var idleTask: Scheduled<Void>?
    var lastError: String?
    var random = SystemRandomNumberGenerator()
    let metrics: RouteMetrics
    var lastVideoTimestamp: Int64?
    var sourceHasBFrames = false

    /// `overloaded` hears how late frames reach a loop that sheds viewers (admission shuts the door).
    init(config: RouteConfig, server: WebRTCTransportServer, registry: RouteRegistry, logger: Logger, metrics: GatewayMetrics,
         overloaded: @escaping @Sendable (Duration) -> Void = { _ in },
         makeSource: @escaping @Sendable (RouteConfig) -> any MediaSource) {
        self.config = config
        self.metrics = RouteMetrics(route: config.name, factory: metrics.factory)
        self.eventLoop = server.homeLoop(forRoute: config.name)
        self.server = server
        self.registry = registry
        self.logger = logger
        self.makeSource = makeSource
        viewersPerShard = Array(repeating: 0, count: server.shards.count)
        fanouts = server.shards.map { shard in
            NIOLoopBoundBox.makeBoxSendingValue(
                RouteFanout(route: config.name, server: server, eventLoop: shard.eventLoop, metrics: self.metrics, logger: logger,
                            overloaded: overloaded) { [weak self] id in
                    guard let self else { return }
                    self.eventLoop.execute { self.forget(id: id) }
                },
                eventLoop: shard.eventLoop)
        }
    }

    static func now() -> MonotonicInstant { WebRTCDatagramHandler.now() }

    /// Runs `body` on a shard's fan-out: at once when the shard is the home loop, else in order behind
    /// whatever the hub handed that shard before.
    private func onFanout(_ shard: Int, _ body: @escaping @Sendable (RouteFanout) -> Void) {
        let fanout = fanouts[shard]
        if fanout.eventLoop.inEventLoop {
            body(fanout.value)
        } else {
            fanout.eventLoop.execute { body(fanout.value) }
        }
    }

    // MARK: Frames to viewers

    func handleFrame(_ frame: MediaFrame, track: Int, queuedAt: MonotonicInstant) {
        metrics.framesIn.increment()
        if frame.codec.isVideo { noteVideoOrder(frame) }
        var produced: [(StreamKey, [RTPPayloadUnit])] = []
        for (key, output) in outputs where key.track == track {
            let units = output.payloads(for: frame)
            if !units.isEmpty { produced.append((key, units)) }
        }
        guard !produced.isEmpty else { return }
        let epoch = epoch, frame = produced
        for shard in viewersPerShard.indices where viewersPerShard[shard] > 0 {
            onFanout(shard) { $0.deliver(frame, epoch: epoch, queuedAt: queuedAt) }
        }
    }

    /// Frames in decoding order whose timestamps go back mean B-frames, which browsers stall on.
    private func noteVideoOrder(_ frame: MediaFrame) {
        defer { lastVideoTimestamp = frame.timestamp }
        guard !sourceHasBFrames, let last = lastVideoTimestamp, frame.timestamp < last, last - frame.timestamp < 90_000 else { return }
        sourceHasBFrames = true
        let warning = "the source sends B-frames: browsers stall on them; set the camera to a profile without B-frames"
        logger.warning("route \(config.name): \(warning)")
        registry.warn(route: config.name, warning)
    }

    // MARK: Viewers

    /// Adds a viewer for an answered offer: one track per accepted section, fed from the matching output,
    /// on the shard that owns the session with `ufrag`.
    func addViewer(id: String, ufrag: String, plans: [TrackPlan]) async throws(MediaSourceError) {
        let result: Result<Void, MediaSourceError> = (try? await eventLoop.submit { () -> Result<Void, MediaSourceError> in
            Result(catching: { () throws(MediaSourceError) in try self.addViewerOnLoop(id: id, ufrag: ufrag, plans: plans) })
        }.get()) ?? .failure(MediaSourceError("the gateway is shutting down"))
        try result.get()
    }

    private func addViewerOnLoop(id: String, ufrag: String, plans: [TrackPlan]) throws(MediaSourceError) {
        guard let tracks else { throw MediaSourceError("the source has not described its tracks yet") }
        var viewerTracks: [ViewerTrack] = []
        for plan in plans {
            guard let ssrc = plan.ssrc, let peer = plan.decision.peerCodec,
                  let trackIndex = tracks.firstIndex(where: { ($0.codec.isVideo ? "video" : "audio") == plan.media })
            else { continue }
            let source = tracks[trackIndex]
            let transcode: Bool
            if case .transcode = plan.decision { transcode = true } else { transcode = false }
            let key = StreamKey(track: trackIndex, codec: transcode ? .opus : source.codec)
            if outputs[key] == nil {
                outputs[key] = try makeOutput(key: key, source: source)
            }
            viewerTracks.append(ViewerTrack(stream: key, payloadType: peer.payloadType, ssrc: ssrc,
                                            clockRate: outputs[key]?.clockRate ?? source.clockRate,
                                            isVideo: source.codec.isVideo, random: &random))
        }
        let shard = server.directory.owner(ofUfrag: ufrag)
        viewers[id] = shard
        viewersPerShard[shard] += 1
        metrics.viewers.record(viewers.count)
        idleTask?.cancel()
        idleTask = nil
        var gops: [StreamKey: GOPCache] = [:]
        for track in viewerTracks where track.stream.codec.isVideo { gops[track.stream] = outputs[track.stream]?.gop }
        let epoch = epoch, createdAt = Self.now(), added = viewerTracks, current = gops
        onFanout(shard) { $0.add(id: id, ufrag: ufrag, tracks: added, createdAt: createdAt, gops: current, epoch: epoch) }
    }

    func makeOutput(key: StreamKey, source: MediaTrackInfo) throws(MediaSourceError) -> RouteOutput {
        guard key.codec != source.codec else { return RouteOutput(key: key, clockRate: source.clockRate, transcoder: nil) }
        do {
            return RouteOutput(key: key, clockRate: 48_000, transcoder: try AudioTranscoder(from: source))
        } catch {
            throw MediaSourceError("cannot transcode \(source.codec.rawValue) to Opus: \(error.message)", isTransient: false)
        }
    }

    /// A viewer session's event, on the loop of the shard that owns it.
    func handleViewerEvent(id: String, ufrag: String, _ event: WebRTCSessionEvent) {
        let fanout = fanouts[server.directory.owner(ofUfrag: ufrag)]
        fanout.value.handleViewerEvent(id: id, event)
    }

    /// Ends a viewer's session (DELETE, kick) or forgets one that never started. Returns whether it existed.
    func removeViewer(id: String, reason: String?) async -> Bool {
        (try? await eventLoop.submit { self.removeViewerOnLoop(id: id, reason: reason) }.get()) ?? false
    }

    /// Whether the route has this viewer.
    func hasViewer(id: String) async -> Bool {
        (try? await eventLoop.submit { self.viewers[id] != nil }.get()) ?? false
    }

    @discardableResult
    func removeViewerOnLoop(id: String, reason: String?) -> Bool {
        guard let shard = forget(id: id) else { return false }
        onFanout(shard) { _ = $0.remove(id: id, reason: reason) }
        return true
    }

    /// Drops a viewer from the counts (its fan-out already forgot it, or is told by the caller).
    @discardableResult
    private func forget(id: String) -> Int? {
        guard let shard = viewers.removeValue(forKey: id) else { return nil }
        viewersPerShard[shard] -= 1
        metrics.viewers.record(viewers.count)
        if viewers.isEmpty { viewersGone() }
        return shard
    }

    /// Every viewer, in the order they joined, gathered from the shards that have some.
    func viewerSummaries() async -> [ViewerSummary] {
        let shards = (try? await eventLoop.submit { self.viewersPerShard.indices.filter { self.viewersPerShard[$0] > 0 } }.get()) ?? []
        var all: [(joined: MonotonicInstant, summary: ViewerSummary)] = []
        for shard in shards {
            let fanout = fanouts[shard]
            all += (try? await fanout.eventLoop.submit { fanout.value.viewerSummaries }.get()) ?? []
        }
        return all.sorted { $0.joined.nanoseconds < $1.joined.nanoseconds }.map(\.summary)
    }
}

typealias WebRTCSessionEvent = WebRTCSession.Event
