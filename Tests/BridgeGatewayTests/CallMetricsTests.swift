@testable import BridgeGateway
import BridgeCore
import Testing

@Suite struct CallMetricsTests {
    @Test func aCallsSourceDropsReachTheMetricsByReason() {
        let metrics = GatewayMetrics()
        var drops = DropCounters()
        drops.record(.rtpSourceRejected, count: 3)
        drops.record(.rtcpSourceRejected)
        let call = CallMetrics(route: "desk", factory: metrics.factory)
        call.record(drops)
        call.record(drops)
        let text = metrics.exposition()
        #expect(text.contains(#"mediabridge_call_drops_total{route="desk",reason="rtp_source_rejected"} 6"#), "\(text)")
        #expect(text.contains(#"mediabridge_call_drops_total{route="desk",reason="rtcp_source_rejected"} 2"#))
    }
}
