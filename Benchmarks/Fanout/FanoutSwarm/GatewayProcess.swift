import Foundation

/// The real `mediabridge` binary, started with a generated config and stopped by PID. Its standard output
/// and error go to a log file in the run's temporary directory, read for the start-up banner.
final class GatewayProcess: @unchecked Sendable {
    let process: Process
    let logPath: String
    private(set) var httpPort = 0
    var pid: Int32 { process.processIdentifier }

    init(binary: String, configPath: String, logPath: String) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configPath]
        self.logPath = logPath
    }

    /// Starts the gateway and waits (at most `timeout`) for `Open http://127.0.0.1:PORT/`.
    func start(timeout: Duration) async throws {
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw FanoutError("cannot write the gateway log \(logPath)")
        }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        FanoutSwarm.running.withLockedValue { $0 = pid }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = Self.bannerPort(in: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "") {
                httpPort = port
                return
            }
            guard process.isRunning else {
                throw FanoutError("the gateway exited with status \(process.terminationStatus) before its banner; log: \(tail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw FanoutError("no start-up banner from the gateway within \(timeout); log: \(tail())")
    }

    /// `  Open http://127.0.0.1:PORT/ in a browser.`
    static func bannerPort(in text: Substring) -> Int? {
        guard let range = text.range(of: "Open http://127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    static func bannerPort(in text: String) -> Int? { bannerPort(in: Substring(text)) }

    /// SIGTERM, up to 3 s to exit, then SIGKILL (and up to 2 s more). Idempotent.
    func stop() {
        FanoutSwarm.running.withLockedValue { $0 = 0 }
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<30 where process.isRunning { usleep(100_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            for _ in 0..<20 where process.isRunning { usleep(100_000) }
        }
    }

    /// The log's last lines, for error messages.
    func tail(lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
