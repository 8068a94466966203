import BridgeCore
import CoreMetrics
import Prometheus

/// Prometheus figures for one call route: `mediabridge_call_drops_total{route, reason}`, the phone packets
/// its calls dropped for their source (`rtp_source_rejected`, `rtcp_source_rejected`: a stray, or someone
/// spraying the RTP ports), added when each call ends.
struct CallMetrics: Sendable {
    private let factory: PrometheusMetricsFactory
    private let route: String

    init(route: String, factory: PrometheusMetricsFactory) {
        self.factory = factory
        self.route = route
    }

    func record(_ drops: DropCounters) {
        for (reason, count) in drops.nonZero {
            Counter(label: "mediabridge_call_drops_total", dimensions: [("route", route), ("reason", reason.description)], factory: factory)
                .increment(by: Int(clamping: count))
        }
    }
}
