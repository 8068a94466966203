import Foundation

/// CPU time and resident memory of a process, read from `/proc` (Linux only).
public struct ProcessStats: Sendable {
    /// utime + stime, in seconds.
    public var cpuSeconds: Double
    /// VmRSS, in KiB.
    public var rssKiB: Int

    static let clockTicks = Double(sysconf(Int32(_SC_CLK_TCK)))

    /// nil when the process is gone or `/proc` does not read as expected.
    public static func read(pid: Int32) -> ProcessStats? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        // The command name (field 2) may contain spaces and parentheses: fields are counted after the last ')'.
        guard let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After ')': field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12.
        guard fields.count > 12, let utime = Double(fields[11]), let stime = Double(fields[12]), clockTicks > 0 else { return nil }
        var rss = 0
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            rss = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return ProcessStats(cpuSeconds: (utime + stime) / clockTicks, rssKiB: rss)
    }

    public static func readSelf() -> ProcessStats? { read(pid: getpid()) }
}
