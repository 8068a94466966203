import BridgeCore
import BridgeRTP
import Logging
import NIOCore

/// A route's viewers on one shard of the WebRTC port: their tracks, the GOP this shard has seen, NACK
/// answers, keyframe requests and sender reports. It lives on the shard's loop, beside the viewers'
/// sessions, so per-viewer work takes no lock and no hop: the route's hub hands it each frame once,
/// already packetized, and it rewrites and sends that frame to each of its viewers.
final class RouteFanout {
    let route: String
    let server: WebRTCTransportServer
    let eventLoop: any EventLoop
    let metrics: RouteMetrics
    let logger: Logger
    /// Tells the hub that a viewer's session closed by itself (the hub counts viewers).
    let viewerLeft: @Sendable (String) -> Void
    /// Told (at most once a second) how late frames arrive while this loop has shed viewers for a second.
    let overloaded: @Sendable (Duration) -> Void

    private(set) var viewers: [String: Viewer] = [:]
    /// The same viewers in the order they joined: frames go out in this order, and shedding drops the
    /// newest first.
    private var order: [Viewer] = []
    private var shedder = MediaShedder()
    private var sheddingSince: MonotonicInstant?
    private var lastOverloadNote: MonotonicInstant?
    private var gops: [StreamKey: GOPCache] = [:]
    /// The video payloads this loop sent lately, per output, shared by its viewers for NACK answers.
    private var histories: [StreamKey: PacketHistory] = [:]
    /// One viewer's packets for one frame, reused from viewer to viewer.
    private var batch: [OutgoingRTP] = []
    private var epoch = 0
    private var reportTask: RepeatedTask?

    init(route: String, server: WebRTCTransportServer, eventLoop: any EventLoop, metrics: RouteMetrics, logger: Logger,
         overloaded: @escaping @Sendable (Duration) -> Void, viewerLeft: @escaping @Sendable (String) -> Void) {
        self.overloaded = overloaded
        self.route = route
        self.server = server
        self.eventLoop = eventLoop
        self.metrics = metrics
        self.logger = logger
        self.viewerLeft = viewerLeft
    }

    // MARK: Frames to viewers

    /// One source frame, packetized per output, for the viewers of this shard; `queuedAt` is when the
    /// source handed it over. A frame that arrives late goes to fewer viewers, the oldest (`MediaShedder`).
    func deliver(_ produced: [(StreamKey, [RTPPayloadUnit])], epoch: Int, queuedAt: MonotonicInstant) {
        if epoch != self.epoch { startEpoch(epoch) }
        // Where each output's payloads start in its shared history (video only).
        var firstIndices: [Int?] = []
        firstIndices.reserveCapacity(produced.count)
        for (key, units) in produced {
            guard key.codec.isVideo else { firstIndices.append(nil); continue }
            let first = remember(units, for: key)
            gops[key, default: GOPCache()].remember(units, historyStart: first)
            firstIndices.append(first)
        }
        let now = RouteHub.now()
        let late = now.duration(since: queuedAt)
        let served = shedder.admit(late: late, viewers: order.count, now: now)
        if shedder.isShedding { noteOverload(late: late, now: now) } else { sheddingSince = nil }
        for (rank, viewer) in order.enumerated() where viewer.connected {
            guard rank < served else {
                shed(produced, from: viewer)
                continue
            }
            batch.removeAll(keepingCapacity: true)
            for (output, (key, units)) in produced.enumerated() {
                guard let index = viewer.tracks.firstIndex(where: { $0.stream == key }) else { continue }
                for (offset, unit) in units.enumerated() {
                    let historyIndex = firstIndices[output].map { $0 &+ offset }
                    if let packet = livePacket(unit, historyIndex: historyIndex, viewer: viewer, track: index, now: now) {
                        batch.append(packet)
                    }
                }
            }
            send(batch, to: viewer)
        }
    }

    /// A new source epoch: the GOPs and histories of the old one are of no use.
    private func startEpoch(_ epoch: Int) {
        self.epoch = epoch
        gops.removeAll()
        histories.removeAll()
    }

    /// Appends a frame's payloads to the output's history; returns the first one's index.
    private func remember(_ units: [RTPPayloadUnit], for key: StreamKey) -> Int {
        var history = histories.removeValue(forKey: key) ?? PacketHistory()
        let first = history.nextIndex
        for unit in units { _ = history.append(unit) }
        histories[key] = history
        return first
    }

    /// A shed viewer misses this frame; its video waits for the next keyframe, so that it never decodes
    /// a picture whose references it did not get.
    private func shed(_ produced: [(StreamKey, [RTPPayloadUnit])], from viewer: Viewer) {
        var units = 0
        for (key, frame) in produced {
            guard let index = viewer.tracks.firstIndex(where: { $0.stream == key }) else { continue }
            if key.codec.isVideo { viewer.tracks[index].started = false }
            units += frame.count
        }
        metrics.drop("shed", count: units)
    }

    /// Shedding that lasts a second (not the hiccup of a burst of joins) shuts admission.
    private func noteOverload(late: Duration, now: MonotonicInstant) {
        guard let since = sheddingSince else { sheddingSince = now; return }
        guard now >= since + .seconds(1) else { return }
        if let last = lastOverloadNote, now < last + .seconds(1) { return }
        lastOverloadNote = now
        overloaded(late)
    }

    /// Hands the batch over (the packets are written and protected in the socket buffer), then counts
    /// what went.
    private func send(_ batch: [OutgoingRTP], to viewer: Viewer) {
        let count = batch.count
        guard count > 0 else { return }
        let bytes = batch.reduce(0) { $0 + $1.byteCount }
        switch server.sendOnLoop(media: batch, ufrag: viewer.ufrag) {
        case .sent:
            metrics.packetsOut.increment(by: count)
            metrics.bytesOut.increment(by: bytes)
        case .socketBusy(let dropped):
            metrics.drop("socket_busy", count: dropped)
        case .noSession:
            metrics.drop("viewer_gone", count: count)
        }
    }

    /// The packet for a live payload, or nil while video waits for a keyframe.
    private func livePacket(_ unit: RTPPayloadUnit, historyIndex: Int?, viewer: Viewer, track index: Int,
                            now: MonotonicInstant) -> OutgoingRTP? {
        let isVideo = viewer.tracks[index].stream.codec.isVideo
        if isVideo, !viewer.tracks[index].started || viewer.tracks[index].needsRebase(epoch: epoch) {
            guard unit.startsKeyframe else { metrics.drop("awaiting_keyframe"); return nil }
            viewer.tracks[index].started = true
            viewer.tracks[index].rebase(sourceTimestamp: unit.timestamp, epoch: epoch)
            markFirstFrame(viewer, now: now)
        } else if viewer.tracks[index].needsRebase(epoch: epoch) {
            viewer.tracks[index].rebase(sourceTimestamp: unit.timestamp, epoch: epoch)
        }
        return viewer.tracks[index].packet(for: unit, historyIndex: historyIndex, now: now)
    }

    /// Sends the cached GOP with its frames one clock tick apart, so that the browser decodes them at once
    /// and shows the newest; live frames then follow on the same line.
    func sendGOP(to viewer: Viewer, now: MonotonicInstant) {
        batch.removeAll(keepingCapacity: true)
        for index in viewer.tracks.indices where viewer.tracks[index].stream.codec.isVideo {
            guard let cached = gops[viewer.tracks[index].stream], let first = cached.units.first else { continue }
            var out = viewer.tracks[index].nextOut
            var frameTimestamp = first.timestamp
            for (offset, unit) in cached.units.enumerated() {
                if unit.timestamp != frameTimestamp {
                    out += 1
                    frameTimestamp = unit.timestamp
                }
                let historyIndex = cached.historyStart.map { $0 &+ offset }
                batch.append(viewer.tracks[index].packet(for: unit, historyIndex: historyIndex, outputTimestamp: out, now: now))
            }
            viewer.tracks[index].continueAfterBurst(lastBurstOut: out, sourceTimestamp: frameTimestamp, epoch: epoch)
            viewer.tracks[index].started = true
            markFirstFrame(viewer, now: now)
        }
        viewer.lastBurstAt = now
        send(batch, to: viewer)
    }

    private func markFirstFrame(_ viewer: Viewer, now: MonotonicInstant) {
        guard viewer.timeToFirstFrame == nil else { return }
        let elapsed = now.nanoseconds >= viewer.createdAt.nanoseconds ? now.nanoseconds - viewer.createdAt.nanoseconds : 0
        viewer.timeToFirstFrame = .nanoseconds(Int64(clamping: elapsed))
        metrics.timeToFirstFrame.recordNanoseconds(Int64(clamping: elapsed))
        viewer.state = "playing"
    }

    // MARK: Viewers

    /// Adds a viewer with the route's GOPs as the hub has them now (frames the hub handed over before
    /// this call are in them, later ones follow through `deliver`).
    func add(id: String, ufrag: String, tracks: [ViewerTrack], createdAt: MonotonicInstant, gops current: [StreamKey: GOPCache], epoch: Int) {
        if epoch != self.epoch { startEpoch(epoch) }
        // A loop that already follows the route has the same GOP, with its payloads in its history; one
        // that starts (or missed frames) takes the hub's and files its payloads in its history.
        for (key, gop) in current where gops[key]?.matches(gop) != true {
            var adopted = gop
            adopted.historyStart = gop.units.isEmpty ? nil : remember(gop.units, for: key)
            gops[key] = adopted
        }
        let viewer = Viewer(id: id, ufrag: ufrag, tracks: tracks, now: createdAt)
        viewers[id] = viewer
        order.append(viewer)
        startReports()
    }

    func handleViewerEvent(id: String, _ event: WebRTCSessionEvent) {
        guard let viewer = viewers[id] else { return }
        let now = RouteHub.now()
        switch event {
        case .connected:
            viewer.connected = true
            viewer.state = "connected"
            sendGOP(to: viewer, now: now)
        case .selectedAddress(let address):
            viewer.address = address.description
        case .rtcp(let bytes):
            handleRTCP(bytes, from: viewer, now: now)
        case .rtp:
            break
        case .closed(let reason):
            logger.info("viewer \(id) of route \(route) left: \(reason)")
            if remove(id: id, reason: nil) { viewerLeft(id) }
        }
    }

    /// Ends a viewer's session (with a reason) or forgets one that closed. Returns whether it was here.
    @discardableResult
    func remove(id: String, reason: String?) -> Bool {
        guard let viewer = viewers.removeValue(forKey: id) else { return false }
        order.removeAll { $0 === viewer }
        if let reason { server.closeOnLoop(ufrag: viewer.ufrag, reason: reason) }
        if viewers.isEmpty {
            reportTask?.cancel()
            reportTask = nil
            gops.removeAll()
            histories.removeAll()
        }
        return true
    }

    func handleRTCP(_ bytes: [UInt8], from viewer: Viewer, now: MonotonicInstant) {
        guard let compound = try? RTCPCompound(parsing: bytes), let packets = try? compound.packets(in: bytes) else { return }
        var wantsKeyframe = false
        var resend: [OutgoingRTP] = []
        for packet in packets {
            switch packet {
            case .pictureLossIndication, .fullIntraRequest:
                wantsKeyframe = true
            case .genericNACK(let nack):
                viewer.nacks += 1
                guard let index = viewer.tracks.firstIndex(where: { $0.ssrc == nack.mediaSSRC.rawValue }),
                      let history = histories[viewer.tracks[index].stream] else { continue }
                bytes.withUnsafeBytes { raw in
                    nack.forEachLostPacket(in: raw) { lost in
                        if resend.count < 64, let again = viewer.tracks[index].retransmission(of: lost.rawValue, from: history) {
                            resend.append(again)
                        }
                    }
                }
            case .receiverReport(let report):
                record(report.reportBlocks.elements(in: bytes), into: viewer)
            case .senderReport(let report):
                record(report.reportBlocks.elements(in: bytes), into: viewer)
            default:
                break
            }
        }
        metrics.retransmissions.increment(by: resend.count)
        send(resend, to: viewer)
        // Cameras cannot be asked for a keyframe: the cached GOP answers, at most once a second.
        if wantsKeyframe {
            viewer.keyframeRequests += 1
            metrics.keyframeRequests.increment()
            let recent = viewer.lastBurstAt.map { now.nanoseconds &- $0.nanoseconds < 1_000_000_000 } ?? false
            if !recent { sendGOP(to: viewer, now: now) }
        }
    }

    private func record(_ blocks: [RTCPReportBlock], into viewer: Viewer) {
        for block in blocks where viewer.tracks.contains(where: { $0.ssrc == block.ssrc.rawValue }) {
            viewer.fractionLost = Double(block.fractionLost) / 256
            viewer.cumulativeLost = block.cumulativeLost
            viewer.jitter = block.jitter
        }
    }

    /// Sender reports every second for every viewer track, so that browsers keep audio and video in sync.
    private func startReports() {
        guard reportTask == nil else { return }
        let fanout = NIOLoopBound(self, eventLoop: eventLoop)
        reportTask = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .seconds(1)) { _ in
            fanout.value.sendReports()
        }
    }

    private func sendReports() {
        let now = RouteHub.now()
        let ntp = NTPClock.now()
        for viewer in viewers.values where viewer.connected {
            let reports = viewer.tracks.compactMap { $0.senderReport(now: now, ntp: ntp) }
            if !reports.isEmpty { server.sendOnLoop(rtp: [], rtcp: reports, ufrag: viewer.ufrag) }
        }
    }

    /// Each viewer with the instant it joined, for the hub to merge the shards' lists in joining order.
    var viewerSummaries: [(joined: MonotonicInstant, summary: ViewerSummary)] {
        viewers.values.map { ($0.createdAt, $0.summary) }
    }
}
