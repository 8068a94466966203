import BridgeMedia
import BridgeRTP
import NIOCore
import NIOPosix

/// A media file played at real-time pace, looping, through libavformat: the demo route's source.
///
/// Runs on one event loop of its own: the reader reads ahead one frame, and each frame is handed to the
/// sink when its timestamp comes due against the clock at the start (timer-driven, no sleeping thread).
final class FileSource: MediaSource, @unchecked Sendable {
    private let path: String
    private let eventLoop: any EventLoop
    // Loop-confined.
    private var reader: FileReader?
    private var sink: (any MediaSourceSink)?
    private var pending: (track: Int, frame: MediaFrame)?
    private var startedAt: NIODeadline = .now()
    private var firstSeconds: Double?
    private var timer: Scheduled<Void>?
    private var stopped = false

    init(path: String, eventLoop: any EventLoop = MultiThreadedEventLoopGroup.singleton.next()) {
        self.path = path
        self.eventLoop = eventLoop
    }

    func start(sink: any MediaSourceSink) {
        eventLoop.execute { [self] in
            self.sink = sink
            do {
                let reader = try FileReader(path: path, loop: true)
                self.reader = reader
                sink.source(didDescribe: reader.tracks)
                startedAt = .now()
                pump()
            } catch {
                finish(MediaSourceError("\(error)", isTransient: false))
            }
        }
    }

    func stop() {
        eventLoop.execute { [self] in finish(nil) }
    }

    private func finish(_ error: MediaSourceError?) {
        guard !stopped else { return }
        stopped = true
        timer?.cancel()
        reader = nil
        sink?.source(didEndWith: error)
        sink = nil
    }

    /// Hands out every frame that is due (at most a bounded batch), then sleeps until the next one.
    private func pump() {
        guard !stopped, let reader, let sink else { return }
        for _ in 0..<200 {
            if pending == nil {
                do {
                    guard let next = try reader.readFrame() else { finish(MediaSourceError("the file ended")); return }
                    pending = next
                } catch {
                    finish(MediaSourceError(error.message))
                    return
                }
            }
            guard let (track, frame) = pending else { return }
            let seconds = Double(frame.timestamp) / Double(max(frame.clockRate, 1))
            let first = firstSeconds ?? seconds
            firstSeconds = first
            let due = startedAt + .nanoseconds(Int64(max(seconds - first, 0) * 1e9))
            let now = NIODeadline.now()
            if due > now + .milliseconds(2) {
                timer = eventLoop.scheduleTask(deadline: due) { [self] in pump() }
                return
            }
            pending = nil
            sink.source(didProduce: frame, track: track)
        }
        timer = eventLoop.scheduleTask(in: .milliseconds(1)) { [self] in pump() }
    }
}

/// Makes the source a route's URL names.
enum MediaSourceFactory {
    static func make(for route: RouteConfig) -> any MediaSource {
        switch route.source.kind {
        case .file:
            return FileSource(path: route.source.filePath ?? "")
        case .rtsp, .rtsps:
            return RTSPSource(route: route) ?? UnavailableSource(reason: "not an RTSP URL")
        }
    }
}

/// A source that fails at once with a reason (a scheme this build cannot play yet).
final class UnavailableSource: MediaSource {
    let reason: String
    init(reason: String) { self.reason = reason }
    func start(sink: any MediaSourceSink) { sink.source(didEndWith: MediaSourceError(reason, isTransient: false)) }
    func stop() {}
}
