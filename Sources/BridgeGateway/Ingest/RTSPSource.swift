import BridgeCore
import BridgeRTP
import BridgeRTSP
import Logging
import NIOCore
import NIOPosix

/// An RTSP camera as a `MediaSource`: connects (TCP, or TLS for `rtsps://`), drives `RTSPClient`, and turns
/// the interleaved or UDP media into frames through one depacketizer per track.
///
/// Everything runs on one event loop; `start` and `stop` hop onto it. The sink hears `didDescribe` once,
/// then frames in order, then exactly one `didEndWith`.
public final class RTSPSource: MediaSource {
    public struct Options: Sendable {
        public var url: Redacted
        public var transport: RouteConfig.RTSPTransport
        public var connectTimeout: Duration = .seconds(5)
        public var responseTimeout: Duration = .seconds(10)
        /// The source ends when no media arrives this long while playing.
        public var mediaTimeout: Duration = .seconds(10)
        /// `auto`: UDP first, then TCP when no media came this long after PLAY.
        public var udpFallbackAfter: Duration = .seconds(3)
        /// rtsps: how the camera's certificate is checked (default: the system's roots and the host name).
        public var tlsVerification = TLSVerification.full
        /// The client port pairs offered for UDP (nil: any free even port from 20000 to 59998).
        public var udpPorts: ClosedRange<Int>?
        /// Address the UDP client ports are bound to.
        public var udpBindHost = "0.0.0.0"
        /// Session events (connect, play, fallback, end) at debug and info; the URL only ever redacted.
        public var logger: Logger?

        public init(url: Redacted, transport: RouteConfig.RTSPTransport) {
            self.url = url
            self.transport = transport
        }
    }

    public let options: Options
    private let eventLoop: any EventLoop
    private let box: NIOLoopBoundBox<RTSPSourceDriver?>

    public init(options: Options, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.options = options
        eventLoop = group.next()
        box = NIOLoopBoundBox.makeEmptyBox(valueType: RTSPSourceDriver.self, eventLoop: eventLoop)
    }

    /// A source for a route whose source is `rtsp://` or `rtsps://`; nil for file routes.
    public convenience init?(route: RouteConfig, logger: Logger? = nil,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        guard route.source.kind != .file else { return nil }
        var options = Options(url: route.sourceURLWithCredentials, transport: route.transport)
        options.tlsVerification = route.tlsVerification
        options.udpPorts = route.udpPorts
        options.logger = logger.map { logger in
            var logger = logger
            logger[metadataKey: "route"] = "\(route.name)"
            return logger
        }
        self.init(options: options, group: group)
    }

    /// What the source sees now: tracks, transport in use, and the depacketizers' counters (for metrics).
    public func statistics() async -> RTSPSourceStatistics {
        let box = box
        return (try? await eventLoop.submit { box.value?.statistics ?? RTSPSourceStatistics() }.get()) ?? RTSPSourceStatistics()
    }

    public func start(sink: any MediaSourceSink) {
        let box = box, options = options, eventLoop = eventLoop
        eventLoop.execute {
            guard box.value == nil else { return }  // one start
            let driver = RTSPSourceDriver(options: options, eventLoop: eventLoop, sink: sink)
            box.value = driver
            driver.start()
        }
    }

    public func stop() {
        let box = box
        eventLoop.execute { box.value?.stop() }
    }
}

/// A snapshot of an RTSP source for metrics and the API.
public struct RTSPSourceStatistics: Sendable, Equatable {
    public var isPlaying = false
    /// `tcp` or `udp`: what the session uses now (`auto` resolves to one of them).
    public var transport: RouteConfig.RTSPTransport?
    public var tracks: [MediaTrackInfo] = []
    /// Per track, in track order.
    public var counters: [DepacketizerCounters] = []
    /// True once the H.264 video carried B slices (browsers stall on them: transcode or warn).
    public var videoHasBFrames = false
    /// Per track, the latest RTCP sender report (nil until one came): for lip sync across tracks.
    public var senderReports: [RTSPSenderReportMapping?] = []
    /// UDP datagrams from addresses other than the camera's, dropped.
    public var foreignDatagrams = 0

    public init() {}
}

/// One RTCP sender report (RFC 3550 section 6.4.1): the camera's NTP wall clock at an RTP timestamp of the
/// track. Two tracks' frames line up where their timestamps map to the same NTP time. `rtpTimestamp` is
/// the 32-bit wire value; compare it with a frame's timestamp modulo 2^32.
public struct RTSPSenderReportMapping: Sendable, Equatable {
    public var ntpTimestamp: UInt64
    public var rtpTimestamp: RTPTimestamp
}
