import Foundation

/// A run's temporary directory (generated configs, the gateway's logs), removed by `close` unless kept, and
/// the SIGINT/SIGTERM handlers that stop the running gateway and remove it meanwhile.
public final class RunDirectory {
    public let path: String
    private let keep: Bool
    private let signalSources: [any DispatchSourceSignal]

    public init(prefix: String, keep: Bool) throws {
        path = try SwarmCommandLine.makeTemporaryDirectory(prefix: prefix)
        self.keep = keep
        signalSources = GatewayProcess.installSignalHandlers(directory: path)
    }

    public func close() {
        for source in signalSources { source.cancel() }
        if keep { SwarmCommandLine.say("kept \(path)") } else { try? FileManager.default.removeItem(atPath: path) }
    }
}
