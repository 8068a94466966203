import BridgeCore
import Foundation
import Yams

/// Reads and validates a config file. Problems are collected across the whole file and reported together.
public struct ConfigLoader: Sendable {
    public var environment: [String: String]
    /// Whether a file exists and can be read; checked for `file:` sources and TLS files.
    public var isReadableFile: @Sendable (String) -> Bool

    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        isReadableFile: @escaping @Sendable (String) -> Bool = { FileManager.default.isReadableFile(atPath: $0) }
    ) {
        self.environment = environment
        self.isReadableFile = isReadableFile
    }

    /// Largest config file accepted; a YAML file this big is a mistake, not a config.
    static let maximumFileSize = 4 << 20

    public func load(path: String) throws(ConfigError) -> GatewayConfig {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw .fileUnusable(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw .fileUnusable(path: path, reason: "is a directory, not a YAML file") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .fileUnusable(path: path, reason: "cannot be read (check its permissions)")
        }
        guard data.count <= Self.maximumFileSize else {
            throw .fileUnusable(path: path, reason: "is \(data.count) bytes; a config file is at most \(Self.maximumFileSize)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw .fileUnusable(path: path, reason: "is not UTF-8 text")
        }
        return try parse(yaml: text, path: path)
    }

    /// Validates YAML text; `path` only names the file in messages.
    public func parse(yaml: String, path: String = "config") throws(ConfigError) -> GatewayConfig {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw .fileUnusable(path: path, reason: "not valid YAML: \(Self.describe(error))")
        } catch {
            throw .fileUnusable(path: path, reason: "not valid YAML: \(error)")
        }
        guard let root else {
            throw .invalid(path: path, problems: [ConfigProblem(path: .root, message: "the file is empty; it needs at least `routes:`", line: nil)])
        }
        let reader = ConfigReader(environment: environment)
        let config = decode(root, reader: reader)
        guard reader.problems.isEmpty, let config else {
            // In file order, so the report reads top to bottom.
            let sorted = reader.problems.enumerated().sorted { ($0.element.line ?? 0, $0.offset) < ($1.element.line ?? 0, $1.offset) }
            throw .invalid(path: path, problems: sorted.map(\.element))
        }
        return config
    }

    /// One line for a YAML syntax error: what and where, without libyaml's context dump.
    static func describe(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _):
            return "\(problem) (line \(mark.line), column \(mark.column))"
        case .composer(_, let problem, let mark, _):
            return "\(problem) (line \(mark.line), column \(mark.column))"
        case .duplicatedKeysInMapping(let duplicates, let context):
            let keys = duplicates.sorted().map { "\"\($0)\"" }.joined(separator: ", ")
            return "key \(keys) given twice in the mapping at line \(context.mark.line)"
        default:
            return "\(error)".split(separator: "\n").first.map(String.init) ?? "unknown error"
        }
    }

    // MARK: Sections

    private func decode(_ root: Node, reader: ConfigReader) -> GatewayConfig? {
        guard let top = reader.mapping(root, at: .root, allowedKeys: ["log", "http", "webrtc", "routes", "sip", "calls"]) else {
            return nil
        }
        var config = GatewayConfig()
        if let node = top["log"], let log = reader.mapping(node, at: ConfigPath.root.appending("log"), allowedKeys: ["level"]) {
            if let level = log["level"] { config.log.level = reader.choice(level, at: log.path.appending("level"), as: LogConfig.Level.self) ?? .info }
        }
        if let node = top["http"] { decodeHTTP(node, into: &config.http, reader: reader) }
        if let node = top["webrtc"] { decodeWebRTC(node, into: &config.webrtc, reader: reader) }
        if let node = top["sip"] { decodeSIP(node, into: &config.sip, reader: reader) }
        var nameLists: [(items: [Node], path: ConfigPath)] = []
        let routesPath = ConfigPath.root.appending("routes")
        if let node = top["routes"], let items = reader.sequence(node, at: routesPath) {
            config.routes = items.enumerated().compactMap { index, item in
                decodeRoute(item, at: routesPath.appending(index: index), reader: reader)
            }
            nameLists.append((items, routesPath))
        }
        let callsPath = ConfigPath.root.appending("calls")
        if let node = top["calls"], let items = reader.sequence(node, at: callsPath) {
            config.calls = items.enumerated().compactMap { index, item in
                decodeCall(item, at: callsPath.appending(index: index), reader: reader)
            }
            nameLists.append((items, callsPath))
        }
        checkUniqueNames(lists: nameLists, reader: reader)
        checkCalls(config, callsNode: top["calls"], reader: reader)
        checkSIPPorts(config, sipNode: top["sip"], reader: reader)
        checkPortClashes(config, top: top, reader: reader)
        return config
    }

    private func decodeHTTP(_ node: Node, into http: inout HTTPConfig, reader: ConfigReader) {
        let path = ConfigPath.root.appending("http")
        let keys = ["listen", "tls", "admin_token", "metrics_token", "allowed_origins", "hosts", "max_connections", "idle_timeout"]
        guard let section = reader.mapping(node, at: path, allowedKeys: keys) else { return }
        reader.limit(section, "max_connections", in: 1...1_000_000, into: &http.maxConnections)
        reader.limit(section, "idle_timeout", atLeast: .seconds(1), into: &http.idleTimeout)
        http.adminToken = section["admin_token"].flatMap { reader.nonEmptyString($0, at: path.appending("admin_token")) }.map(Redacted.init)
        http.metricsToken = section["metrics_token"].flatMap { reader.nonEmptyString($0, at: path.appending("metrics_token")) }.map(Redacted.init)
        if let origins = section["allowed_origins"] {
            http.allowedOrigins = reader.stringList(origins, at: path.appending("allowed_origins")) ?? []
            for origin in http.allowedOrigins where !(origin.hasPrefix("http://") || origin.hasPrefix("https://")) || origin.dropFirst(8).contains("/") {
                reader.report("\"\(origin)\" is not an origin (scheme://host[:port], no path)", at: path.appending("allowed_origins"), node: origins)
            }
        }
        if let hosts = section["hosts"] {
            http.hosts = (reader.stringList(hosts, at: path.appending("hosts")) ?? []).map { $0.lowercased() }
        }
        if let listen = section["listen"], let text = reader.nonEmptyString(listen, at: path.appending("listen")) {
            switch ListenAddress.parse(text) {
            case .success(let address): http.listen = address
            case .failure(let failure): reader.report(failure.reason, at: path.appending("listen"), node: listen)
            }
        }
        if let tlsNode = section["tls"], let tls = reader.mapping(tlsNode, at: path.appending("tls"), allowedKeys: ["cert", "key"]) {
            http.tls = certificateFiles(tls, reader: reader)
        }
    }

    /// `cert` and `key` of a mapping: both readable PEM files, each problem reported.
    func certificateFiles(_ section: ConfigReader.Mapping, reader: ConfigReader) -> HTTPConfig.TLS? {
        let cert = requiredFile(section, key: "cert", reader: reader)
        let key = requiredFile(section, key: "key", reader: reader)
        guard let cert, let key else { return nil }
        return HTTPConfig.TLS(certificatePath: cert, privateKeyPath: key)
    }

    private func requiredFile(_ section: ConfigReader.Mapping, key: String, reader: ConfigReader) -> String? {
        let path = section.path.appending(key)
        guard let node = section[key] else {
            reader.report("missing; give the path of a PEM file", at: path, node: section.node)
            return nil
        }
        guard let file = reader.nonEmptyString(node, at: path) else { return nil }
        guard isReadableFile(file) else {
            reader.report("cannot read file \"\(file)\"", at: path, node: node)
            return nil
        }
        return file
    }

    private func decodeWebRTC(_ node: Node, into webrtc: inout WebRTCConfig, reader: ConfigReader) {
        let path = ConfigPath.root.appending("webrtc")
        let keys = ["udp_port", "tcp_port", "hosts", "include_interface_addresses", "ice_servers", "dtls", "max_viewers",
                    "max_viewers_per_ip", "max_handshakes", "overload_lag", "tcp_max_connections", "tcp_idle_timeout", "gso", "threads"]
        guard let section = reader.mapping(node, at: path, allowedKeys: keys) else { return }
        reader.limit(section, "max_viewers", in: 1...1_000_000, into: &webrtc.maxViewers)
        reader.limit(section, "max_viewers_per_ip", in: 1...1_000_000, into: &webrtc.maxViewersPerIP)
        reader.limit(section, "max_handshakes", in: 1...1_000_000, into: &webrtc.maxHandshakes)
        reader.limit(section, "overload_lag", atLeast: .milliseconds(10), into: &webrtc.overloadLag)
        reader.limit(section, "tcp_max_connections", in: 1...1_000_000, into: &webrtc.tcpMaxConnections)
        reader.limit(section, "threads", in: 1...64, into: &webrtc.threads)
        reader.limit(section, "tcp_idle_timeout", atLeast: .seconds(1), into: &webrtc.tcpIdleTimeout)
        if let flag = section["gso"] { webrtc.gso = reader.bool(flag, at: path.appending("gso")) ?? true }
        if let port = section["udp_port"] { webrtc.udpPort = reader.integer(port, at: path.appending("udp_port"), in: 0...65535) ?? webrtc.udpPort }
        if let port = section["tcp_port"] { webrtc.tcpPort = reader.integer(port, at: path.appending("tcp_port"), in: 0...65535) ?? webrtc.tcpPort }
        if let hosts = section["hosts"] {
            let hostsPath = path.appending("hosts")
            webrtc.hosts = reader.stringList(hosts, at: hostsPath) ?? []
            for host in webrtc.hosts where host.contains(where: { $0 == " " || $0 == "/" || $0 == "\r" || $0 == "\n" }) {
                reader.report("\"\(host)\" is not an address or host name", at: hostsPath, node: hosts)
            }
        }
        if let flag = section["include_interface_addresses"] {
            webrtc.includeInterfaceAddresses = reader.bool(flag, at: path.appending("include_interface_addresses")) ?? true
        }
        if let dtlsNode = section["dtls"], let dtls = reader.mapping(dtlsNode, at: path.appending("dtls"), allowedKeys: ["cert", "key"]) {
            webrtc.dtls = certificateFiles(dtls, reader: reader)
        }
        if let servers = section["ice_servers"], let items = reader.sequence(servers, at: path.appending("ice_servers")) {
            webrtc.iceServers = items.enumerated().compactMap { index, item in
                decodeICEServer(item, at: path.appending("ice_servers").appending(index: index), reader: reader)
            }
        }
    }

    private func decodeICEServer(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> WebRTCConfig.ICEServer? {
        guard let server = reader.mapping(node, at: path, allowedKeys: ["urls", "username", "credential"]) else { return nil }
        guard let urlsNode = server["urls"] else {
            reader.report("missing urls (such as stun:stun.example.org:3478)", at: path.appending("urls"), node: node)
            return nil
        }
        guard let urls = reader.stringList(urlsNode, at: path.appending("urls")) else { return nil }
        let username = server["username"].flatMap { reader.nonEmptyString($0, at: path.appending("username")) }
        let credential = server["credential"].flatMap { reader.nonEmptyString($0, at: path.appending("credential")) }
        for url in urls {
            let scheme = url.split(separator: ":", maxSplits: 1).first.map { $0.lowercased() } ?? ""
            let schemes = ["stun", "stuns", "turn", "turns"]
            if !schemes.contains(scheme) {
                reader.report("\"\(url)\" is not a stun:, stuns:, turn: or turns: URL\(DidYouMean.hint(for: scheme, among: schemes))",
                              at: path.appending("urls"), node: urlsNode)
            } else if scheme.hasPrefix("turn"), username == nil || credential == nil {
                reader.report("TURN servers need username and credential", at: path, node: node)
            }
        }
        return .init(urls: urls, username: username, credential: credential.map(Redacted.init))
    }

    private func checkPortClashes(_ config: GatewayConfig, top: ConfigReader.Mapping, reader: ConfigReader) {
        let tcpPortPath = ConfigPath.root.appending("webrtc").appending("tcp_port")
        let listenPath = ConfigPath.root.appending("http").appending("listen")
        // Only compare values that were read; a clash with a default that replaced a bad value would mislead.
        guard config.webrtc.tcpPort != 0, config.webrtc.tcpPort == config.http.listen.port,
              !reader.problems.contains(where: { $0.path == tcpPortPath || $0.path == listenPath }) else { return }
        var tcpPortNode: Node?
        if case .mapping(let webrtc)? = top["webrtc"] { tcpPortNode = webrtc["tcp_port"] }
        reader.report("TCP port \(config.webrtc.tcpPort) is also http.listen's port; give ICE-TCP its own (or 0 to turn it off)",
                      at: tcpPortPath, node: tcpPortNode)
    }
}
