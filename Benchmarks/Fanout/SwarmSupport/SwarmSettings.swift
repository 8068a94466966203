import Foundation

/// What every swarm run is given: the gateway binary, the run's temporary directory, the timing of the
/// measurement, how clients are brought up, and the swarm's event loops.
public struct SwarmSettings: Sendable {
    public var gatewayBinary: String
    public var directory: String
    public var windowSeconds = 10
    public var warmupSeconds = 5
    /// Clients brought up at once, each batch waited for (bounded) before the next.
    public var batch = 50
    public var connectTimeoutSeconds = 120
    public var threads = 2
    /// The gateway's `webrtc.threads`; nil leaves its default (one per core).
    public var gatewayThreads: Int?
    /// The gateway's `log.level` (its log stays in the temporary directory, kept with `--keep-temp yes`).
    public var gatewayLogLevel = "warning"

    public init(gatewayBinary: String, directory: String) {
        self.gatewayBinary = gatewayBinary
        self.directory = directory
    }

    /// `--window`, `--warmup`, `--batch`, `--threads`, `--connect-timeout` and `--gateway-log-level` over
    /// the current values (the caller's defaults).
    public mutating func read(_ options: SwarmCommandLine) throws {
        windowSeconds = try options.integer("window", windowSeconds)
        warmupSeconds = try options.integer("warmup", warmupSeconds)
        batch = try options.integer("batch", batch)
        threads = try options.integer("threads", threads)
        connectTimeoutSeconds = try options.integer("connect-timeout", connectTimeoutSeconds)
        gatewayLogLevel = options["gateway-log-level"] ?? gatewayLogLevel
    }

    /// "10 s window after 5 s warm-up; swarm on 2 event loop(s); 2 CPUs"
    public var timingSummary: String {
        "\(windowSeconds) s window after \(warmupSeconds) s warm-up; swarm on \(threads) event loop(s); "
            + "\(SwarmCommandLine.processorCount) CPUs"
    }

    /// Writes a gateway config, `name.yaml` in the run directory: loopback HTTP and WebRTC on free ports at the
    /// run's log level, then `body` (routes, sip, calls). Returns the gateway to start with it (log `name.log`).
    public func gateway(named name: String, config body: String) throws -> GatewayProcess {
        let config = """
            log:
              level: \(gatewayLogLevel)
            http:
              listen: '127.0.0.1:0'
            webrtc:
              udp_port: 0
              tcp_port: 0
              # The swarm is one client address that opens every session at once: admission must not
              # thin the rows it measures.
              max_viewers: 100000
              max_viewers_per_ip: 100000
              max_handshakes: 100000
              overload_lag: 60s
            \(gatewayThreads.map { "  threads: \($0)\n" } ?? "")
            """ + body
        let path = directory + "/\(name).yaml"
        guard FileManager.default.createFile(atPath: path, contents: Data(config.utf8)) else { throw SwarmError("cannot write \(path)") }
        return GatewayProcess(binary: gatewayBinary, configPath: path, logPath: directory + "/\(name).log")
    }
}
