@testable import BridgeGateway
import Foundation
import Testing

@Suite struct ConfigLoaderTests {
    /// A loader whose environment and files are the test's, not the machine's.
    func loader(env: [String: String] = [:], files: Set<String> = ["samples/demo.mp4"]) -> ConfigLoader {
        ConfigLoader(environment: env, isReadableFile: { files.contains($0) })
    }

    func problems(_ yaml: String, env: [String: String] = [:]) -> [String] {
        do {
            _ = try loader(env: env).parse(yaml: yaml)
            return []
        } catch {
            guard case .invalid(_, let problems) = error else { return ["unexpected: \(error)"] }
            return problems.map(\.description)
        }
    }

    @Test func minimalFileGetsDefaults() throws {
        let config = try loader().parse(yaml: "routes:\n  - name: demo\n    source: file:samples/demo.mp4\n")
        #expect(config.http.listen == ListenAddress(host: "127.0.0.1", port: 8080))
        #expect(config.webrtc.udpPort == 8189)
        #expect(config.webrtc.tcpPort == 8189)
        #expect(config.log.level == .info)
        #expect(config.routes.count == 1)
        let route = try #require(config.routes.first)
        #expect(route.mode == .onDemand)
        #expect(route.idleTimeout == .seconds(10))
        #expect(route.source.kind == .file)
        #expect(route.source.filePath == "samples/demo.mp4")
        #expect(route.audio == .auto && route.video == .auto)
    }

    @Test func everyKeyIsRead() throws {
        let yaml = """
            log: {level: debug}
            http:
              listen: "[::1]:9000"
              tls: {cert: /c.pem, key: /k.pem}
            webrtc:
              udp_port: 10000
              tcp_port: 0
              hosts: [203.0.113.7, cam.example.org]
              include_interface_addresses: false
              dtls: {cert: /d.pem, key: /dk.pem}
              ice_servers:
                - urls: stun:stun.example.org:3478
                - urls: [turn:turn.example.org]
                  username: u
                  credential: p
            routes:
              - name: cam-1
                source: rtsps://admin:pw@10.0.0.5/live
                mode: always-on
                idle_timeout: 1500ms
                token: t0k
                transport: auto
                codecs: {video: auto, audio: opus}
            sip: {enabled: false}
            """
        let config = try loader(files: ["/c.pem", "/k.pem", "/d.pem", "/dk.pem"]).parse(yaml: yaml)
        #expect(config.log.level == .debug)
        #expect(config.http.listen == ListenAddress(host: "::1", port: 9000))
        #expect(config.http.tls?.certificatePath == "/c.pem")
        #expect(config.webrtc.udpPort == 10000 && config.webrtc.tcpPort == 0)
        #expect(config.webrtc.hosts == ["203.0.113.7", "cam.example.org"])
        #expect(config.webrtc.includeInterfaceAddresses == false)
        #expect(config.webrtc.dtls?.privateKeyPath == "/dk.pem")
        #expect(config.webrtc.iceServers.count == 2)
        #expect(config.webrtc.iceServers[1].credential?.revealed == "p")
        let route = try #require(config.routes.first)
        #expect(route.source.kind == .rtsps && route.source.port == 322 && route.source.host == "10.0.0.5")
        #expect(route.mode == .alwaysOn)
        #expect(route.idleTimeout == .milliseconds(1500))
        #expect(route.token?.revealed == "t0k")
        #expect(route.transport == .auto)
        #expect(route.audio == .opus)
    }

    @Test func shippedDefaultConfigIsValid() throws {
        let config = try ConfigLoader().load(path: Fixtures.repositoryRoot + "/config/mediabridge.yaml")
        #expect(config.routes.map(\.name) == ["demo"])
    }

    @Test func referenceConfigIsValidWithItsVariables() throws {
        let path = Fixtures.repositoryRoot + "/config/mediabridge.reference.yaml"
        let config = try loader(env: ["FRONT_DOOR_PASSWORD": "pw", "FRONT_DOOR_TOKEN": "tok"]).load(path: path)
        #expect(config.routes.first?.source.redacted == "rtsp://viewer:***@192.168.1.20:554/Streaming/Channels/101")
    }

    @Test func unsupportedSchemeNamesPathAndLine() {
        let yaml = """
            routes:
              - name: a
                source: file:samples/demo.mp4
              - name: b
                source: file:samples/demo.mp4
              - name: c
                source: htp://cam/live
            """
        #expect(problems(yaml) == [#"routes[2].source: unsupported scheme "htp" (did you mean "rtsp"?) (line 7)"#])
    }

    @Test func tlsFingerprintIsReadAndChecked() throws {
        let pin = (0..<32).map { String(format: "%02X", $0) }.joined(separator: ":")
        let config = try loader(env: [:]).parse(yaml: "routes:\n  - name: a\n    source: rtsps://cam/live\n    tls_fingerprint: \"\(pin)\"\n")
        #expect(config.routes.first?.tlsVerification == .pinned(Array(0..<32)))
        #expect(problems("routes:\n  - name: a\n    source: rtsps://cam/live\n    tls_fingerprint: AB:CD\n") == [
            "routes[0].tls_fingerprint: expected a SHA-256 fingerprint: 32 hex bytes, colons optional (openssl x509 -fingerprint -sha256) (line 4)",
        ])
        #expect(problems("routes:\n  - name: a\n    source: rtsp://cam/live\n    tls_fingerprint: \"\(pin)\"\n") == [
            "routes[0].tls_fingerprint: only rtsps:// sources have a certificate to pin (line 4)",
        ])
    }

    /// rtsps cameras are verified by default; `tls_verify: false` opts out; a pin wins (and both together is a
    /// mistake, as for call routes).
    @Test func rtspsCertificatesAreVerifiedUnlessTheRouteSaysOtherwise() throws {
        let yaml = """
            routes:
              - {name: a, source: rtsps://cam/live}
              - {name: b, source: rtsps://cam/live, tls_verify: false}
              - {name: c, source: rtsps://cam/live, tls_verify: true}
            """
        #expect(try loader(env: [:]).parse(yaml: yaml).routes.map(\.tlsVerification) == [.full, .none, .full])
        let pin = (0..<32).map { String(format: "%02X", $0) }.joined()
        #expect(problems("routes:\n  - {name: a, source: rtsps://cam/live, tls_verify: false, tls_fingerprint: '\(pin)'}\n") == [
            "routes[0].tls_verify: tls_verify: false accepts any certificate; drop it to check the pinned one (line 2)",
        ])
        #expect(problems("routes:\n  - {name: a, source: rtsp://cam/live, tls_verify: false}\n") == [
            "routes[0].tls_verify: only rtsps:// sources have a certificate to check (line 2)",
        ])
        #expect(problems("routes:\n  - {name: a, source: rtsps://cam/live, tls_verfy: false}\n").first?.contains("did you mean \"tls_verify\"") == true)
    }

    @Test func udpPortsAreARangeForRTSPRoutes() throws {
        let config = try loader(env: [:]).parse(yaml: "routes:\n  - name: a\n    source: rtsp://cam/live\n    transport: udp\n    udp_ports: 30000-30099\n")
        #expect(config.routes.first?.udpPorts == 30_000...30_099)
        #expect(problems("routes:\n  - name: a\n    source: file:samples/demo.mp4\n    udp_ports: 30000-30099\n") == [
            "routes[0].udp_ports: only rtsp:// and rtsps:// sources receive UDP (line 4)",
        ])
    }

    @Test func routeCredentialsGoIntoTheURLEscapedAndStayRedacted() throws {
        let config = try loader(env: ["PW": "p@ss:w/rd"]).parse(
            yaml: "routes:\n  - name: a\n    source: rtsp://cam:554/live\n    username: admin\n    password: ${PW}\n")
        let route = try #require(config.routes.first)
        #expect(route.sourceURLWithCredentials.revealed == "rtsp://admin:p%40ss%3Aw%2Frd@cam:554/live")
        #expect(route.source.redacted == "rtsp://cam:554/live")
        #expect(!"\(route.password as Any)".contains("p@ss"))
        #expect(problems("routes:\n  - name: a\n    source: rtsp://u:p@cam/live\n    password: x\n") == [
            "routes[0].password: the source URL already has credentials; give them in one place (line 4)",
        ])
    }

    @Test func unknownKeysSuggestTheNearestOne() {
        let yaml = "rotues: []\nhttp:\n  lisen: :80\nroutes:\n  - name: a\n    source: rtsp://cam\n    tokn: x\n"
        #expect(problems(yaml) == [
            #"rotues: unknown key "rotues" (did you mean "routes"?) (line 1)"#,
            #"http.lisen: unknown key "lisen" (did you mean "listen"?) (line 3)"#,
            #"routes[0].tokn: unknown key "tokn" (did you mean "token"?) (line 7)"#,
        ])
    }

    @Test func everyProblemIsReportedAtOnceInFileOrder() {
        let yaml = """
            log:
              level: loud
            http:
              listen: 127.0.0.1:99999
            webrtc:
              udp_port: abc
              ice_servers:
                - urls: turn:turn.example.org
            routes:
              - name: cam 1
                source: rtsp://:554/x
                mode: alwayson
              - name: dup
                source: file:missing.mp4
                transport: tcp
              - name: dup
                source: rtsp://cam
                idle_timeout: forever
                codecs: {video: none, audio: none}
              - source: rtsp://cam:0/
            sip:
              enabled: maybe
            """
        #expect(problems(yaml) == [
            #"log.level: "loud" is not one of trace, debug, info, notice, warning, error, critical (line 2)"#,
            #"http.listen: port "99999" is not a number in 0...65535 (line 4)"#,
            #"webrtc.udp_port: expected a whole number, found "abc" (line 6)"#,
            "webrtc.ice_servers[0]: TURN servers need username and credential (line 8)",
            #"routes[0].name: "cam 1" must be 1 to 64 letters, digits, - or _ (it is part of the route's URL) (line 10)"#,
            "routes[0].source: no host in URL (line 11)",
            #"routes[0].mode: "alwayson" is not one of always-on, on-demand (did you mean "always-on"?) (line 12)"#,
            #"routes[1].source: cannot read file "missing.mp4" (line 14)"#,
            #"routes[2].name: route name "dup" is used twice (routes and calls share names) (line 16)"#,
            #"routes[2].idle_timeout: expected a duration such as 500ms, 10s or 2m, found "forever" (line 18)"#,
            "routes[2].codecs: video and audio are both none: the route would carry nothing (line 19)",
            "routes[3].name: missing; every route needs a name (it is part of its URL) (line 20)",
            #"routes[3].source: port "0" is not a number in 1...65535 (line 20)"#,
            #"sip.enabled: expected true or false, found "maybe" (line 22)"#,
        ])
    }

    @Test func transportOnlyForRTSP() {
        let yaml = "routes:\n  - name: a\n    source: file:samples/demo.mp4\n    transport: udp\n"
        #expect(problems(yaml) == ["routes[0].transport: only rtsp:// and rtsps:// sources have a transport (line 4)"])
    }

    @Test func limitsAreReadAndBounded() throws {
        let yaml = """
            http: {max_connections: 64, idle_timeout: 20s}
            webrtc: {max_viewers: 900, max_viewers_per_ip: 4, max_handshakes: 30, overload_lag: 300ms, tcp_max_connections: 16,
                     tcp_idle_timeout: 10s, threads: 3}
            sip: {max_connections: 32, idle_timeout: 2m}
            routes:
              - {name: a, source: file:samples/demo.mp4, max_viewers: 5}
            """
        let config = try loader().parse(yaml: yaml)
        #expect(config.http.maxConnections == 64 && config.http.idleTimeout == .seconds(20))
        #expect(config.webrtc.admissionLimits == ViewerAdmission.Limits(total: 900, perClient: 4, handshakes: 30, overloadLag: .milliseconds(300)))
        #expect(config.webrtc.tcpMaxConnections == 16 && config.webrtc.tcpIdleTimeout == .seconds(10))
        #expect(config.webrtc.threads == 3)
        #expect(config.sip.maxConnections == 32 && config.sip.idleTimeout == .seconds(120))
        #expect(config.routes.first?.maxViewers == 5)
        let defaults = try loader().parse(yaml: "routes: [{name: a, source: file:samples/demo.mp4}]")
        #expect(defaults.webrtc.maxViewers == 1000 && defaults.routes.first?.maxViewers == nil)
        #expect(defaults.webrtc.threads == ProcessInfo.processInfo.activeProcessorCount)
        #expect(problems("webrtc: {max_viewers: 0, threads: 0}\nhttp: {idle_timeout: 0s}\n") == [
            "webrtc.max_viewers: 0 is out of range 1...1000000 (line 1)",
            "webrtc.threads: 0 is out of range 1...64 (line 1)",
            "http.idle_timeout: must be at least 1.0 seconds (line 2)",
        ])
    }

    @Test func iceTCPPortMayNotBeTheHTTPPort() {
        #expect(problems("http: {listen: ':8189'}\nwebrtc:\n  tcp_port: 8189\n") == [
            "webrtc.tcp_port: TCP port 8189 is also http.listen's port; give ICE-TCP its own (or 0 to turn it off) (line 3)",
        ])
        #expect(problems("http: {listen: ':8189'}\nwebrtc:\n  tcp_port: 0\n").isEmpty)
    }

    @Test func wrongShapesAreNamed() {
        #expect(problems("routes: {name: a}\n") == ["routes: expected a list, found a mapping (line 1)"])
        #expect(problems("- a\n- b\n") == ["config: expected a mapping of keys (log, http, webrtc, routes, sip, calls), found a list (line 1)"])
        #expect(problems("http:\n  listen: [a, b]\n") == ["http.listen: expected a single value, found a list (line 2)"])
    }

    @Test func duplicateKeysAreRefused() {
        do {
            _ = try loader().parse(yaml: "http: {listen: ':1'}\nroutes: []\nhttp: {listen: ':2'}\n", path: "x.yaml")
            Issue.record("duplicate key accepted")
        } catch {
            #expect(error.description == #"x.yaml: not valid YAML: key "http" given twice in the mapping at line 1"#)
        }
    }

    @Test func emptyFileIsAProblemNotATrap() {
        #expect(problems("") == ["config: the file is empty; it needs at least `routes:`"])
        #expect(problems("# only a comment\n") == ["config: the file is empty; it needs at least `routes:`"])
    }

    @Test func malformedYAMLIsAFileError() {
        #expect(throws: ConfigError.self) { try loader().parse(yaml: "routes: [\n  - a: b") }
        do {
            _ = try loader().parse(yaml: "routes: [\n  - a: b", path: "x.yaml")
        } catch {
            #expect(error.exitCode == 2)
            #expect(error.description == "x.yaml: not valid YAML: did not find expected node content (line 2, column 3)")
        }
    }

    @Test func environmentVariablesAreSubstituted() throws {
        let yaml = "routes:\n  - name: cam\n    source: rtsp://admin:${CAM_PASS}@cam/live\n    token: ${TOKEN}-$${literal}\n"
        let config = try loader(env: ["CAM_PASS": "s3cret", "TOKEN": "abc"]).parse(yaml: yaml)
        let route = try #require(config.routes.first)
        #expect(route.source.url.revealed == "rtsp://admin:s3cret@cam/live")
        #expect(route.source.redacted == "rtsp://admin:***@cam/live")
        #expect(route.token?.revealed == "abc-${literal}")
    }

    @Test func missingOrBadVariablesAreProblems() {
        let yaml = "routes:\n  - name: cam\n    source: rtsp://a:${NOPE}@cam\n    token: ${A}${B}\n  - name: x\n    source: rtsp://${1x}\n  - name: y\n    source: rtsp://${OPEN\n"
        #expect(problems(yaml, env: ["A": "1"]) == [
            "routes[0].source: environment variable NOPE is not set (line 3)",
            "routes[0].token: environment variable B is not set (line 4)",
            #"routes[1].source: "${1x}" is not a valid environment variable reference (line 6)"#,
            "routes[2].source: unterminated ${ in value (line 8)",
        ])
    }

    @Test func secretsNeverPrint() throws {
        let yaml = "routes:\n  - name: cam\n    source: rtsp://admin:hunter2@cam/live\n    token: tok-hunter3\n"
        let config = try loader().parse(yaml: yaml)
        let printed = "\(config) \(ConfigSummary.describe(config))"
        #expect(!printed.contains("hunter2"))
        #expect(!printed.contains("hunter3"))
    }

    @Test(arguments: [
        ("127.0.0.1:8080", ListenAddress(host: "127.0.0.1", port: 8080)),
        (":8080", ListenAddress(host: "0.0.0.0", port: 8080)),
        ("[::]:443", ListenAddress(host: "::", port: 443)),
        ("localhost:0", ListenAddress(host: "localhost", port: 0)),
    ])
    func listenAddressesParse(text: String, expected: ListenAddress) throws {
        #expect(try ListenAddress.parse(text).get() == expected)
    }

    @Test(arguments: ["8080", "::1:80", "host:", "host:http", "a b:80"])
    func badListenAddressesAreRefused(text: String) {
        #expect(throws: ListenAddress.ParseFailure.self) { try ListenAddress.parse(text).get() }
    }

    @Test func didYouMeanStaysQuietForFarWords() {
        #expect(DidYouMean.suggestion(for: "zzzzzz", among: ["routes", "http"]) == nil)
        #expect(DidYouMean.suggestion(for: "webtrc", among: ["webrtc", "http"]) == "webrtc")
    }
}
