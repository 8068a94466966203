import BridgeCore
import BridgeMedia
import BridgeRTP
import BridgeSDP
import BridgeWebRTC
import Foundation
import Logging
import NIOCore

/// One route: its source, its outputs (packetized once per codec) and its viewers. Everything here runs on
/// the WebRTC socket's event loop, where the viewers' sessions live, so fan-out takes no lock; calls from
/// elsewhere hop onto it.
final class RouteHub: @unchecked Sendable {
    let config: RouteConfig
    let eventLoop: any EventLoop
    let server: WebRTCTransportServer
    let registry: RouteRegistry
    let logger: Logger
    let makeSource: @Sendable (RouteConfig) -> any MediaSource

    // Loop-confined state.
    var source: (any MediaSource)?
    var sourceGeneration = 0
    var tracks: [MediaTrackInfo]?
    var waiters: [(Result<[MediaTrackInfo], MediaSourceError>) -> Void] = []
    var epoch = 0
    var outputs: [StreamKey: RouteOutput] = [:]
    var viewers: [String: Viewer] = [:]
    var backoff: Duration = .seconds(1)
    var retryTask: Scheduled<Void>?
    var idleTask: Scheduled<Void>?
    var reportTask: RepeatedTask?
    var lastError: String?
    var random = SystemRandomNumberGenerator()
    let metrics: RouteMetrics
    var lastVideoTimestamp: Int64?
    var sourceHasBFrames = false

    init(config: RouteConfig, server: WebRTCTransportServer, registry: RouteRegistry, logger: Logger, metrics: GatewayMetrics,
         makeSource: @escaping @Sendable (RouteConfig) -> any MediaSource) {
        self.config = config
        self.metrics = RouteMetrics(route: config.name, factory: metrics.factory)
        self.eventLoop = server.eventLoop
        self.server = server
        self.registry = registry
        self.logger = logger
        self.makeSource = makeSource
    }

    static func now() -> MonotonicInstant { WebRTCDatagramHandler.now() }

    // MARK: Frames to viewers

    func handleFrame(_ frame: MediaFrame, track: Int) {
        metrics.framesIn.increment()
        if frame.codec.isVideo { noteVideoOrder(frame) }
        let now = Self.now()
        var produced: [(StreamKey, [RTPPayloadUnit])] = []
        for (key, output) in outputs where key.track == track {
            let units = output.payloads(for: frame)
            if !units.isEmpty { produced.append((key, units)) }
        }
        guard !produced.isEmpty else { return }
        for viewer in viewers.values where viewer.connected {
            var batch: [[UInt8]] = []
            for (key, units) in produced {
                guard let index = viewer.tracks.firstIndex(where: { $0.stream == key }) else { continue }
                for unit in units {
                    if let packet = livePacket(unit, viewer: viewer, track: index, now: now) { batch.append(packet) }
                }
            }
            send(batch, to: viewer)
        }
    }

    /// Hands the batch over (the packets are protected in place), then counts what went.
    private func send(_ batch: consuming [[UInt8]], to viewer: Viewer) {
        let count = batch.count
        guard count > 0 else { return }
        let bytes = batch.reduce(0) { $0 + $1.count }
        switch server.sendOnLoop(rtp: batch, ufrag: viewer.ufrag) {
        case .sent:
            metrics.packetsOut.increment(by: count)
            metrics.bytesOut.increment(by: bytes)
        case .socketBusy(let dropped):
            metrics.drop("socket_busy", count: dropped)
        case .noSession:
            metrics.drop("viewer_gone", count: count)
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

    /// The packet for a live payload, or nil while video waits for a keyframe.
    private func livePacket(_ unit: RTPPayloadUnit, viewer: Viewer, track index: Int, now: MonotonicInstant) -> [UInt8]? {
        let isVideo = viewer.tracks[index].stream.codec.isVideo
        if isVideo, !viewer.tracks[index].started || viewer.tracks[index].needsRebase(epoch: epoch) {
            guard unit.startsKeyframe else { metrics.drop("awaiting_keyframe"); return nil }
            viewer.tracks[index].started = true
            viewer.tracks[index].rebase(sourceTimestamp: unit.timestamp, epoch: epoch)
            markFirstFrame(viewer, now: now)
        } else if viewer.tracks[index].needsRebase(epoch: epoch) {
            viewer.tracks[index].rebase(sourceTimestamp: unit.timestamp, epoch: epoch)
        }
        return viewer.tracks[index].packet(for: unit, now: now)
    }

    /// Sends the cached GOP with its frames one clock tick apart, so that the browser decodes them at once
    /// and shows the newest; live frames then follow on the same line.
    func sendGOP(to viewer: Viewer, now: MonotonicInstant) {
        var batch: [[UInt8]] = []
        for index in viewer.tracks.indices where viewer.tracks[index].stream.codec.isVideo {
            guard let gop = outputs[viewer.tracks[index].stream]?.gop, let first = gop.first else { continue }
            var out = viewer.tracks[index].nextOut
            var frameTimestamp = first.timestamp
            for unit in gop {
                if unit.timestamp != frameTimestamp {
                    out += 1
                    frameTimestamp = unit.timestamp
                }
                batch.append(viewer.tracks[index].packet(for: unit, outputTimestamp: out, now: now))
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

    /// Adds a viewer for an answered offer: one track per accepted section, fed from the matching output.
    func addViewer(id: String, ufrag: String, plans: [TrackPlan]) throws(MediaSourceError) {
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
        viewers[id] = Viewer(id: id, ufrag: ufrag, tracks: viewerTracks, now: Self.now())
        metrics.viewers.record(viewers.count)
        idleTask?.cancel()
        idleTask = nil
        startReports()
    }

    func makeOutput(key: StreamKey, source: MediaTrackInfo) throws(MediaSourceError) -> RouteOutput {
        guard key.codec != source.codec else { return RouteOutput(key: key, clockRate: source.clockRate, transcoder: nil) }
        do {
            return RouteOutput(key: key, clockRate: 48_000, transcoder: try AudioTranscoder(from: source))
        } catch {
            throw MediaSourceError("cannot transcode \(source.codec.rawValue) to Opus: \(error.message)", isTransient: false)
        }
    }

    func handleViewerEvent(id: String, _ event: WebRTCSessionEvent) {
        guard let viewer = viewers[id] else { return }
        let now = Self.now()
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
            logger.info("viewer \(id) of route \(config.name) left: \(reason)")
            removeViewer(id: id, reason: nil)
        }
    }

    /// Ends a viewer's session (DELETE, kick) or forgets one that closed. Returns whether it existed.
    @discardableResult
    func removeViewer(id: String, reason: String?) -> Bool {
        guard let viewer = viewers.removeValue(forKey: id) else { return false }
        metrics.viewers.record(viewers.count)
        if let reason { server.closeOnLoop(ufrag: viewer.ufrag, reason: reason) }
        if viewers.isEmpty { viewersGone() }
        return true
    }

    func handleRTCP(_ bytes: [UInt8], from viewer: Viewer, now: MonotonicInstant) {
        guard let compound = try? RTCPCompound(parsing: bytes), let packets = try? compound.packets(in: bytes) else { return }
        var wantsKeyframe = false
        var resend: [[UInt8]] = []
        for packet in packets {
            switch packet {
            case .pictureLossIndication, .fullIntraRequest:
                wantsKeyframe = true
            case .genericNACK(let nack):
                viewer.nacks += 1
                guard let index = viewer.tracks.firstIndex(where: { $0.ssrc == nack.mediaSSRC.rawValue }) else { continue }
                bytes.withUnsafeBytes { raw in
                    nack.forEachLostPacket(in: raw) { lost in
                        if resend.count < 64, let again = viewer.tracks[index].retransmission(of: lost.rawValue) { resend.append(again) }
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
        reportTask = eventLoop.scheduleRepeatedTask(initialDelay: .milliseconds(500), delay: .seconds(1)) { [weak self] _ in
            self?.sendReports()
        }
    }

    private func sendReports() {
        let now = Self.now()
        let ntp = NTPClock.now()
        for viewer in viewers.values where viewer.connected {
            let reports = viewer.tracks.compactMap { $0.senderReport(now: now, ntp: ntp) }
            if !reports.isEmpty { server.sendOnLoop(rtp: [], rtcp: reports, ufrag: viewer.ufrag) }
        }
    }

    var viewerSummaries: [ViewerSummary] { viewers.values.sorted { $0.createdAt.nanoseconds < $1.createdAt.nanoseconds }.map(\.summary) }
}

typealias WebRTCSessionEvent = WebRTCSession.Event
