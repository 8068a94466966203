import BridgeRTP
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// `mediabridge probe URL`: connects to a camera or opens a file like a route would, watches it for a few
/// seconds and reports each track, whether a browser can play it (directly or through which transcode),
/// B-frames, and the time to the first keyframe.
public struct SourceProbe: Sendable {
    public struct Report: Sendable {
        public var tracks: [MediaTrackInfo] = []
        public var frames: [Int] = []
        public var timeToDescribe: Duration?
        public var timeToFirstKeyframe: Duration?
        public var bFrames = false
        public var error: String?

        public var description: String {
            var lines: [String] = []
            if let timeToDescribe { lines.append("described after \(Self.milliseconds(timeToDescribe)) ms") }
            for (index, track) in tracks.enumerated() {
                var line = "track \(index): \(track.codec.rawValue)"
                if let profile = track.profileLevelID { line += " profile-level-id \(profile)" }
                if let width = track.width, let height = track.height, width > 0 { line += " \(width)x\(height)" }
                line += " clock \(track.clockRate)"
                if !track.codec.isVideo { line += " \(track.channels) ch" }
                line += " · \(frames.indices.contains(index) ? frames[index] : 0) frames"
                lines.append(line)
                lines.append("  browser: " + Self.browserVerdict(track.codec, bFrames: bFrames && track.codec.isVideo))
            }
            if tracks.contains(where: { $0.codec.isVideo }) {
                lines.append(timeToFirstKeyframe.map { "first keyframe after \(Self.milliseconds($0)) ms" } ?? "no keyframe seen")
            }
            if let error { lines.append("error: \(error)") }
            return lines.joined(separator: "\n")
        }

        static func milliseconds(_ duration: Duration) -> Int {
            Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        }

        static func browserVerdict(_ codec: MediaCodec, bFrames: Bool) -> String {
            switch codec {
            case .h264: bFrames ? "H.264 with B-frames: browsers stall on them; set the camera to Baseline/Main without B-frames" : "plays directly (H.264)"
            case .h265: "H.265: Safari and some Chrome builds only; most browsers cannot play it"
            case .aac: "through transcode: AAC to Opus (in process)"
            case .opus, .pcmu, .pcma, .g722: "plays directly (\(codec.rawValue))"
            }
        }
    }

    public let source: SourceURL
    public let duration: Duration

    public init(source: SourceURL, duration: Duration = .seconds(5)) {
        self.source = source
        self.duration = duration
    }

    public func run() async -> Report {
        let collector = Collector()
        let route = RouteConfig(name: "probe", source: source, mode: .onDemand, idleTimeout: .seconds(1), token: nil,
                                transport: .auto, video: .auto, audio: .auto)
        let media = MediaSourceFactory.make(for: route)
        media.start(sink: collector)
        let deadline = ContinuousClock.now + duration
        while ContinuousClock.now < deadline, !collector.isDone {
            try? await Task.sleep(for: .milliseconds(50))
        }
        media.stop()
        return collector.report.withLock { $0 }
    }

    final class Collector: MediaSourceSink {
        let report = Mutex(Report())
        let started = ContinuousClock.now
        let lastVideo = Mutex<Int64?>(nil)
        var isDone: Bool { report.withLock { $0.error != nil } }

        func source(didDescribe tracks: [MediaTrackInfo]) {
            let elapsed = ContinuousClock.now - started
            report.withLock {
                $0.tracks = tracks
                $0.frames = Array(repeating: 0, count: tracks.count)
                $0.timeToDescribe = elapsed
            }
        }

        func source(didProduce frame: MediaFrame, track: Int) {
            let elapsed = ContinuousClock.now - started
            let backwards = frame.codec.isVideo ? lastVideo.withLock { last -> Bool in
                defer { last = frame.timestamp }
                return last.map { frame.timestamp < $0 } ?? false
            } : false
            report.withLock {
                if $0.frames.indices.contains(track) { $0.frames[track] += 1 }
                if frame.isKeyframe, $0.timeToFirstKeyframe == nil { $0.timeToFirstKeyframe = elapsed }
                if backwards { $0.bFrames = true }
            }
        }

        func source(didEndWith error: MediaSourceError?) {
            guard let error else { return }
            report.withLock { $0.error = error.description }
        }
    }
}
