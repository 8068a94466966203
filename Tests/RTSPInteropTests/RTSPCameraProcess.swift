import Foundation

/// A gst-rtsp-server test camera (Tests/Interop/rtsp_camera.py) on a free port, started and stopped by PID
/// with bounded waits. Fails loudly, never skips, when Debian's python3-gi or the plugins are missing.
final class RTSPCameraProcess {
    static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// Debian's python with python3-gi; not the venv's.
    static let python = "/usr/bin/python3"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let process = Process()
    let port: Int

    init(mounts: [String] = ["/test=h264+aac:25"], user: String? = nil, password: String? = nil, tcpOnly: Bool = false) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw Failure(description: "\(Self.python) is missing: install python3-gi and gstreamer1.0-rtsp (make deps)")
        }
        process.executableURL = URL(fileURLWithPath: Self.python)
        var arguments = [Self.repositoryRoot + "/Tests/Interop/rtsp_camera.py", "--port", "0"]
        for mount in mounts { arguments += ["--mount", mount] }
        if let user, let password { arguments += ["--user", user, "--password", password] }
        if tcpOnly { arguments.append("--tcp-only") }
        process.arguments = arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()

        // Wait at most 15 s for "READY <port>", reading with poll(2) so a silent process cannot hang us.
        let descriptor = output.fileHandleForReading.fileDescriptor
        let deadline = ContinuousClock.now + .seconds(15)
        var text = ""
        var found: Int?
        while found == nil, ContinuousClock.now < deadline, process.isRunning {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&entry, 1, 100) > 0 else { continue }
            var chunk = [UInt8](repeating: 0, count: 256)
            let count = read(descriptor, &chunk, chunk.count)
            guard count > 0 else { break }
            text += String(decoding: chunk[..<count], as: UTF8.self)
            if let match = text.firstMatch(of: /READY (\d+)/), let value = Int(match.1) { found = value }
        }
        guard let found else {
            let wasRunning = process.isRunning
            Self.terminate(process)
            let stderr = wasRunning ? "" : String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw Failure(description: "rtsp_camera.py did not become ready within 15 s: \(text) \(stderr.suffix(1500))")
        }
        port = found
    }

    func url(_ path: String = "/test", credentials: String? = nil) -> String {
        "rtsp://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(port)\(path)"
    }

    func stop() {
        Self.terminate(process)
    }

    static func terminate(_ process: Process) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        for _ in 0..<40 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }
}
