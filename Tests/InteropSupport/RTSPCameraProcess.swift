import Foundation

/// A gst-rtsp-server test camera (Tests/Interop/rtsp_camera.py) on a free port, started and stopped by PID
/// with bounded waits. Fails loudly, never skips, when Debian's python3-gi or the plugins are missing.
public final class RTSPCameraProcess {
    public static let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    /// Debian's python with python3-gi; not the venv's.
    public static let python = "/usr/bin/python3"

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    public let process = Process()
    public let port: Int

    /// `port` 0 picks a free one (a restarted camera passes its old port).
    public init(mounts: [String] = ["/test=h264+aac:25"], user: String? = nil, password: String? = nil, tcpOnly: Bool = false,
                tlsPEM: String? = nil, port: Int = 0) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.python) else {
            throw Failure(description: "\(Self.python) is missing: install python3-gi and gstreamer1.0-rtsp (make deps)")
        }
        process.executableURL = URL(fileURLWithPath: Self.python)
        var arguments = [Self.repositoryRoot + "/Tests/Interop/rtsp_camera.py", "--port", String(port)]
        for mount in mounts { arguments += ["--mount", mount] }
        if let user, let password { arguments += ["--user", user, "--password", password] }
        if tcpOnly { arguments.append("--tcp-only") }
        if let tlsPEM { arguments += ["--tls-pem", tlsPEM] }
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
        self.port = found
    }

    public func url(_ path: String = "/test", credentials: String? = nil, scheme: String = "rtsp") -> String {
        "\(scheme)://\(credentials.map { $0 + "@" } ?? "")127.0.0.1:\(port)\(path)"
    }

    /// A self-signed certificate and its key in one PEM file (for rtsps), made with the openssl CLI.
    public static func makeSelfSignedPEM() throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rtsp-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let key = directory.appendingPathComponent("key.pem").path, cert = directory.appendingPathComponent("cert.pem").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        process.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                             "-subj", "/CN=localhost"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
        terminate(process)
        guard process.terminationStatus == 0 else { throw Failure(description: "openssl req failed (\(process.terminationStatus))") }
        let combined = directory.appendingPathComponent("combined.pem")
        try (String(contentsOfFile: cert, encoding: .utf8) + String(contentsOfFile: key, encoding: .utf8))
            .write(to: combined, atomically: true, encoding: .utf8)
        return combined.path
    }

    public func stop() {
        Self.terminate(process)
    }

    public static func terminate(_ process: Process) {
        ChildProcess.terminate(process)
    }

    deinit { stop() }
}
