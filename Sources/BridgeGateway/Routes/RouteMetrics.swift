import CoreMetrics
import Prometheus

/// Prometheus figures for one route: viewers, what went out, what was dropped, and how long viewers
/// waited for their first frame.
struct RouteMetrics {
    let viewers: CoreMetrics.Gauge
    let framesIn: CoreMetrics.Counter
    let packetsOut: CoreMetrics.Counter
    let bytesOut: CoreMetrics.Counter
    let retransmissions: CoreMetrics.Counter
    let keyframeRequests: CoreMetrics.Counter
    let sourceRestarts: CoreMetrics.Counter
    let timeToFirstFrame: CoreMetrics.Timer
    private let factory: PrometheusMetricsFactory
    private let route: String

    init(route: String, factory: PrometheusMetricsFactory) {
        self.factory = factory
        self.route = route
        let labels = [("route", route)]
        viewers = Gauge(label: "mediabridge_route_viewers", dimensions: labels, factory: factory)
        framesIn = Counter(label: "mediabridge_route_frames_in_total", dimensions: labels, factory: factory)
        packetsOut = Counter(label: "mediabridge_route_packets_out_total", dimensions: labels, factory: factory)
        bytesOut = Counter(label: "mediabridge_route_bytes_out_total", dimensions: labels, factory: factory)
        retransmissions = Counter(label: "mediabridge_route_retransmissions_total", dimensions: labels, factory: factory)
        keyframeRequests = Counter(label: "mediabridge_route_keyframe_requests_total", dimensions: labels, factory: factory)
        sourceRestarts = Counter(label: "mediabridge_route_source_restarts_total", dimensions: labels, factory: factory)
        timeToFirstFrame = Timer(label: "mediabridge_route_time_to_first_frame_seconds", dimensions: labels, factory: factory)
    }

    /// Packets dropped on this route, by reason: `socket_busy` (the shared UDP socket's send buffer was full),
    /// `viewer_gone` (its session closed meanwhile), `awaiting_keyframe` (video before a viewer's first keyframe).
    func drop(_ reason: String, count: Int = 1) {
        Counter(label: "mediabridge_route_drops_total", dimensions: [("route", route), ("reason", reason)], factory: factory)
            .increment(by: count)
    }
}
