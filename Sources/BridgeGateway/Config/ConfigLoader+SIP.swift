import BridgeCore
import BridgeSIP
import Yams

/// `sip:` and `calls:`.
extension ConfigLoader {
    static let sipKeys = ["enabled", "listen", "public_address", "rtp_ports", "user_agent", "tls", "max_connections", "idle_timeout"]
    static let sipTLSKeys = ["listen", "cert", "key"]
    static let callKeys = ["name", "token", "ring_timeout", "fallback", "dial", "allow_uris", "max_pages", "account", "trunk", "tls_verify", "tls_fingerprint"]
    static let accountKeys = ["registrar", "username", "password", "domain", "expires"]
    static let trunkKeys = ["user", "allow", "username", "password"]

    func decodeSIP(_ node: Node, into sip: inout SIPConfig, reader: ConfigReader) {
        let path = ConfigPath.root.appending("sip")
        guard let section = reader.mapping(node, at: path, allowedKeys: Self.sipKeys) else { return }
        if let node = section["enabled"] { sip.enabled = reader.bool(node, at: path.appending("enabled")) ?? false }
        reader.limit(section, "max_connections", in: 1...1_000_000, into: &sip.maxConnections)
        reader.limit(section, "idle_timeout", atLeast: .seconds(1), into: &sip.idleTimeout)
        if let node = section["listen"], let address = Self.sipListenAddress(node, at: path.appending("listen"), reader: reader) {
            sip.listen = address
        }
        if let node = section["public_address"], let host = reader.nonEmptyString(node, at: path.appending("public_address")) {
            if (try? SIPURI(parsing: "sip:" + (host.contains(":") ? "[\(host)]" : host))) == nil || host.contains("/") {
                reader.report("\"\(host)\" is not a host name or IP address", at: path.appending("public_address"), node: node)
            } else {
                sip.publicAddress = host
            }
        }
        if let node = section["rtp_ports"], let text = reader.nonEmptyString(node, at: path.appending("rtp_ports")) {
            if let range = Self.portRange(text, reader: reader, at: path.appending("rtp_ports"), node: node) { sip.rtpPorts = range }
        }
        if let node = section["user_agent"], let text = reader.nonEmptyString(node, at: path.appending("user_agent")) {
            if text.contains(where: { $0 == "\r" || $0 == "\n" }) || text.utf8.count > 200 {
                reader.report("must be one line of at most 200 bytes", at: path.appending("user_agent"), node: node)
            } else {
                sip.userAgent = text
            }
        }
        if let node = section["tls"] { sip.tls = decodeSIPTLS(node, at: path.appending("tls"), udpListen: sip.listen, reader: reader) }
    }

    /// `sip.tls`: a listen address (default: `sip.listen`'s host, port 5061) and optionally `cert` and `key`.
    private func decodeSIPTLS(_ node: Node, at path: ConfigPath, udpListen: ListenAddress, reader: ConfigReader) -> SIPConfig.TLS? {
        guard let section = reader.mapping(node, at: path, allowedKeys: Self.sipTLSKeys) else { return nil }
        var tls = SIPConfig.TLS(listen: ListenAddress(host: udpListen.host, port: 5061))
        if let node = section["listen"], let address = Self.sipListenAddress(node, at: path.appending("listen"), reader: reader) {
            tls.listen = address
        }
        if section["cert"] != nil || section["key"] != nil {
            tls.certificate = certificateFiles(section, reader: reader)
        }
        return tls
    }

    /// `host:port` of `sip.listen` or `sip.tls.listen`; a URL form (`tls://…`) is pointed to `sip.tls`.
    private static func sipListenAddress(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> ListenAddress? {
        guard let text = reader.nonEmptyString(node, at: path) else { return nil }
        if text.contains("://") {
            reader.report("give host:port, such as 0.0.0.0:5061; SIP over TLS listens on sip.tls.listen (sip.listen is UDP and TCP)",
                          at: path, node: node)
            return nil
        }
        switch ListenAddress.parse(text) {
        case .success(let address): return address
        case .failure(let failure):
            reader.report(failure.reason, at: path, node: node)
            return nil
        }
    }

    /// `20000-20099`: an even first port (RTP) and a larger last port, both in 1024...65535.
    static func portRange(_ text: String, reader: ConfigReader, at path: ConfigPath, node: Node) -> ClosedRange<Int>? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]) else {
            reader.report("expected a port range such as 20000-20099, found \"\(text)\"", at: path, node: node)
            return nil
        }
        guard (1024...65535).contains(low), (1024...65535).contains(high) else {
            reader.report("ports must be in 1024...65535", at: path, node: node)
            return nil
        }
        guard low < high else {
            reader.report("the first port (\(low)) must be below the last (\(high))", at: path, node: node)
            return nil
        }
        guard low % 2 == 0 else {
            reader.report("the first port (\(low)) must be even (RTP on even ports, RTCP on the next odd one)", at: path, node: node)
            return nil
        }
        return low...high
    }

    func decodeCall(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> CallRouteConfig? {
        guard let call = reader.mapping(node, at: path, allowedKeys: Self.callKeys) else { return nil }
        let name = routeName(call, reader: reader)
        let token = call["token"].flatMap { reader.nonEmptyString($0, at: path.appending("token")) }
        let ringTimeout = call["ring_timeout"].flatMap { reader.duration($0, at: path.appending("ring_timeout")) }
        if let ringTimeout, ringTimeout < .seconds(1) || ringTimeout > .seconds(600) {
            reader.report("must be between 1s and 10m", at: path.appending("ring_timeout"), node: call["ring_timeout"])
        }
        var fallback = CallRouteConfig.Fallback.busy
        if let node = call["fallback"], let text = reader.nonEmptyString(node, at: path.appending("fallback")) {
            switch text.lowercased() {
            case "busy": fallback = .busy
            case "decline": fallback = .decline
            default:
                if text.lowercased().hasPrefix("sip:") || text.lowercased().hasPrefix("sips:"), let uri = try? SIPURI(parsing: text) {
                    fallback = .redirect(uri)
                } else {
                    reader.report("\"\(text)\" is not busy, decline or a sip: URI to redirect to\(DidYouMean.hint(for: text, among: ["busy", "decline"]))",
                                  at: path.appending("fallback"), node: node)
                }
            }
        }
        var dial: DialTemplate?
        if let node = call["dial"], let text = reader.nonEmptyString(node, at: path.appending("dial")) {
            dial = DialTemplate(text)
            if dial == nil {
                reader.report("\"\(text)\" is not a sip: URI with {number} in its user part, such as sip:{number}@pbx.example.org",
                              at: path.appending("dial"), node: node)
            }
        }
        var allowURIs: [URIPattern] = []
        if let node = call["allow_uris"], let patterns = reader.stringList(node, at: path.appending("allow_uris")) {
            for text in patterns {
                if let pattern = URIPattern(text) {
                    allowURIs.append(pattern)
                } else {
                    reader.report("\"\(text)\" is not a sip: or sips: URI pattern, such as sip:*@pbx.example.org", at: path.appending("allow_uris"), node: node)
                }
            }
        }
        let account = call["account"].flatMap { decodeAccount($0, at: path.appending("account"), reader: reader) }
        let trunk = call["trunk"].flatMap { decodeTrunk($0, at: path.appending("trunk"), routeName: name, reader: reader) }
        if call["account"] == nil && call["trunk"] == nil {
            reader.report("needs an account (register at a registrar), a trunk (take calls from a PBX), or both", at: path, node: node)
        }
        let verification = tlsVerification(call, at: path, reader: reader)
        guard let name else { return nil }
        var config = CallRouteConfig(name: name, token: token.map(Redacted.init), ringTimeout: ringTimeout ?? .seconds(30),
                                     fallback: fallback, dial: dial, account: account, trunk: trunk, tlsVerification: verification)
        config.allowURIs = allowURIs
        if let node = call["max_pages"] { config.maxPages = reader.integer(node, at: path.appending("max_pages"), in: 1...1000) ?? config.maxPages }
        return config
    }

    private func decodeAccount(_ node: Node, at path: ConfigPath, reader: ConfigReader) -> CallRouteConfig.Account? {
        guard let section = reader.mapping(node, at: path, allowedKeys: Self.accountKeys) else { return nil }
        var registrar: SIPURI?
        if let node = section["registrar"], let text = reader.nonEmptyString(node, at: path.appending("registrar")) {
            let lower = text.lowercased()
            let uriText = lower.hasPrefix("sip:") || lower.hasPrefix("sips:") ? text : "sip:" + text
            if let uri = try? SIPURI(parsing: uriText), uri.user == nil, uri.password == nil {
                registrar = uri
            } else {
                reader.report("\"\(text)\" is not a registrar: give a sip: URI, an IP address or host:port (no user part)",
                              at: path.appending("registrar"), node: node)
            }
        } else if section["registrar"] == nil {
            reader.report("missing; give the registrar as a sip: URI, IP address or host:port", at: path.appending("registrar"), node: node)
        }
        let username = required(section, key: "username", reader: reader)
        let password = required(section, key: "password", reader: reader)
        if let username, !Self.isSIPUser(username) {
            reader.report("\"\(username)\" cannot be a SIP user name (letters, digits and -_.!~*'()&=+$,;?/ only)",
                          at: path.appending("username"), node: section["username"])
        }
        var domain: String?
        if let node = section["domain"], let text = reader.nonEmptyString(node, at: path.appending("domain")) {
            if (try? SIPURI(parsing: "sip:" + text)) == nil || text.contains("@") {
                reader.report("\"\(text)\" is not a domain", at: path.appending("domain"), node: node)
            } else {
                domain = text
            }
        }
        let expires = section["expires"].flatMap { reader.integer($0, at: path.appending("expires"), in: 60...86_400) } ?? 300
        guard let registrar, let username, let password, Self.isSIPUser(username) else { return nil }
        return CallRouteConfig.Account(registrar: registrar, username: username, password: Redacted(password), domain: domain,
                                       expires: UInt32(expires))
    }

    private func decodeTrunk(_ node: Node, at path: ConfigPath, routeName: String?, reader: ConfigReader) -> CallRouteConfig.Trunk? {
        guard let section = reader.mapping(node, at: path, allowedKeys: Self.trunkKeys) else { return nil }
        var user = routeName
        if let node = section["user"], let text = reader.nonEmptyString(node, at: path.appending("user")) {
            if Self.isSIPUser(text) {
                user = text
            } else {
                reader.report("\"\(text)\" cannot be a Request-URI user", at: path.appending("user"), node: node)
            }
        }
        var allow: [IPNetwork] = []
        if let node = section["allow"], let items = reader.stringList(node, at: path.appending("allow")) {
            for item in items {
                if let network = IPNetwork(parsing: item) {
                    allow.append(network)
                } else {
                    reader.report("\"\(item)\" is not an IP address or CIDR block (such as 192.0.2.0/24)", at: path.appending("allow"), node: node)
                }
            }
        }
        let username = section["username"].flatMap { reader.nonEmptyString($0, at: path.appending("username")) }
        let password = section["password"].flatMap { reader.nonEmptyString($0, at: path.appending("password")) }
        if (username == nil) != (password == nil), section["username"] != nil || section["password"] != nil {
            reader.report("give both username and password, or neither", at: path, node: node)
        }
        guard let user else { return nil }
        var credentials: SIPCredentials?
        if let username, let password { credentials = SIPCredentials(username: username, password: Redacted(password)) }
        return CallRouteConfig.Trunk(user: user, allow: allow, credentials: credentials)
    }

    private func required(_ section: ConfigReader.Mapping, key: String, reader: ConfigReader) -> String? {
        guard let node = section[key] else {
            reader.report("missing", at: section.path.appending(key), node: section.node)
            return nil
        }
        return reader.nonEmptyString(node, at: section.path.appending(key))
    }

    /// RFC 3261 section 25.1 `user` characters (unreserved and user-unreserved; no escapes).
    static func isSIPUser(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.unicodeScalars.allSatisfy {
            $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "-_.!~*'()&=+$,;?/".unicodeScalars.contains($0))
        }
    }

    /// Calls need `sip.enabled`; trunk users and account usernames pick one route each.
    func checkCalls(_ config: GatewayConfig, callsNode: Node?, reader: ConfigReader) {
        if !config.sip.enabled, !config.calls.isEmpty {
            reader.report("call routes need sip.enabled: true", at: ConfigPath.root.appending("calls"), node: callsNode)
        }
        var seen: [String: String] = [:]
        for call in config.calls {
            let users = [call.trunk?.user, call.account?.username].compactMap { $0 }
            for user in Set(users).sorted() {
                if let other = seen[user] {
                    reader.report("SIP user \"\(user)\" selects both call route \"\(other)\" and \"\(call.name)\"",
                                  at: ConfigPath.root.appending("calls"), node: callsNode)
                } else {
                    seen[user] = call.name
                }
            }
        }
    }

    /// `sip.listen` takes a UDP and a TCP port, `sip.tls.listen` a TCP port: none may be one the HTTP or WebRTC
    /// sockets use, nor the TLS port SIP's own TCP port.
    func checkSIPPorts(_ config: GatewayConfig, sipNode: Node?, reader: ConfigReader) {
        guard config.sip.enabled, case .mapping(let sip)? = sipNode else { return }
        let sipPath = ConfigPath.root.appending("sip")
        let port = config.sip.listen.port
        let clash: String? = port == 0 ? nil : port == config.http.listen.port ? "http.listen"
            : port == config.webrtc.udpPort ? "webrtc.udp_port"
            : port == config.webrtc.tcpPort ? "webrtc.tcp_port" : nil
        if let clash {
            reader.report("port \(port) is also \(clash)'s port; SIP needs its own UDP and TCP port",
                          at: sipPath.appending("listen"), node: sip["listen"] ?? sipNode)
        }
        guard let tlsPort = config.sip.tls?.listen.port, tlsPort != 0 else { return }
        let tlsClash: String? = tlsPort == port ? "sip.listen" : tlsPort == config.http.listen.port ? "http.listen"
            : tlsPort == config.webrtc.tcpPort ? "webrtc.tcp_port" : nil
        guard let tlsClash else { return }
        var tlsNode: Node?
        if case .mapping(let tls)? = sip["tls"] { tlsNode = tls["listen"] ?? sip["tls"] }
        reader.report("port \(tlsPort) is also \(tlsClash)'s TCP port; SIP over TLS needs its own",
                      at: sipPath.appending("tls").appending("listen"), node: tlsNode ?? sipNode)
    }
}
