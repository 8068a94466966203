import CoreMetrics
import Prometheus

/// The gateway's Prometheus registry and the metrics it owns. Built with an explicit factory, so that
/// several gateways (tests) in one process each keep their own figures.
public struct GatewayMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let factory: PrometheusMetricsFactory
    let routesConfigured: CoreMetrics.Gauge

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
        routesConfigured = CoreMetrics.Gauge(label: "mediabridge_routes_configured", factory: factory)
        CoreMetrics.Gauge(label: "mediabridge_build_info", dimensions: [("version", MediaBridgeVersion.current)], factory: factory)
            .record(1)
    }

    /// Prometheus text exposition format.
    public func exposition() -> String {
        registry.emitToString()
    }
}
