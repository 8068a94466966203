import BridgeDTLS
import Foundation
import NIOConcurrencyHelpers
import NIOPosix

/// Fan-out benchmark: one ~4 Mbit/s H.264 file route on the real gateway binary, watched by N in-process
/// client-role WebRTC sessions (ICE, DTLS, SRTP decrypt, loss per SSRC), for each N; prints a table of the
/// gateway's CPU and memory per viewer, egress packet rate and loss.
///
///     FanoutSwarm --gateway .build/release/mediabridge [--viewers 10,100,500] [--window 10] [--warmup 5]
///                 [--batch 50] [--threads 2] [--connect-timeout 120] [--clip FILE.mp4] [--offer FILE.sdp]
///                 [--gateway-log-level warning] [--keep-temp yes]
@main
struct FanoutSwarm {
    /// The gateway currently running, for the SIGINT/SIGTERM handler.
    static let running = NIOLockedValueBox<Int32>(0)

    static func main() async {
        do {
            // Exit only after run's defers (temporary directory, signal handlers) have run.
            let allMeasured = try await run(arguments: Array(CommandLine.arguments.dropFirst()))
            if !allMeasured { exit(2) }
        } catch {
            FileHandle.standardError.write(Data("FanoutSwarm: \(error)\n".utf8))
            exit(1)
        }
    }

    /// False when some N could not be measured (its row says why).
    static func run(arguments: [String]) async throws -> Bool {
        var options: [String: String] = [:]
        var iterator = arguments.makeIterator()
        while let name = iterator.next() {
            guard name.hasPrefix("--"), let value = iterator.next() else { throw FanoutError("usage: see FanoutSwarm.swift (\(name)?)") }
            options[String(name.dropFirst(2))] = value
        }
        func integer(_ name: String, _ fallback: Int) throws -> Int {
            guard let text = options[name] else { return fallback }
            guard let value = Int(text), value > 0 else { throw FanoutError("--\(name) takes a positive integer, not \(text)") }
            return value
        }
        let counts = try (options["viewers"] ?? "10,100,500").split(separator: ",").map { text -> Int in
            guard let count = Int(text), count > 0 else { throw FanoutError("--viewers takes counts like 10,100,500") }
            return count
        }
        let gatewayBinary = options["gateway"] ?? ".build/release/mediabridge"
        guard FileManager.default.isExecutableFile(atPath: gatewayBinary) else {
            throw FanoutError("no gateway binary at \(gatewayBinary) (swift build -c release --product mediabridge)")
        }
        let template = try OfferTemplate(path: options["offer"] ?? OfferTemplate.defaultPath)

        var directoryTemplate = Array((NSTemporaryDirectory() + "/mediabridge-fanout-XXXXXX").utf8CString)
        guard let made = mkdtemp(&directoryTemplate) else { throw FanoutError("cannot create a temporary directory") }
        let directory = String(cString: made)
        let keepDirectory = options["keep-temp"] == "yes"
        defer {
            if keepDirectory { say("kept \(directory)") } else { try? FileManager.default.removeItem(atPath: directory) }
        }
        let signalSources = installSignalHandlers(directory: directory)
        defer { for source in signalSources { source.cancel() } }

        let clipPath: String
        if let given = options["clip"] {
            clipPath = URL(fileURLWithPath: given).standardizedFileURL.path
            say("source: \(clipPath) (given)")
        } else {
            say("source: encoding a 20 s 1280x720 25 fps H.264 baseline clip at 4 Mbit/s with ffmpeg…")
            let clip = try SourceClip.make(in: directory)
            clipPath = clip.path
            say("source: \(clip.path), \(String(format: "%.2f", clip.bitRate / 1e6)) Mbit/s")
        }

        var settings = FanoutRun.Settings(gatewayBinary: gatewayBinary, clipPath: clipPath, directory: directory)
        settings.windowSeconds = try integer("window", settings.windowSeconds)
        settings.warmupSeconds = try integer("warmup", settings.warmupSeconds)
        settings.batch = try integer("batch", settings.batch)
        settings.threads = try integer("threads", settings.threads)
        settings.connectTimeoutSeconds = try integer("connect-timeout", settings.connectTimeoutSeconds)
        settings.gatewayLogLevel = options["gateway-log-level"] ?? settings.gatewayLogLevel

        // One certificate and SSL_CTX for the whole swarm, as a browser profile would have.
        let dtlsContext = try DTLSContext(certificate: try DTLSCertificate.generate(commonName: "fanout-swarm"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        var rows: [FanoutRow] = []
        for count in counts {
            let run = FanoutRun(settings: settings, viewers: count, template: template, dtlsContext: dtlsContext, group: group)
            rows.append(await run.run { say($0) })
        }
        try? await group.shutdownGracefully()

        say("")
        // Other processes on the machine take CPU from both the gateway and the swarm: say how busy it was.
        say("load average at the end: \((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "n/a")")
        say("Fan-out: one \(clipPath.hasSuffix("bench.mp4") ? "4 Mbit/s " : "")H.264 file route → N swarm viewers; "
              + "\(settings.windowSeconds) s window after \(settings.warmupSeconds) s warm-up; swarm on \(settings.threads) event loop(s); "
              + "\(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        say(FanoutRow.table(rows))
        say("CPU % is of one core; (idle) = gateway before any viewer joined. Per viewer = per served viewer (connected, not stalled). "
            + "Stalled = connected in the swarm but no RTP during the window. Loss = sequence gaps / expected per SSRC over served "
            + "viewers. RSS per viewer = (RSS at window end − RSS before viewers) / connected viewers. "
            + "pkt/s per viewer above the clip's ~455 means the gateway was catching up on a backlog.")
        return !rows.contains { $0.failure != nil }
    }

    /// Writes a line at once (unbuffered), so that progress shows also when the output goes to a file.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    /// Ctrl-C or SIGTERM: stop the running gateway by its PID, remove the temporary directory, exit.
    private static func installSignalHandlers(directory: String) -> [any DispatchSourceSignal] {
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
}
