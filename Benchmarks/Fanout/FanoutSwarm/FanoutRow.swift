import Foundation
import SwarmSupport

/// One line of the result table: N viewers against one gateway, over one steady window.
struct FanoutRow: Sendable {
    var viewers: Int
    /// Which binary served this row: "this" (`--gateway`) or "baseline" (`--baseline`).
    var gatewayLabel = "this"
    /// The gateway's `webrtc.threads` for this row.
    var gatewayThreads: Int
    var connected = 0
    var windowSeconds = 0.0
    var gatewayCPUSeconds = 0.0
    /// The gateway's CPU % (of one core) before any viewer joined: the source's own cost.
    var idleCPUPercent = 0.0
    var swarmCPUSeconds = 0.0
    var swarmPackets = 0
    var metricsPackets: Double?
    var expected = 0
    var gaps = 0
    /// Connected (in the swarm's view) but sent nothing during the window.
    var stalled = 0
    /// The route's viewer gauge at the end of the window.
    var gatewayViewers: Double?
    var rssBeforeKiB = 0
    var rssAfterKiB = 0
    var failure: String?
    /// Measured, but not as asked (fewer viewers connected).
    var note: String?

    /// Per served viewer: connected and receiving media during the window.
    private var perViewer: Double { Double(max(connected - stalled, 1)) }
    var gatewayCPUPercent: Double { gatewayCPUSeconds / windowSeconds * 100 }
    var gatewayCPUPercentPerViewer: Double { gatewayCPUPercent / perViewer }
    var cpuMicrosecondsPerViewerSecond: Double { gatewayCPUSeconds * 1e6 / (perViewer * windowSeconds) }
    /// The same without the idle (no-viewer) cost: what one more viewer costs.
    var marginalMicrosecondsPerViewerSecond: Double {
        max(gatewayCPUSeconds - idleCPUPercent / 100 * windowSeconds, 0) * 1e6 / (perViewer * windowSeconds)
    }
    var swarmPacketsPerSecond: Double { Double(swarmPackets) / windowSeconds }
    var metricsPacketsPerSecond: Double? { metricsPackets.map { $0 / windowSeconds } }
    var lossPercent: Double { expected > 0 ? Double(max(expected - swarmPackets, 0)) / Double(expected) * 100 : 0 }
    /// Over every viewer that connected (the gateway built a session for each, served now or not).
    var rssKiBPerViewer: Double { Double(rssAfterKiB - rssBeforeKiB) / Double(max(connected, 1)) }
    var swarmCPUPercent: Double { swarmCPUSeconds / windowSeconds * 100 }

    static let header = ["N", "gateway", "gateway loops", "connected", "stalled", "gateway viewers", "gateway CPU % (idle)", "gateway CPU %/viewer", "cpu-µs per viewer-second",
                         "marginal cpu-µs/viewer-s",
                         "egress pkt/s (swarm)", "egress pkt/s (/metrics)", "pkt/s per viewer", "loss %", "RSS KiB/viewer",
                         "swarm CPU %"]

    var cells: [String] {
        guard failure == nil || windowSeconds > 0 else {
            return ["\(viewers)", gatewayLabel, "\(gatewayThreads)", "\(connected)"] + Array(repeating: "–", count: Self.header.count - 4)
        }
        return ["\(viewers)", gatewayLabel, "\(gatewayThreads)", "\(connected)", "\(stalled)", gatewayViewers.map { String(format: "%.0f", $0) } ?? "n/a",
                String(format: "%.1f (%.1f)", gatewayCPUPercent, idleCPUPercent),
                String(format: "%.3f", gatewayCPUPercentPerViewer),
                String(format: "%.0f", cpuMicrosecondsPerViewerSecond),
                String(format: "%.0f", marginalMicrosecondsPerViewerSecond),
                String(format: "%.0f", swarmPacketsPerSecond),
                metricsPacketsPerSecond.map { String(format: "%.0f", $0) } ?? "n/a",
                String(format: "%.0f", swarmPacketsPerSecond / perViewer),
                String(format: "%.3f", lossPercent),
                String(format: "%.0f", rssKiBPerViewer),
                String(format: "%.1f", swarmCPUPercent)]
    }

    /// A Markdown table, columns padded for the terminal, then each row's note or failure.
    static func table(_ rows: [FanoutRow]) -> String {
        var lines = [MarkdownTable.render(header: header, rows: rows.map(\.cells))]
        for row in rows {
            if let note = row.note { lines.append("N=\(row.viewers), \(row.gatewayLabel), \(row.gatewayThreads) loop(s): \(note)") }
            if let failure = row.failure { lines.append("N=\(row.viewers), \(row.gatewayLabel), \(row.gatewayThreads) loop(s): failed: \(failure)") }
        }
        // This binary against the baseline at equal N and loops: CPU per served viewer-second and RSS per viewer.
        for row in rows where row.gatewayLabel == "this" && row.windowSeconds > 0 {
            guard let base = rows.first(where: { $0.gatewayLabel == "baseline" && $0.viewers == row.viewers
                && $0.gatewayThreads == row.gatewayThreads && $0.windowSeconds > 0 }) else { continue }
            lines.append(String(format: "N=%d, %d loop(s): this/baseline cpu-µs per viewer-second %.2f, RSS per viewer %.2f",
                                row.viewers, row.gatewayThreads, row.cpuMicrosecondsPerViewerSecond / max(base.cpuMicrosecondsPerViewerSecond, 1),
                                row.rssKiBPerViewer / max(base.rssKiBPerViewer, 1)))
        }
        return lines.joined(separator: "\n")
    }
}
