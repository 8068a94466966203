import Foundation
import NIOConcurrencyHelpers

/// The real `mediabridge` binary, started with a generated config and stopped by PID. Its standard output
/// and error go to a log file in the run's temporary directory, read for the start-up banner.
public final class GatewayProcess: @unchecked Sendable {
    /// The gateway currently running, for the SIGINT/SIGTERM handler (`installSignalHandlers`).
    public static let running = NIOLockedValueBox<Int32>(0)

    let process: Process
    public let logPath: String
    public private(set) var httpPort = 0
    /// The SIP port from the banner's `SIP on UDP/TCP HOST:PORT` line (0 without SIP).
    public private(set) var sipPort = 0
    public var pid: Int32 { process.processIdentifier }

    public init(binary: String, configPath: String, logPath: String) {
        process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["run", "--config", configPath]
        self.logPath = logPath
    }

    /// Starts the gateway and waits (at most `timeout`) for `Open http://127.0.0.1:PORT/`.
    public func start(timeout: Duration) async throws {
        guard FileManager.default.createFile(atPath: logPath, contents: nil), let log = FileHandle(forWritingAtPath: logPath) else {
            throw SwarmError("cannot write the gateway log \(logPath)")
        }
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        Self.running.withLockedValue { $0 = pid }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            // The banner is one write that ends with "Stop with Ctrl-C."; read the ports only once it is whole.
            if log.contains("Stop with Ctrl-C"), let port = Self.bannerPort(in: log) {
                httpPort = port
                sipPort = Self.bannerSIPPort(in: log) ?? 0
                return
            }
            guard process.isRunning else {
                throw SwarmError("the gateway exited with status \(process.terminationStatus) before its banner; log: \(tail())")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        stop()
        throw SwarmError("no start-up banner from the gateway within \(timeout); log: \(tail())")
    }

    /// `  Open http://127.0.0.1:PORT/ in a browser.`
    static func bannerPort(in text: Substring) -> Int? {
        guard let range = text.range(of: "Open http://127.0.0.1:") else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber }
        return Int(digits)
    }

    static func bannerPort(in text: String) -> Int? { bannerPort(in: Substring(text)) }

    /// `  SIP on UDP/TCP 127.0.0.1:PORT`
    static func bannerSIPPort(in text: String) -> Int? {
        guard let range = text.range(of: "SIP on UDP/TCP 127.0.0.1:") else { return nil }
        return Int(text[range.upperBound...].prefix { $0.isNumber })
    }

    /// SIGTERM, up to 3 s to exit, then SIGKILL (and up to 2 s more). Idempotent.
    public func stop() {
        Self.running.withLockedValue { $0 = 0 }
        guard process.isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<30 where process.isRunning { usleep(100_000) }
        if process.isRunning {
            kill(pid, SIGKILL)
            for _ in 0..<20 where process.isRunning { usleep(100_000) }
        }
    }

    /// Ctrl-C or SIGTERM: stop the running gateway by its PID, remove the temporary directory, exit.
    /// Keep the returned sources until the run ends (cancel them then).
    public static func installSignalHandlers(directory: String) -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { signalNumber in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
            source.setEventHandler {
                let pid = running.withLockedValue { $0 }
                if pid > 0 { kill(pid, SIGKILL) }
                try? FileManager.default.removeItem(atPath: directory)
                exit(130)
            }
            source.resume()
            return source
        }
    }

    /// The log's last lines, for error messages.
    public func tail(lines: Int = 15) -> String {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(lines).joined(separator: "\n")
    }
}
