import Foundation

/// Starts and stops the real programs interop tests talk to: the gateway binary and peers (aiortc, …).
/// Every process started here is stopped by its PID; every wait is bounded.
enum PeerProcess {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let gatewayBinary = repositoryRoot + "/.build/debug/mediabridge"
    static let python = repositoryRoot + "/.venv/bin/python"

    struct MissingTool: Error, CustomStringConvertible {
        let description: String
    }

    /// A running gateway with test endpoints, on free ports; `stop()` ends it.
    final class Gateway {
        let process = Process()
        let httpPort: Int
        /// The SIP port (UDP and TCP) from the banner, when `sipYAML` turned SIP on.
        let sipPort: Int?
        /// The SIP over TLS port from the banner, when `sip.tls` is set.
        let sipTLSPort: Int?
        private let output = Pipe()

        /// `routes` is the YAML list of routes; `$SAMPLES` in it stands for the repository's samples folder.
        /// `sipYAML` is the inside of the `sip:` mapping (such as `enabled: true, listen: '127.0.0.1:0'`),
        /// `callsYAML` the `calls:` list.
        init(routes: String = "[]", webrtcYAML: String = "", webrtcTCPPort: Int = 0, sipYAML: String = "", callsYAML: String = "",
             extraYAML: String = "") throws {
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("mb-interop-\(UUID().uuidString).yaml")
            try """
                log: {level: warning}
                http: {listen: '127.0.0.1:0'}
                webrtc: {udp_port: 0, tcp_port: \(webrtcTCPPort)\(webrtcYAML.isEmpty ? "" : ", " + webrtcYAML)}
                routes: \(routes.replacingOccurrences(of: "$SAMPLES", with: PeerProcess.repositoryRoot + "/samples"))
                \(sipYAML.isEmpty ? "" : "sip: {\(sipYAML)}")
                \(callsYAML.isEmpty ? "" : "calls: \(callsYAML)")
                \(extraYAML)
                """.write(to: config, atomically: true, encoding: .utf8)
            guard FileManager.default.isExecutableFile(atPath: PeerProcess.gatewayBinary) else {
                throw MissingTool(description: "\(PeerProcess.gatewayBinary) is missing: run `make test`, which builds it")
            }
            process.executableURL = URL(fileURLWithPath: PeerProcess.gatewayBinary)
            process.arguments = ["run", "--config", config.path]
            process.environment = ProcessInfo.processInfo.environment.merging(["MEDIABRIDGE_TEST_ENDPOINTS": "1"]) { $1 }
            process.standardOutput = output
            // The log (and start errors: a port in use…) goes to a file beside the config, quoted when the start fails.
            let logPath = config.path + ".log"
            _ = FileManager.default.createFile(atPath: logPath, contents: nil)
            process.standardError = FileHandle(forWritingAtPath: logPath) ?? FileHandle.nullDevice
            try process.run()
            var banner = ""
            for _ in 0..<200 where !banner.contains("Stop with Ctrl-C") {
                let data = output.fileHandleForReading.availableData
                if data.isEmpty { break }
                banner += String(decoding: data, as: UTF8.self)
            }
            guard let match = banner.firstMatch(of: /Open http:\/\/127\.0\.0\.1:(\d+)\//), let port = Int(match.1) else {
                process.terminate()
                let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
                throw MissingTool(description: "the gateway did not start: \(banner) \(log.suffix(1500))")
            }
            httpPort = port
            sipPort = banner.firstMatch(of: /SIP on UDP\/TCP [^\n]*?:(\d+)/).flatMap { Int($0.1) }
            sipTLSPort = banner.firstMatch(of: /SIP on UDP\/TCP [^\n]*?, TLS (\d+)/).flatMap { Int($0.1) }
        }

        func stop() {
            if process.isRunning {
                kill(process.processIdentifier, SIGINT)
                for _ in 0..<40 where process.isRunning { usleep(50_000) }
                if process.isRunning { process.terminate() }
            }
            process.waitUntilExit()
        }
    }

    /// A TCP port that was free a moment ago on 127.0.0.1 (for config keys where 0 means "off").
    static func freeTCPPort() throws -> Int { try freePort(type: Int32(SOCK_STREAM.rawValue)) }

    /// A UDP port that was free a moment ago on 127.0.0.1 (SIP phones, the gateway's SIP port).
    /// It is drawn from 23000-31999, below the kernel's ephemeral range (32768 up) and the RTP ranges the tests
    /// configure, and is free for TCP too: the gateway listens for SIP on both, and a client connection of
    /// another test could otherwise hold the same number as its local port.
    static func freeUDPPort() throws -> Int {
        for _ in 0..<200 {
            let candidate = Int.random(in: 23_000...31_999)
            if (try? freePort(type: Int32(SOCK_DGRAM.rawValue), port: candidate)) != nil,
               (try? freePort(type: Int32(SOCK_STREAM.rawValue), port: candidate)) != nil {
                return candidate
            }
        }
        throw MissingTool(description: "no port free for both UDP and TCP in 23000-31999")
    }

    private static func freePort(type: Int32, port: Int = 0) throws -> Int {
        let socket = Foundation.socket(AF_INET, type, 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw MissingTool(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A Python script running in the background whose whole output the test reads at the end.
    final class RunningScript {
        let process: Process
        let output: Pipe
        var text: String

        init(process: Process, output: Pipe, text: String) {
            self.process = process
            self.output = output
            self.text = text
        }

        /// Waits (bounded) for the script to end and returns everything it printed.
        func finish(timeout: Duration) throws -> String {
            let deadline = ContinuousClock.now + timeout
            while process.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
            if process.isRunning { stop(); throw MissingTool(description: "script did not finish within \(timeout)") }
            text += String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return text
        }

        func stop() {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
    }

    /// Starts a script, waits until it prints `marker`, and leaves it running.
    static func startPythonCapturing(_ script: String, arguments: [String], waitFor marker: String, timeout: Duration) throws -> RunningScript {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot + "/" + script] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + timeout
        var text = ""
        while !text.contains(marker), ContinuousClock.now < deadline, process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { usleep(50_000) }
            text += String(decoding: data, as: UTF8.self)
        }
        let running = RunningScript(process: process, output: output, text: text)
        guard text.contains(marker) else {
            running.stop()
            throw MissingTool(description: "\(script) did not print \(marker) within \(timeout): \(text)")
        }
        return running
    }

    /// Runs a Python script from the project's venv (made by `make deps`) and returns its stdout.
    static func runPython(_ script: String, arguments: [String], timeout: Duration) throws -> String {
        guard FileManager.default.isExecutableFile(atPath: python) else {
            throw MissingTool(description: "\(python) is missing: `make deps` creates the venv with aiortc")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [repositoryRoot + "/" + script] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw MissingTool(description: "\(script) did not finish within \(timeout)")
        }
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        if process.terminationStatus != 0 {
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw MissingTool(description: "\(script) failed (\(process.terminationStatus)): \(stderr.suffix(2000))")
        }
        return text
    }
}

extension PeerProcess {
    /// Starts a Debian tool (sipp, …) with its output in `log`; the caller stops it by its PID with
    /// `stop(_:)`. Throws `MissingTool` when the tool is not installed (`make deps` installs it).
    static func startTool(_ path: String, arguments: [String], log: URL) throws -> Process {
        guard FileManager.default.isExecutableFile(atPath: path) else {
            throw MissingTool(description: "\(path) is missing: `make deps` installs it")
        }
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Ends a process started here (SIGTERM, then SIGKILL after a second) and waits for it.
    static func stop(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(1)
        while process.isRunning && ContinuousClock.now < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
}
