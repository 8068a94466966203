import Foundation
import InteropSupport
import Testing

/// The gateway's SIP edge (the real `mediabridge` binary with `sip.enabled`) against sipp 3.6 over UDP on
/// 127.0.0.1: routing by Request-URI user, the fallback of a route no call page serves, the trunk's Digest
/// challenge, and an account registering at a sipp registrar. sipp exits 0 only when its scenario went
/// through every step (`Tests/Interop/sipp/*.xml`).
@Suite(.serialized, .ownThread) struct SIPEdgeInteropTests {
    static let sipp = "/usr/bin/sipp"

    /// A scenario from `Tests/Interop/sipp/` with `FINAL` replaced by `status`, written to a temporary file.
    static func scenario(_ name: String, final status: Int) throws -> URL {
        let text = try String(contentsOfFile: PeerProcess.repositoryRoot + "/Tests/Interop/sipp/" + name, encoding: .utf8)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("mb-\(UUID().uuidString)-\(name)")
        try text.replacingOccurrences(of: "\"FINAL\"", with: "\"\(status)\"").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// Runs sipp as a UAC against the gateway (bounded: 15 s) and returns its exit status and log.
    static func runUAC(scenario: URL, user: String, gatewaySIPPort: Int, extra: [String] = []) throws -> (Int32, String) {
        // Free for TCP too (sipp binds its port for `-t t1`) and below the kernel's ephemeral range.
        let port = try PeerProcess.freeUDPPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-edge-\(port).log")
        let process = try PeerProcess.startTool(sipp, arguments: [
            "-sf", scenario.path, "127.0.0.1:\(gatewaySIPPort)", "-s", user, "-m", "1", "-i", "127.0.0.1", "-p", "\(port)",
            "-nostdin", "-timeout", "15s", "-timeout_error",
        ] + extra, log: log)
        defer { PeerProcess.stop(process) }
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning && ContinuousClock.now < deadline { usleep(50_000) }
        PeerProcess.stop(process)
        return (process.terminationStatus, (try? String(contentsOf: log, encoding: .utf8)) ?? "")
    }

    /// sipp's Digest arguments. `-auth_uri` makes the digest's uri the Request-URI (sipp's default is
    /// `sip:remote_ip:remote_port`, which the gateway refuses as credentials for another URI).
    static func credentials(_ username: String, _ password: String, user: String, port: Int) -> [String] {
        ["-au", username, "-ap", password, "-auth_uri", "\(user)@127.0.0.1:\(port)"]
    }

    func gateway(calls: String) throws -> (PeerProcess.Gateway, Int) {
        let gateway = try PeerProcess.Gateway(sipYAML: "enabled: true, listen: '127.0.0.1:0'", callsYAML: calls)
        guard let port = gateway.sipPort else {
            gateway.stop()
            throw PeerProcess.MissingTool(description: "the gateway printed no SIP port")
        }
        return (gateway, port)
    }

    @Test func unknownUserGets404AndARouteWithoutACallPageItsFallback() throws {
        let (gateway, port) = try gateway(calls: """
            [{name: desk, trunk: {}}, {name: lobby, trunk: {user: '200'}, fallback: decline},
             {name: front, trunk: {}, fallback: 'sip:reception@192.0.2.1'}]
            """)
        defer { gateway.stop() }
        let (unknown, unknownLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 404), user: "nobody", gatewaySIPPort: port)
        #expect(unknown == 0, "sipp: \(unknownLog.suffix(1500))")
        let (busy, busyLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 486), user: "desk", gatewaySIPPort: port)
        #expect(busy == 0, "sipp: \(busyLog.suffix(1500))")
        let (declined, declinedLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 603), user: "200", gatewaySIPPort: port)
        #expect(declined == 0, "sipp: \(declinedLog.suffix(1500))")
        let messages = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-edge-messages-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: messages) }
        let (redirected, redirectedLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 302), user: "front",
                                                          gatewaySIPPort: port, extra: ["-trace_msg", "-message_file", messages.path])
        #expect(redirected == 0, "sipp: \(redirectedLog.suffix(1500))")
        let trace = (try? String(contentsOf: messages, encoding: .utf8)) ?? ""
        #expect(trace.contains("Contact: <sip:reception@192.0.2.1>"), "sipp messages: \(trace.suffix(3000))")
    }

    @Test func sipOverTCP() throws {
        let (gateway, port) = try gateway(calls: "[{name: desk, trunk: {}}]")
        defer { gateway.stop() }
        let (unknown, unknownLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 404), user: "nobody",
                                                    gatewaySIPPort: port, extra: ["-t", "t1"])
        #expect(unknown == 0, "sipp: \(unknownLog.suffix(1500))")
        let (busy, busyLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 486), user: "desk",
                                              gatewaySIPPort: port, extra: ["-t", "t1"])
        #expect(busy == 0, "sipp: \(busyLog.suffix(1500))")
    }

    @Test func trunkChallengesSourcesOffItsAllowList() throws {
        let (gateway, port) = try gateway(calls: "[{name: desk, trunk: {allow: [192.0.2.1], username: pbx, password: pbx-secret}}]")
        defer { gateway.stop() }
        // Without credentials: the 401 is the end of it.
        let (challenged, challengedLog) = try Self.runUAC(scenario: Self.scenario("uac_final.xml", final: 401), user: "desk",
                                                          gatewaySIPPort: port)
        #expect(challenged == 0, "sipp: \(challengedLog.suffix(1500))")
        // With them: past the challenge to the route (no call page: busy).
        let (authorized, authorizedLog) = try Self.runUAC(scenario: Self.scenario("uac_auth_final.xml", final: 486), user: "desk",
                                                          gatewaySIPPort: port, extra: Self.credentials("pbx", "pbx-secret", user: "desk", port: port))
        #expect(authorized == 0, "sipp: \(authorizedLog.suffix(1500))")
        // A wrong password: 403.
        let (refused, refusedLog) = try Self.runUAC(scenario: Self.scenario("uac_auth_final.xml", final: 403), user: "desk",
                                                    gatewaySIPPort: port, extra: Self.credentials("pbx", "wrong", user: "desk", port: port))
        #expect(refused == 0, "sipp: \(refusedLog.suffix(1500))")
    }

    @Test func accountRegistersThroughADigestChallenge() async throws {
        let registrarPort = try PeerProcess.freeUDPPort()
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("sipp-registrar-\(registrarPort).log")
        let registrar = try PeerProcess.startTool(Self.sipp, arguments: [
            "-sf", PeerProcess.repositoryRoot + "/Tests/Interop/sipp/registrar.xml", "-p", "\(registrarPort)", "-i", "127.0.0.1",
            "-m", "1", "-nostdin", "-timeout", "15s", "-timeout_error",
        ], log: log)
        defer { PeerProcess.stop(registrar) }
        usleep(300_000)  // sipp binds its port
        let (gateway, _) = try gateway(
            calls: "[{name: office, account: {registrar: '127.0.0.1:\(registrarPort)', username: alice, password: secret}}]")
        defer { gateway.stop() }
        var state = ""
        var body = ""
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            let reply = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/api/v1/calls")
            body = reply.body
            let json = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
            let calls = json?["calls"] as? [[String: Any]]
            state = ((calls?.first?["registration"] as? [String: Any])?["state"] as? String) ?? ""
            if state == "registered" || state == "failed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(state == "registered", "API: \(body)")
        #expect(!body.contains("secret"))
        let end = ContinuousClock.now + .seconds(5)
        while registrar.isRunning && ContinuousClock.now < end { try await Task.sleep(for: .milliseconds(50)) }
        PeerProcess.stop(registrar)
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        #expect(registrar.terminationStatus == 0, "sipp: \(output.suffix(1500))")
    }
}
