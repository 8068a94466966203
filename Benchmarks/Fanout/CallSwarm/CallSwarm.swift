import BridgeDTLS
import Foundation
import NIOPosix
import SwarmSupport

/// Concurrent bridged calls: for each mode and each N, the real gateway binary with N call routes, each
/// called by an in-process SIP phone (INVITE with PCMU, 20 ms G.711 RTP) and answered by an in-process
/// browser on its call page (WebSocket signalling, ICE, DTLS, SRTP both ways, 20 ms PCMU or Opus); prints
/// the gateway's CPU and memory per call, packet rates and loss both ways.
///
///     CallSwarm --gateway .build/release/mediabridge [--calls 10,50,100] [--modes passthrough,transcode]
///               [--window 10] [--warmup 3] [--batch 25] [--threads 2] [--step-timeout 15]
///               [--connect-timeout 60] [--rtp-base 40000] [--open-files 200000] [--gateway-log-level warning]
///               [--keep-temp yes]
@main
struct CallSwarm {
    static func main() async {
        await SwarmCommandLine.main("CallSwarm", run(arguments:))
    }

    /// False when some N could not be measured (its row says why).
    static func run(arguments: [String]) async throws -> Bool {
        let options = try SwarmCommandLine(arguments: arguments, usage: "CallSwarm.swift")
        let counts = try options.counts("calls", "10,50,100")
        let modes = try (options["modes"] ?? "passthrough,transcode").split(separator: ",").map { name -> CallMode in
            guard let mode = CallMode(rawValue: String(name)) else { throw SwarmError("--modes takes passthrough, transcode or both") }
            return mode
        }
        let gatewayBinary = try options.gatewayBinary()
        let runDirectory = try RunDirectory(prefix: "mediabridge-calls", keep: options["keep-temp"] == "yes")
        defer { runDirectory.close() }
        let directory = runDirectory.path

        var settings = SwarmSettings(gatewayBinary: gatewayBinary, directory: directory)
        (settings.warmupSeconds, settings.batch, settings.connectTimeoutSeconds) = (3, 25, 60)
        try settings.read(options)
        var callSettings = CallRun.CallSettings()
        callSettings.stepTimeoutSeconds = try options.integer("step-timeout", callSettings.stepTimeoutSeconds)
        callSettings.rtpBase = try options.integer("rtp-base", callSettings.rtpBase)
        guard callSettings.rtpBase % 2 == 0, callSettings.rtpBase >= 1024, callSettings.rtpBase + 2 * (counts.max() ?? 0) + 199 <= 65_535 else {
            throw SwarmError("--rtp-base must be even, at least 1024, and leave two ports per call below 65536")
        }

        if options["open-files"] != nil { try OpenFileLimit.raise(to: try options.integer("open-files", 0)) }
        let openFiles = OpenFileLimit.current.map { "\($0.soft)" } ?? "unknown"

        let payloads = try TonePayloads()
        // One certificate and SSL_CTX for the whole swarm, as a browser profile would have.
        let dtlsContext = try DTLSContext(certificate: try DTLSCertificate.generate(commonName: "call-swarm"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        var rows: [CallRow] = []
        for mode in modes {
            for count in counts {
                let run = CallRun(settings: settings, callSettings: callSettings, mode: mode, calls: count, payloads: payloads, dtlsContext: dtlsContext, group: group)
                rows.append(await run.run { say($0) })
            }
        }
        try? await group.shutdownGracefully()

        say("")
        say("load average at the end: \(SwarmCommandLine.loadAverage)")
        say("Calls: N SIP phones (PCMU, 20 ms) → N call routes → N swarm browsers (passthrough: PCMU; transcode: Opus only); "
            + settings.timingSummary + "; open-file limit \(openFiles)")
        say(CallRow.table(rows))
        say("CPU % is of one core; (idle) = gateway with its routes configured, before any call. cpu-µs per call-second = gateway CPU "
            + "over the window / (calls up × seconds). pkt/s = packets received by the swarm in each direction (50/s per call expected). "
            + "Loss = (sent − received) / sent over the window, per direction (the log line also gives sequence gaps: the gateway renumbers "
            + "transcoded packets, so drops before its transcoder show only as fewer packets). Stalled = calls up that received nothing in that direction during the window. "
            + "RSS per call = (RSS at window end − RSS before calls) / calls up. Sustained = every call up, none stalled, loss < "
            + "\(CallRow.sustainedLossPercent) % both ways.")
        return !rows.contains { $0.failure != nil }
    }

    static func say(_ line: String) {
        SwarmCommandLine.say(line)
    }
}
