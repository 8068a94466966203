import BridgeDTLS
import Foundation
import NIOPosix
import SwarmSupport

/// Fan-out benchmark: one ~4 Mbit/s H.264 file route on the real gateway binary, watched by N in-process
/// client-role WebRTC sessions (ICE, DTLS, SRTP decrypt, loss per SSRC), for each N; prints a table of the
/// gateway's CPU and memory per viewer, egress packet rate and loss.
///
///     FanoutSwarm --gateway .build/release/mediabridge [--viewers 10,100,500] [--window 10] [--warmup 5]
///                 [--batch 50] [--threads 2] [--connect-timeout 120] [--clip FILE.mp4] [--offer FILE.sdp]
///                 [--gateway-log-level warning] [--gateway-threads 1,2] [--baseline OTHER-BINARY] [--keep-temp yes]
///
/// `--baseline` runs every row a second time with another build of the gateway (an earlier commit), right
/// after this one's, and prints the ratio of the two: a change measured against its baseline in one run.
/// `--gateway-threads` runs every N once per value of the gateway's `webrtc.threads` (default: one per core),
/// so that one run compares one event loop with several.
@main
struct FanoutSwarm {
    static func main() async {
        await SwarmCommandLine.main("FanoutSwarm", run(arguments:))
    }

    /// False when some N could not be measured (its row says why).
    static func run(arguments: [String]) async throws -> Bool {
        let options = try SwarmCommandLine(arguments: arguments, usage: "FanoutSwarm.swift")
        let counts = try options.counts("viewers", "10,100,500")
        let gatewayBinary = try options.gatewayBinary()
        let template = try OfferTemplate(path: options["offer"] ?? OfferTemplate.defaultPath)

        let runDirectory = try RunDirectory(prefix: "mediabridge-fanout", keep: options["keep-temp"] == "yes")
        defer { runDirectory.close() }
        let directory = runDirectory.path

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

        var settings = SwarmSettings(gatewayBinary: gatewayBinary, directory: directory)
        try settings.read(options)

        // One certificate and SSL_CTX for the whole swarm, as a browser profile would have.
        let dtlsContext = try DTLSContext(certificate: try DTLSCertificate.generate(commonName: "fanout-swarm"))
        let group = MultiThreadedEventLoopGroup(numberOfThreads: settings.threads)
        let loopCounts = try options.counts("gateway-threads", "\(SwarmCommandLine.processorCount)")
        var binaries = [("this", gatewayBinary)]
        if let baseline = options["baseline"] {
            guard FileManager.default.isExecutableFile(atPath: baseline) else { throw SwarmError("no baseline gateway binary at \(baseline)") }
            binaries.append(("baseline", baseline))
        }
        var rows: [FanoutRow] = []
        for count in counts {
            for loops in loopCounts {
                for (label, binary) in binaries {
                    settings.gatewayThreads = loops
                    settings.gatewayBinary = binary
                    let run = FanoutRun(settings: settings, clipPath: clipPath, viewers: count, template: template, dtlsContext: dtlsContext, group: group)
                    var row = await run.run { say($0) }
                    row.gatewayLabel = label
                    rows.append(row)
                }
            }
        }
        try? await group.shutdownGracefully()

        say("")
        // Other processes on the machine take CPU from both the gateway and the swarm: say how busy it was.
        say("load average at the end: \(SwarmCommandLine.loadAverage)")
        say("Fan-out: one \(clipPath.hasSuffix("bench.mp4") ? "4 Mbit/s " : "")H.264 file route → N swarm viewers; "
              + settings.timingSummary)
        say(FanoutRow.table(rows))
        say("CPU % is of one core; (idle) = gateway before any viewer joined. Per viewer = per served viewer (connected, not stalled). "
            + "Stalled = connected in the swarm but no RTP during the window. Loss = sequence gaps / expected per SSRC over served "
            + "viewers. RSS per viewer = (RSS at window end − RSS before viewers) / connected viewers. "
            + "pkt/s per viewer above the clip's ~455 means the gateway was catching up on a backlog.")
        return !rows.contains { $0.failure != nil }
    }

    static func say(_ line: String) {
        SwarmCommandLine.say(line)
    }
}
