import ArgumentParser
import BridgeGateway

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe",
        abstract: "Connect to a camera or open a file and say what a browser would get from it.",
        discussion: """
            Prints each track (codec, profile, resolution, clock rate), whether browsers play it directly or \
            through a transcode, B-frames, and the time to the first keyframe. Exit code 1 when the source fails.
            """)

    @Argument(help: "rtsp://[user:pass@]host[:port]/path, rtsps://…, or file:path")
    var url: String

    @Option(help: "Seconds to watch the source.")
    var seconds: Int = 5

    func run() async throws {
        let source: SourceURL
        switch SourceURL.parse(url) {
        case .success(let parsed): source = parsed
        case .failure(let failure):
            printToStandardError("probe: \(failure.reason)")
            throw ExitCode(2)
        }
        print("probing \(source.redacted) for \(seconds) s")
        let report = await SourceProbe(source: source, duration: .seconds(max(seconds, 1))).run()
        print(report.description)
        if report.error != nil || report.tracks.isEmpty { throw ExitCode(1) }
    }
}
