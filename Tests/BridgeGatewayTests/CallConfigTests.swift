import BridgeCore
@testable import BridgeGateway
import Testing

@Suite struct CallConfigTests {
    func problems(_ yaml: String) -> [String] {
        do {
            _ = try ConfigLoader(environment: ["SIP_PW": "s3cret"], isReadableFile: { _ in true }).parse(yaml: yaml)
            return []
        } catch {
            guard case .invalid(_, let problems) = error else { return ["unexpected: \(error)"] }
            return problems.map(\.description)
        }
    }

    @Test func sipAndCallsAreRead() throws {
        let yaml = """
            sip:
              enabled: true
              listen: 0.0.0.0:5070
              public_address: 203.0.113.9
              rtp_ports: 30000-30199
              user_agent: Bridge/1
            routes: []
            calls:
              - name: desk
                token: tok
                ring_timeout: 20s
                fallback: decline
                dial: sip:{number}@pbx.example.org
                account:
                  registrar: sip:pbx.example.org:5080
                  username: "1001"
                  password: ${SIP_PW}
                  domain: example.org
                  expires: 600
                trunk:
                  user: desk-line
                  allow: [192.0.2.7, 10.0.0.0/8]
                  username: pbx
                  password: trunkpw
              - name: lobby
                trunk: {}
                fallback: sip:reception@192.0.2.1
            """
        let config = try ConfigLoader(environment: ["SIP_PW": "s3cret"]).parse(yaml: yaml)
        #expect(config.sip.enabled)
        #expect(config.sip.listen == ListenAddress(host: "0.0.0.0", port: 5070))
        #expect(config.sip.publicAddress == "203.0.113.9")
        #expect(config.sip.rtpPorts == 30000...30199)
        #expect(config.sip.userAgent == "Bridge/1")
        let desk = try #require(config.calls.first)
        #expect(desk.name == "desk" && desk.token?.revealed == "tok")
        #expect(desk.ringTimeout == .seconds(20))
        #expect(desk.fallback == .decline && desk.fallback.status == 603)
        #expect(desk.dial?.template == "sip:{number}@pbx.example.org")
        let account = try #require(desk.account)
        #expect(account.registrar.host == "pbx.example.org" && account.registrar.port == 5080)
        #expect(account.username == "1001" && account.password.revealed == "s3cret" && account.expires == 600)
        #expect(account.addressOfRecord.description == "sip:1001@example.org")
        let trunk = try #require(desk.trunk)
        #expect(trunk.user == "desk-line" && trunk.allow.map(\.description) == ["192.0.2.7", "10.0.0.0/8"])
        #expect(trunk.credentials?.username == "pbx")
        let lobby = config.calls[1]
        #expect(lobby.trunk?.user == "lobby" && lobby.trunk?.allow == [] && lobby.trunk?.credentials == nil)
        #expect(lobby.ringTimeout == .seconds(30) && lobby.fallback.status == 302)
        #expect(lobby.fallback.description == "sip:reception@192.0.2.1")
        #expect(!"\(config.calls)".contains("s3cret") && !"\(config.calls)".contains("trunkpw"))
        #expect(ConfigSummary.describe(config).contains("SIP on UDP/TCP 0.0.0.0:5070"))
    }

    @Test func sipDefaults() throws {
        let config = try ConfigLoader().parse(yaml: "sip: {enabled: true}\nroutes: []\n")
        #expect(config.sip.listen == ListenAddress(host: "127.0.0.1", port: 5060))
        #expect(config.sip.rtpPorts == 20000...20099 && config.sip.publicAddress == nil)
        #expect(config.calls.isEmpty)
    }

    @Test func registrarMayBeAnAddressOrHostPort() throws {
        for (text, host, port) in [("192.0.2.5", "192.0.2.5", nil), ("pbx.example.org:5070", "pbx.example.org", 5070 as UInt16?)] {
            let yaml = "sip: {enabled: true}\ncalls:\n  - name: a\n    account: {registrar: \"\(text)\", username: u, password: p}\n"
            let config = try ConfigLoader().parse(yaml: yaml)
            #expect(config.calls.first?.account?.registrar.host == host)
            #expect(config.calls.first?.account?.registrar.port == port)
            #expect(config.calls.first?.account?.expires == 300)
        }
    }

    @Test func everySIPProblemHasPathAndLine() {
        let yaml = """
            sip:
              enabled: true
              listen: nowhere
              public_address: a b
              rtp_ports: 20001-20099
              user_agnet: x
            routes:
              - name: dup
                source: rtsp://cam
            calls:
              - name: dup
                trunk: {allow: [10.0.0.0/33, pbx.example.org]}
                fallback: bussy
                dial: sip:pbx.example.org
                ring_timeout: 0s
              - name: b
                account: {registrar: "sip:me@pbx", password: p, expires: 5}
              - name: c
              - name: d
                trunk: {user: b, username: only}
              - name: e
                trunk: {user: b}
            """
        #expect(problems(yaml) == [
            "sip.listen: expected host:port, such as 127.0.0.1:8080 or :8080 (line 3)",
            #"sip.public_address: "a b" is not a host name or IP address (line 4)"#,
            "sip.rtp_ports: the first port (20001) must be even (RTP on even ports, RTCP on the next odd one) (line 5)",
            #"sip.user_agnet: unknown key "user_agnet" (did you mean "user_agent"?) (line 6)"#,
            #"calls[0].name: route name "dup" is used twice (routes and calls share names) (line 11)"#,
            #"calls: SIP user "b" selects both call route "d" and "e" (line 11)"#,
            #"calls[0].trunk.allow: "10.0.0.0/33" is not an IP address or CIDR block (such as 192.0.2.0/24) (line 12)"#,
            #"calls[0].trunk.allow: "pbx.example.org" is not an IP address or CIDR block (such as 192.0.2.0/24) (line 12)"#,
            #"calls[0].fallback: "bussy" is not busy, decline or a sip: URI to redirect to (did you mean "busy"?) (line 13)"#,
            "calls[0].dial: \"sip:pbx.example.org\" is not a sip: URI with {number} in its user part, such as sip:{number}@pbx.example.org (line 14)",
            "calls[0].ring_timeout: must be between 1s and 10m (line 15)",
            #"calls[1].account.registrar: "sip:me@pbx" is not a registrar: give a sip: URI, an IP address or host:port (no user part) (line 17)"#,
            "calls[1].account.username: missing (line 17)",
            "calls[1].account.expires: 5 is out of range 60...86400 (line 17)",
            "calls[2]: needs an account (register at a registrar), a trunk (take calls from a PBX), or both (line 18)",
            "calls[3].trunk: give both username and password, or neither (line 20)",
        ])
    }

    @Test func callsNeedSIPEnabled() {
        #expect(problems("calls:\n  - name: a\n    trunk: {}\n") == ["calls: call routes need sip.enabled: true (line 2)"])
        #expect(problems("sip: {enabled: false}\ncalls:\n  - name: a\n    trunk: {}\n") == ["calls: call routes need sip.enabled: true (line 3)"])
    }

    @Test func sipPortMayNotBeAnotherSocketsPort() {
        #expect(problems("http: {listen: ':5060'}\nsip:\n  enabled: true\n  listen: 0.0.0.0:5060\n")
            == ["sip.listen: port 5060 is also http.listen's port; SIP needs its own UDP and TCP port (line 4)"])
        #expect(problems("webrtc: {udp_port: 5060, tcp_port: 0}\nsip: {enabled: true}\n")
            == ["sip.listen: port 5060 is also webrtc.udp_port's port; SIP needs its own UDP and TCP port (line 2)"])
    }

    @Test func rtpPortRanges() {
        let base = "sip: {enabled: true, rtp_ports: "
        #expect(problems(base + "\"20000-20000\"}\n") == ["sip.rtp_ports: the first port (20000) must be below the last (20000) (line 1)"])
        #expect(problems(base + "\"30000-20000\"}\n") == ["sip.rtp_ports: the first port (30000) must be below the last (20000) (line 1)"])
        #expect(problems(base + "\"80-100\"}\n") == ["sip.rtp_ports: ports must be in 1024...65535 (line 1)"])
        #expect(problems(base + "twenty}\n") == [#"sip.rtp_ports: expected a port range such as 20000-20099, found "twenty" (line 1)"#])
    }

    @Test func allowListsAndCIDR() throws {
        let block = try #require(IPNetwork(parsing: "10.1.0.0/16"))
        #expect(block.contains(TransportAddress(ipv4: 10, 1, 200, 3, port: 5060)))
        #expect(!block.contains(TransportAddress(ipv4: 10, 2, 0, 1, port: 5060)))
        let odd = try #require(IPNetwork(parsing: "192.0.2.130/25"))
        #expect(odd.description == "192.0.2.128/25")
        #expect(odd.contains(TransportAddress(ipv4: 192, 0, 2, 255, port: 1)) && !odd.contains(TransportAddress(ipv4: 192, 0, 2, 127, port: 1)))
        let host = try #require(IPNetwork(parsing: "192.0.2.7"))
        #expect(host.contains(TransportAddress(ipv4: 192, 0, 2, 7, port: 9)) && !host.contains(TransportAddress(ipv4: 192, 0, 2, 8, port: 9)))
        let mapped = try #require(TransportAddress("::ffff:192.0.2.7", port: 5060))
        #expect(host.contains(mapped))
        let v6 = try #require(IPNetwork(parsing: "2001:db8::/32"))
        #expect(v6.contains(try #require(TransportAddress("2001:db8:ffff::1", port: 1))))
        #expect(!v6.contains(try #require(TransportAddress("2001:db9::1", port: 1))))
        #expect(!v6.contains(TransportAddress(ipv4: 32, 1, 13, 184, port: 1)))
        #expect(IPNetwork(parsing: "0.0.0.0/0")?.contains(TransportAddress(ipv4: 8, 8, 8, 8, port: 1)) == true)
        for bad in ["", "10.0.0.0/", "10.0.0.0/-1", "10.0.0.0/33", "::/129", "host", "10.0.0/8", "10.0.0.0/8/8"] {
            #expect(IPNetwork(parsing: bad) == nil, "\(bad)")
        }
        let trunk = CallRouteConfig.Trunk(user: "a", allow: [host], credentials: nil)
        #expect(trunk.allows(TransportAddress(ipv4: 192, 0, 2, 7, port: 1)) && !trunk.allows(TransportAddress(ipv4: 192, 0, 2, 9, port: 1)))
        #expect(CallRouteConfig.Trunk(user: "a", allow: [], credentials: nil).allows(TransportAddress(ipv4: 1, 2, 3, 4, port: 1)))
        let locked = CallRouteConfig.Trunk(user: "a", allow: [], credentials: .init(username: "u", password: Redacted("p")))
        #expect(!locked.allows(TransportAddress(ipv4: 1, 2, 3, 4, port: 1)))
    }

    @Test func dialTemplates() throws {
        let dial = try #require(DialTemplate("sip:{number}@pbx.example.org;user=phone"))
        #expect(dial.uri(for: "+49 (30) 123-45.6")?.description == "sip:+4930123456@pbx.example.org;user=phone")
        #expect(dial.uri(for: "*72#")?.description == "sip:*72%23@pbx.example.org;user=phone")
        #expect(dial.uri(for: " sip:alice@192.0.2.4:5070 ")?.description == "sip:alice@192.0.2.4:5070")
        #expect(dial.uri(for: "") == nil)
        #expect(dial.uri(for: "12a") == nil)
        #expect(dial.uri(for: "1@evil.example") == nil)
        #expect(dial.uri(for: String(repeating: "1", count: 65)) == nil)
        for bad in ["pbx.example.org", "sip:pbx.example.org", "sip:{number}{number}@x", "sip:a@{number}", "tel:{number}", "sip:{number}@"] {
            #expect(DialTemplate(bad) == nil, "\(bad)")
        }
    }
}
