import Foundation

/// The gateway's and the swarm's own CPU and memory over a measurement window: read at its start and end.
public struct ProcessWindow: Sendable {
    public var seconds: Double
    public var gatewayCPUSeconds: Double
    public var swarmCPUSeconds: Double
    /// The gateway's RSS at the end of the window.
    public var gatewayRSSKiB: Int
    /// UDP datagrams the kernel dropped machine-wide for a full socket receive buffer (`/proc/net/snmp`
    /// `Udp: RcvbufErrors`) during the window; nil when unreadable.
    public var udpReceiveBufferErrors: Int?

    /// Sleeps `duration`, between two readings of both processes' `/proc` entries.
    public static func measure(gateway: GatewayProcess, for duration: Duration) async throws -> ProcessWindow {
        guard let gateway0 = ProcessStats.read(pid: gateway.pid), let self0 = ProcessStats.readSelf() else {
            throw SwarmError("the gateway is gone before the window; log: \(gateway.tail())")
        }
        let errors0 = Self.udpReceiveBufferErrors()
        let start = ContinuousClock.now
        try await Task.sleep(for: duration)
        let elapsed = ContinuousClock.now - start
        let errors1 = Self.udpReceiveBufferErrors()
        guard let gateway1 = ProcessStats.read(pid: gateway.pid), let self1 = ProcessStats.readSelf() else {
            throw SwarmError("the gateway exited during the window; log: \(gateway.tail())")
        }
        return ProcessWindow(seconds: SwarmCommandLine.seconds(elapsed), gatewayCPUSeconds: gateway1.cpuSeconds - gateway0.cpuSeconds,
                             swarmCPUSeconds: self1.cpuSeconds - self0.cpuSeconds, gatewayRSSKiB: gateway1.rssKiB,
                             udpReceiveBufferErrors: errors1.flatMap { end in errors0.map { end - $0 } })
    }

    /// The gateway's CPU % (of one core) over `duration` before any client, and its stats at the end.
    public static func idle(gateway: GatewayProcess, for duration: Duration) async throws -> (cpuPercent: Double, stats: ProcessStats) {
        guard let idle0 = ProcessStats.read(pid: gateway.pid) else { throw SwarmError("cannot read the gateway's /proc entry") }
        let start = ContinuousClock.now
        try await Task.sleep(for: duration)
        guard let idle1 = ProcessStats.read(pid: gateway.pid) else { throw SwarmError("cannot read the gateway's /proc entry") }
        return ((idle1.cpuSeconds - idle0.cpuSeconds) / SwarmCommandLine.seconds(ContinuousClock.now - start) * 100, idle1)
    }

    /// `Udp: … RcvbufErrors …` from `/proc/net/snmp` (a header line, then a value line).
    static func udpReceiveBufferErrors() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/net/snmp", encoding: .utf8) else { return nil }
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("Udp: ") }
        guard lines.count >= 2 else { return nil }
        let names = lines[0].split(separator: " "), values = lines[1].split(separator: " ")
        guard let column = names.firstIndex(of: "RcvbufErrors"), column < values.count else { return nil }
        return Int(values[column])
    }
}
