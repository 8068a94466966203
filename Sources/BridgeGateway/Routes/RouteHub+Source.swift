import BridgeCore
import BridgeRTP
import NIOCore

/// The route supervisor: starts the source (at start-up for always-on routes, at the first viewer for
/// on-demand ones), stops it `idle_timeout` after the last viewer, and restarts it with backoff (1 s, 2 s,
/// … 30 s) after any error, also when the camera is down at start. Viewers stay connected across restarts:
/// their tracks re-anchor on the new epoch so browsers see one continuous stream.
extension RouteHub {
    /// Always-on routes start here; on-demand ones wait for a viewer.
    func boot() {
        eventLoop.execute {
            if self.config.mode == .alwaysOn { self.ensureStarted() }
        }
    }

    /// Stops the source and every viewer (gateway shutdown).
    func shutdown() {
        eventLoop.execute {
            for id in Array(self.viewers.keys) { self.removeViewerOnLoop(id: id, reason: "gateway shutting down") }
            self.idleTask?.cancel()
            self.stopSource()
        }
    }

    /// The source's tracks, starting it if needed; waits up to `timeout` for a first description.
    func prepare(timeout: TimeAmount = .seconds(10)) async throws(MediaSourceError) -> [MediaTrackInfo] {
        let result: Result<[MediaTrackInfo], MediaSourceError> = await withCheckedContinuation { continuation in
            eventLoop.execute {
                self.ensureStarted()
                if let tracks = self.tracks {
                    continuation.resume(returning: .success(tracks))
                    return
                }
                var finished = false
                let timer = self.eventLoop.scheduleTask(in: timeout) {
                    guard !finished else { return }
                    finished = true
                    continuation.resume(returning: .failure(MediaSourceError(
                        self.lastError.map { "the source is not ready: \($0)" } ?? "the source did not answer within \(timeout.nanoseconds / 1_000_000_000) s")))
                }
                self.waiters.append { result in
                    guard !finished else { return }
                    finished = true
                    timer.cancel()
                    continuation.resume(returning: result)
                }
            }
        }
        return try result.get()
    }

    func ensureStarted() {
        guard source == nil, retryTask == nil else { return }
        startSource()
    }

    private func startSource() {
        retryTask = nil
        sourceGeneration += 1
        let sink = HubSink(hub: self, generation: sourceGeneration)
        let newSource = makeSource(config)
        source = newSource
        registry.update(route: config.name, state: .connecting, error: lastError)
        newSource.start(sink: sink)
    }

    func stopSource() {
        retryTask?.cancel()
        retryTask = nil
        let running = source
        source = nil
        sourceGeneration += 1
        running?.stop()
        registry.update(route: config.name, state: .idle)
    }

    func viewersGone() {
        guard config.mode == .onDemand else { return }
        idleTask?.cancel()
        idleTask = eventLoop.scheduleTask(in: .nanoseconds(Int64(config.idleTimeout.components.seconds) * 1_000_000_000)) { [self] in
            idleTask = nil
            if viewers.isEmpty {
                logger.info("route \(config.name): no viewers for \(config.idleTimeout), stopping its source")
                stopSource()
            }
        }
    }

    func sourceDescribed(_ described: [MediaTrackInfo], generation: Int) {
        guard generation == sourceGeneration else { return }
        if epoch > 0 { metrics.sourceRestarts.increment() }
        epoch += 1
        lastVideoTimestamp = nil
        let changed = tracks != described
        tracks = described
        // A new epoch: caches from the old source are useless; transcoders restart their timelines.
        var kept: [StreamKey: RouteOutput] = [:]
        for (index, track) in described.enumerated() where track.codec.isVideo {
            let key = StreamKey(track: index, codec: track.codec)
            kept[key] = RouteOutput(key: key, clockRate: track.clockRate, transcoder: nil)
        }
        if !changed {
            for (key, output) in outputs where kept[key] == nil {
                kept[key] = (try? makeOutput(key: key, source: described[key.track])) ?? output
            }
        }
        outputs = kept
        backoff = .seconds(1)
        lastError = nil
        registry.update(route: config.name, state: .live)
        logger.info("route \(config.name): source live with \(described.map(\.codec.rawValue).joined(separator: " + "))")
        let pending = waiters
        waiters.removeAll()
        for waiter in pending { waiter(.success(described)) }
    }

    func sourceProduced(_ frame: MediaFrame, track: Int, generation: Int, queuedAt: MonotonicInstant) {
        guard generation == sourceGeneration else { return }
        handleFrame(frame, track: track, queuedAt: queuedAt)
    }

    func sourceEnded(_ error: MediaSourceError?, generation: Int) {
        guard generation == sourceGeneration else { return }
        source = nil
        guard let error else {
            registry.update(route: config.name, state: .idle)
            return
        }
        lastError = error.description
        registry.update(route: config.name, state: .error, error: error.description)
        logger.warning("route \(config.name): \(error.description); retrying in \(backoff)")
        if tracks == nil {
            let pending = waiters
            waiters.removeAll()
            for waiter in pending { waiter(.failure(error)) }
        }
        guard config.mode == .alwaysOn || !viewers.isEmpty else { return }
        let delay = backoff
        backoff = min(backoff * 2, .seconds(30))
        retryTask = eventLoop.scheduleTask(in: .nanoseconds(Int64(delay.components.seconds) * 1_000_000_000)) { [self] in
            retryTask = nil
            if source == nil { startSource() }
        }
    }
}

/// What a source talks to: forwards onto the hub's loop, tagged with the source's generation so that a
/// source that was replaced cannot feed the route any more.
final class HubSink: MediaSourceSink, @unchecked Sendable {
    private weak var hub: RouteHub?
    private let generation: Int
    private let eventLoop: any EventLoop

    init(hub: RouteHub, generation: Int) {
        self.hub = hub
        self.generation = generation
        self.eventLoop = hub.eventLoop
    }

    func source(didDescribe tracks: [MediaTrackInfo]) {
        eventLoop.execute { [self] in hub?.sourceDescribed(tracks, generation: generation) }
    }

    func source(didProduce frame: MediaFrame, track: Int) {
        let queuedAt = RouteHub.now()
        eventLoop.execute { [self] in hub?.sourceProduced(frame, track: track, generation: generation, queuedAt: queuedAt) }
    }

    func source(didEndWith error: MediaSourceError?) {
        eventLoop.execute { [self] in hub?.sourceEnded(error, generation: generation) }
    }
}
