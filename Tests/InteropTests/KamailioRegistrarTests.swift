import Foundation
import InteropSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// kamailio 5.6 as the registrar and proxy of a call route's account (`Tests/Interop/kamailio/registrar.cfg`):
/// the gateway registers through its Digest challenge, and a call to the registered user, placed by sipp at
/// kamailio, is relayed to the gateway and answered on the call page.
@Suite(.serialized, .ownThread) struct KamailioRegistrarTests {
    static let kamailio = "/usr/sbin/kamailio"

    /// A running kamailio on 127.0.0.1: its main process (from its pid file), and its log.
    struct Kamailio {
        let pid: pid_t
        let log: URL

        /// Ends kamailio by its PID (SIGTERM, which it passes on to its children), then any child still there
        /// after 3 s by its PID (SIGKILL).
        func stop() {
            let children = Self.children(of: pid)
            kill(pid, SIGTERM)
            let deadline = ContinuousClock.now + .seconds(3)
            while ([pid] + children).contains(where: Self.isAlive) && ContinuousClock.now < deadline { usleep(50_000) }
            for process in [pid] + children where Self.isAlive(process) { kill(process, SIGKILL) }
        }

        /// Alive and not a zombie (nobody in this container may reap a daemon's exit).
        static func isAlive(_ pid: pid_t) -> Bool {
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let end = stat.lastIndex(of: ")") else { return false }
            return stat[stat.index(after: end)...].trimmingCharacters(in: .whitespaces).first != "Z"
        }

        static func children(of parent: pid_t) -> [pid_t] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            return entries.compactMap(pid_t.init).filter { pid in
                guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                      let end = stat.lastIndex(of: ")") else { return false }
                let fields = stat[stat.index(after: end)...].split(separator: " ")
                return fields.count > 1 && pid_t(fields[1]) == parent
            }
        }

        var text: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
    }

    /// kamailio on 127.0.0.1:`port`, its runtime files in a temporary folder. It daemonizes and writes its main
    /// PID to a pid file. The creator is spawned and reaped here, not through Foundation's `Process`: in a
    /// parallel run Foundation's reaper never saw it exit, and `waitUntilExit` hung the test run.
    static func startKamailio(port: Int, user: String, password: String) throws -> Kamailio {
        guard FileManager.default.isExecutableFile(atPath: kamailio) else {
            throw PeerProcess.MissingTool(description: "\(kamailio) is missing: `make deps` installs it")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mb-kamailio-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let config = try String(contentsOfFile: PeerProcess.repositoryRoot + "/Tests/Interop/kamailio/registrar.cfg", encoding: .utf8)
            .replacingOccurrences(of: "PORT", with: "\(port)").replacingOccurrences(of: "USER", with: user)
            .replacingOccurrences(of: "PASSWORD", with: password)
        let file = directory.appendingPathComponent("kamailio.cfg")
        try config.write(to: file, atomically: true, encoding: .utf8)
        let log = directory.appendingPathComponent("kamailio.log")
        let pidFile = directory.appendingPathComponent("kamailio.pid")
        let creator = try spawn([kamailio, "-f", file.path, "-E", "-Y", directory.path, "-P", pidFile.path, "-w", directory.path], log: log)
        // The creator exits once the daemon runs; reap it (bounded), by force if it hangs.
        var status: Int32 = 0
        let deadline = ContinuousClock.now + .seconds(10)
        while waitpid(creator, &status, WNOHANG) == 0 {
            guard ContinuousClock.now < deadline else {
                kill(creator, SIGKILL)
                waitpid(creator, &status, 0)
                break
            }
            usleep(50_000)
        }
        let text = (try? String(contentsOf: pidFile, encoding: .utf8)) ?? ""
        guard let pid = pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw PeerProcess.MissingTool(description: "kamailio did not start: \((try? String(contentsOf: log, encoding: .utf8)) ?? "")")
        }
        return Kamailio(pid: pid, log: log)
    }

    /// `posix_spawn` of `arguments` with stdout and stderr to `log`, stdin from /dev/null.
    static func spawn(_ arguments: [String], log: URL) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, nil, argv, environ)
        guard result == 0 else { throw PeerProcess.MissingTool(description: "cannot start \(arguments[0]): errno \(result)") }
        return pid
    }

    /// `GET /api/v1/calls`: the first call route's registration state, and the whole body.
    static func registration(_ gateway: PeerProcess.Gateway) async throws -> (String, String) {
        let reply = try await HTTPRequest.send("GET", "http://127.0.0.1:\(gateway.httpPort)/api/v1/calls")
        let json = try JSONSerialization.jsonObject(with: Data(reply.body.utf8)) as? [String: Any]
        let calls = json?["calls"] as? [[String: Any]]
        return (((calls?.first?["registration"] as? [String: Any])?["state"] as? String) ?? "", reply.body)
    }

    @Test func theAccountRegistersAtKamailioAndACallThroughItReachesThePage() async throws {
        let kamailioPort = try PeerProcess.freeUDPPort()
        let kamailio = try Self.startKamailio(port: kamailioPort, user: "alice", password: "kamailio-secret")
        defer { kamailio.stop() }
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try PeerProcess.Gateway(extraYAML: """
            sip: {enabled: true, listen: "127.0.0.1:\(sipPort)", rtp_ports: "20100-20199"}
            calls: [{name: door, account: {registrar: '127.0.0.1:\(kamailioPort)', username: alice, password: kamailio-secret, expires: 120}}]
            """)
        defer { gateway.stop() }
        var (state, body) = ("", "")
        let deadline = ContinuousClock.now + .seconds(15)
        while ContinuousClock.now < deadline {
            (state, body) = try await Self.registration(gateway)
            if state == "registered" || state == "failed" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let kamailioLog = { kamailio.text }
        #expect(state == "registered", "API: \(body); kamailio: \(kamailioLog().suffix(1500))")
        #expect(!body.contains("kamailio-secret"))
        #expect(kamailioLog().contains("REGISTER"), "kamailio saw the REGISTER: \(kamailioLog().suffix(1500))")

        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--wait", "20", "--linger", "6"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let sipp = try SippCaller(target: "127.0.0.1:\(kamailioPort)", service: "alice", scenario: SippCaller.scenario("uac_via_proxy.xml"))
        defer { sipp.stop() }
        #expect(sipp.waitForExit(timeout: .seconds(30)) == 0, "sipp: \(sipp.errors.suffix(1500)) \(sipp.received); kamailio: \(kamailioLog().suffix(1500))")
        let result = try SIPCallTests.CallResult.parse(try page.finish(timeout: .seconds(40)))
        #expect(result.states.contains("in call"), "the page answered: \(result.states)")
        #expect(result.stats?.connection == "connected", "the browser's media session came up: \(String(describing: result.stats))")
        #expect(kamailioLog().contains("INVITE sip:alice@"), "the INVITE went through kamailio")
    }
}
