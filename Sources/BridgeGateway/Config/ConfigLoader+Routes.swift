import BridgeCore
import Yams

extension ConfigLoader {
    static let routeKeys = ["name", "source", "mode", "idle_timeout", "token", "transport", "codecs", "tls_verify", "tls_fingerprint", "udp_ports", "username", "password",
                            "max_viewers"]

    func decodeRoute(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> RouteConfig? {
        guard let route = reader.mapping(node, at: path, allowedKeys: Self.routeKeys) else { return nil }
        let name = routeName(route, reader: reader)
        let source = routeSource(route, reader: reader)
        let mode = route["mode"].flatMap { reader.choice($0, at: path.appending("mode"), as: RouteConfig.Mode.self) }
        let idleTimeout = route["idle_timeout"].flatMap { reader.duration($0, at: path.appending("idle_timeout")) }
        let token = route["token"].flatMap { reader.nonEmptyString($0, at: path.appending("token")) }
        var transport = RouteConfig.RTSPTransport.tcp
        if let node = route["transport"] {
            transport = reader.choice(node, at: path.appending("transport"), as: RouteConfig.RTSPTransport.self) ?? .tcp
            if let source, source.kind == .file {
                reader.report("only rtsp:// and rtsps:// sources have a transport", at: path.appending("transport"), node: node)
            }
        }
        var video = RouteConfig.VideoHandling.auto
        var audio = RouteConfig.AudioHandling.auto
        if let node = route["codecs"], let codecs = reader.mapping(node, at: path.appending("codecs"), allowedKeys: ["video", "audio"]) {
            if let node = codecs["video"] { video = reader.choice(node, at: codecs.path.appending("video"), as: RouteConfig.VideoHandling.self) ?? .auto }
            if let node = codecs["audio"] { audio = reader.choice(node, at: codecs.path.appending("audio"), as: RouteConfig.AudioHandling.self) ?? .auto }
            if video == .none && audio == .none {
                reader.report("video and audio are both none: the route would carry nothing", at: codecs.path, node: node)
            }
        }
        let verification = tlsVerification(route, at: path, reader: reader)
        if let source, source.kind != .rtsps {
            if case .pinned = verification {
                reader.report("only rtsps:// sources have a certificate to pin", at: path.appending("tls_fingerprint"), node: route["tls_fingerprint"])
            } else if let node = route["tls_verify"] {
                reader.report("only rtsps:// sources have a certificate to check", at: path.appending("tls_verify"), node: node)
            }
        }
        var udpPorts: ClosedRange<Int>?
        if let node = route["udp_ports"], let text = reader.nonEmptyString(node, at: path.appending("udp_ports")) {
            udpPorts = Self.portRange(text, reader: reader, at: path.appending("udp_ports"), node: node)
            if let source, source.kind == .file {
                reader.report("only rtsp:// and rtsps:// sources receive UDP", at: path.appending("udp_ports"), node: node)
            }
        }
        let username = route["username"].flatMap { reader.nonEmptyString($0, at: path.appending("username")) }
        let password = route["password"].flatMap { reader.nonEmptyString($0, at: path.appending("password")) }
        if let source, username != nil || password != nil {
            if source.kind == .file {
                reader.report("only rtsp:// and rtsps:// sources take credentials", at: path.appending(username != nil ? "username" : "password"),
                              node: route["username"] ?? route["password"] ?? route.node)
            } else if URLRedaction.hasUserInfo(source.url.revealed) {
                reader.report("the source URL already has credentials; give them in one place", at: path.appending(username != nil ? "username" : "password"),
                              node: route["username"] ?? route["password"] ?? route.node)
            }
        }
        guard let name, let source else { return nil }
        var config = RouteConfig(
            name: name, source: source, mode: mode ?? .onDemand, idleTimeout: idleTimeout ?? .seconds(10),
            token: token.map(Redacted.init), transport: transport, video: video, audio: audio)
        config.tlsVerification = verification
        config.udpPorts = udpPorts
        config.username = username
        config.password = password.map(Redacted.init)
        if let node = route["max_viewers"] { config.maxViewers = reader.integer(node, at: path.appending("max_viewers"), in: 1...1_000_000) }
        return config
    }

    func routeName(_ route: ConfigReader.Mapping, reader: ConfigReader) -> String? {
        let path = route.path.appending("name")
        guard let node = route["name"] else {
            reader.report("missing; every route needs a name (it is part of its URL)", at: path, node: route.node)
            return nil
        }
        guard let name = reader.nonEmptyString(node, at: path) else { return nil }
        let allowed = name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_") }
        guard allowed, name.count <= 64 else {
            reader.report("\"\(name)\" must be 1 to 64 letters, digits, - or _ (it is part of the route's URL)", at: path, node: node)
            return nil
        }
        return name
    }

    private func routeSource(_ route: ConfigReader.Mapping, reader: ConfigReader) -> SourceURL? {
        let path = route.path.appending("source")
        guard let node = route["source"] else {
            reader.report("missing; give an rtsp://, rtsps:// or file: URL", at: path, node: route.node)
            return nil
        }
        guard let text = reader.nonEmptyString(node, at: path) else { return nil }
        switch SourceURL.parse(text) {
        case .failure(let failure):
            reader.report(failure.reason, at: path, node: node)
            return nil
        case .success(let source):
            if let file = source.filePath, !isReadableFile(file) {
                reader.report("cannot read file \"\(file)\"", at: path, node: node)
                return nil
            }
            return source
        }
    }

    /// Names are unique across `routes` and `calls` (both name URLs and API entries).
    func checkUniqueNames(lists: [(items: [Node], path: ConfigPath)], reader: ConfigReader) {
        var seen: Set<String> = []
        for (items, path) in lists {
            for (index, item) in items.enumerated() {
                guard case .mapping(let mapping) = item, let nameNode = mapping["name"], case .scalar(let scalar) = nameNode else { continue }
                if !seen.insert(scalar.string).inserted {
                    reader.report("route name \"\(scalar.string)\" is used twice (routes and calls share names)",
                                  at: path.appending(index: index).appending("name"), node: nameNode)
                }
            }
        }
    }

    /// `tls_fingerprint` pins the certificate of a route's TLS peers (call routes) or camera (rtsps routes);
    /// `tls_verify: false` accepts any; neither: the system's roots and the host name.
    func tlsVerification(_ route: ConfigReader.Mapping, at path: ConfigPath, reader: ConfigReader) -> TLSVerification {
        let verify = route["tls_verify"].flatMap { reader.bool($0, at: path.appending("tls_verify")) } ?? true
        guard let node = route["tls_fingerprint"] else { return verify ? .full : .none }
        guard let fingerprint = Self.sha256Fingerprint(node, at: path.appending("tls_fingerprint"), reader: reader) else { return .full }
        if !verify {
            reader.report("tls_verify: false accepts any certificate; drop it to check the pinned one", at: path.appending("tls_verify"),
                          node: route["tls_verify"])
        }
        return .pinned(fingerprint)
    }

    /// A certificate pin (`tls_fingerprint`): 32 hex bytes, colons optional; nil with a report otherwise.
    static func sha256Fingerprint(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> [UInt8]? {
        guard let text = reader.nonEmptyString(node, at: path) else { return nil }
        guard let fingerprint = Hex.decode(text, allowingSeparator: ":"), fingerprint.count == 32 else {
            reader.report("expected a SHA-256 fingerprint: 32 hex bytes, colons optional (openssl x509 -fingerprint -sha256)",
                          at: path, node: node)
            return nil
        }
        return fingerprint
    }
}
