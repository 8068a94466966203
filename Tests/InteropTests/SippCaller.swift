import Foundation
import InteropSupport

/// sipp as a phone calling the gateway: its built-in `uac_pcap` (run from a folder with the captures it plays,
/// which Debian ships) or a scenario from `Tests/Interop/sipp/`. Every message it sends and receives goes to
/// `messages` (`-trace_msg`), its errors to `errors`.
final class SippCaller {
    let process = Process()
    let directory: URL

    /// `scenario` is a sipp XML file, with each key of `replacing` replaced by its value; nil runs the built-in
    /// `uac_pcap` (G.711 speech and an RFC 2833 digit). `extra` goes on sipp's command line.
    init(target: String, service: String, scenario: String? = nil, replacing: [String: String] = [:], extra: [String] = []) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mb-sipp-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory.appendingPathComponent("pcap"), withIntermediateDirectories: true)
        for name in ["g711a.pcap", "dtmf_2833_1.pcap"] {
            try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("pcap/\(name)").path,
                                                       withDestinationPath: "/usr/share/sip-tester/\(name)")
        }
        var scenarioArguments = ["-sn", "uac_pcap"]
        if let scenario {
            var text = try String(contentsOfFile: scenario, encoding: .utf8)
            for (key, value) in replacing { text = text.replacingOccurrences(of: key, with: value) }
            let copy = directory.appendingPathComponent(URL(fileURLWithPath: scenario).lastPathComponent)
            try text.write(to: copy, atomically: true, encoding: .utf8)
            scenarioArguments = ["-sf", copy.path]
        }
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        process.currentDirectoryURL = directory
        process.arguments = [target] + scenarioArguments + ["-s", service, "-m", "1", "-i", "127.0.0.1", "-p", String(try PeerProcess.freeUDPPort()),
                             "-mp", String(try PeerProcess.freeUDPPort() & ~1), "-timeout", "40s", "-nostdin",
                             "-trace_msg", "-message_file", directory.appendingPathComponent("messages.log").path,
                             "-trace_err", "-error_file", directory.appendingPathComponent("errors.log").path] + extra
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// A scenario file of `Tests/Interop/sipp/`.
    static func scenario(_ name: String) -> String {
        PeerProcess.repositoryRoot + "/Tests/Interop/sipp/" + name
    }

    var messages: String { (try? String(contentsOf: directory.appendingPathComponent("messages.log"), encoding: .utf8)) ?? "" }
    var errors: String { (try? String(contentsOf: directory.appendingPathComponent("errors.log"), encoding: .utf8)) ?? "" }

    /// The start lines of the messages sipp received, in order ("BYE sip:…", "SIP/2.0 200 OK"…).
    var received: [String] {
        messages.components(separatedBy: "message received").dropFirst().compactMap { chunk in
            chunk.components(separatedBy: .newlines).map { $0.trimmingCharacters(in: .whitespaces) }
                .dropFirst().first { !$0.isEmpty }
        }
    }

    /// sipp's exit status once it ends by itself (bounded), or nil if it had to be stopped.
    func waitForExit(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { usleep(50_000) }
        guard !process.isRunning else { stop(); return nil }
        return process.terminationStatus
    }

    func stop() {
        ChildProcess.terminate(process)
    }
}
