import Foundation
import SwarmSupport

/// One line of a result table: N concurrent calls in one mode against one gateway, over one steady window.
struct CallRow: Sendable {
    var mode: CallMode
    var calls: Int
    var up = 0
    var windowSeconds = 0.0
    var gatewayCPUSeconds = 0.0
    /// The gateway's CPU % (of one core) with every call route's page attached but no call.
    var idleCPUPercent = 0.0
    var swarmCPUSeconds = 0.0
    /// The window's differences of the swarm's counters.
    var window = CallSnapshot()
    var rssBeforeKiB = 0
    var rssAfterKiB = 0
    /// Calls whose BYE got its 200 at the end.
    var hungUp = 0
    var failure: String?
    /// Measured, but not as asked (fewer calls came up).
    var note: String?

    /// Loss below this in both directions, every call up and none stalled: the gateway sustains N calls.
    static let sustainedLossPercent = 0.1

    private var perCall: Double { Double(max(up, 1)) }
    var gatewayCPUPercent: Double { gatewayCPUSeconds / windowSeconds * 100 }
    var cpuMicrosecondsPerCallSecond: Double { gatewayCPUSeconds * 1e6 / (perCall * windowSeconds) }
    var downPacketsPerSecond: Double { Double(window.downReceived) / windowSeconds }
    var upPacketsPerSecond: Double { Double(window.upReceived) / windowSeconds }
    /// Sent by one end in the window but not received by the other: the gateway renumbers transcoded packets,
    /// so sequence gaps alone would not see what it drops before its transcoder. (Packets in flight at the
    /// window's start and end are about as many: they cancel out in a steady state.)
    var downLossPercent: Double { Self.loss(received: window.downReceived, sent: window.downSent) }
    var upLossPercent: Double { Self.loss(received: window.upReceived, sent: window.upSent) }
    /// Over every call up (the gateway holds a bridge, a phone socket and a WebRTC session for each).
    var rssKiBPerCall: Double { Double(rssAfterKiB - rssBeforeKiB) / perCall }
    var swarmCPUPercent: Double { swarmCPUSeconds / windowSeconds * 100 }
    var sustained: Bool {
        failure == nil && up == calls && window.downStalled == 0 && window.upStalled == 0
            && downLossPercent < Self.sustainedLossPercent && upLossPercent < Self.sustainedLossPercent
    }

    static func loss(received: Int, sent: Int) -> Double {
        sent > 0 ? Double(max(sent - received, 0)) / Double(sent) * 100 : 0
    }

    static let header = ["mode", "N", "calls up", "gateway CPU % (idle)", "cpu-µs per call-second", "pkt/s phone→browser",
                         "pkt/s browser→phone", "loss % phone→browser", "loss % browser→phone", "stalled ↓/↑", "RSS KiB/call",
                         "swarm CPU %", "sustained"]

    var cells: [String] {
        guard failure == nil || windowSeconds > 0 else {
            return [mode.rawValue, "\(calls)", "\(up)"] + Array(repeating: "–", count: Self.header.count - 3)
        }
        return [mode.rawValue, "\(calls)", "\(up)",
                String(format: "%.1f (%.1f)", gatewayCPUPercent, idleCPUPercent),
                String(format: "%.0f", cpuMicrosecondsPerCallSecond),
                String(format: "%.0f", downPacketsPerSecond),
                String(format: "%.0f", upPacketsPerSecond),
                String(format: "%.3f", downLossPercent),
                String(format: "%.3f", upLossPercent),
                "\(window.downStalled)/\(window.upStalled)",
                String(format: "%.0f", rssKiBPerCall),
                String(format: "%.1f", swarmCPUPercent),
                sustained ? "yes" : "no"]
    }

    /// A Markdown table, then each row's note or failure.
    static func table(_ rows: [CallRow]) -> String {
        var lines = [MarkdownTable.render(header: header, rows: rows.map(\.cells))]
        for row in rows {
            if let note = row.note { lines.append("\(row.mode.rawValue) N=\(row.calls): \(note)") }
            if let failure = row.failure { lines.append("\(row.mode.rawValue) N=\(row.calls): failed: \(failure)") }
        }
        return lines.joined(separator: "\n")
    }
}
