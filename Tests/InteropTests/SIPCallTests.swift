import Foundation
import InteropSupport
import Testing

/// SIP calls through the gateway with real peers: baresip as the phone (a 440 Hz tone, recording what it
/// hears) and headless Chromium on the call page (its fake microphone beeps).
@Suite(.serialized, .ownThread) struct SIPCallTests {
    struct CallResult: Decodable {
        struct Stats: Decodable {
            var inbound: Int, outbound: Int, audioLevel: Double, energy: Double, connection: String
            /// The audio codecs' MIME types each way, as the browser's stats name them.
            var codec: String?, sentCodec: String?
        }
        struct Digit: Decodable { var digit: String; var from: String }
        var state: String
        var states: [String]
        var stats: Stats?
        struct Hold: Decodable { var type: String; var from: String }
        var holds: [Hold]?
        var digits: [Digit]
        var errors: [String]
        /// `--series`: the browser's inbound audio every 0.5 s.
        var series: [Sample]?
        struct Sample: Decodable { var t: Double; var packets: Int; var lost: Int?; var ssrc: UInt32? }

        /// The JSON line `chromium_call.py` prints last.
        static func parse(_ output: String) throws -> CallResult {
            try JSONDecoder().decode(CallResult.self, from: Data((output.split(separator: "\n").last.map(String.init) ?? "").utf8))
        }
    }

    static func gateway(sipPort: Int) throws -> PeerProcess.Gateway {
        try PeerProcess.Gateway(extraYAML: """
            sip: {enabled: true, listen: "127.0.0.1:\(sipPort)", rtp_ports: "20000-20099"}
            calls: [{name: door, trunk: {user: door}, allow_uris: ["sip:*@127.0.0.1:*"]}]
            """)
    }

    struct ActiveCall: Decodable {
        struct Leg: Decodable { var reports: Int; var roundTripMilliseconds: Double?; var packetsSent: UInt32; var packetsReceived: UInt32 }
        var phone: Leg?
        var browser: Leg?
    }

    /// Polls `GET /api/v1/calls` (at most 30 s) until both legs of the call show a round trip from RTCP.
    static func activeCallReports(httpPort: Int) throws -> ActiveCall? {
        struct List: Decodable { struct Route: Decodable { var active: ActiveCall? }; var calls: [Route] }
        var latest: ActiveCall?
        for _ in 0..<60 {
            let body = try HTTPRequest.blockingGet("http://127.0.0.1:\(httpPort)/api/v1/calls")
            latest = try JSONDecoder().decode(List.self, from: Data(body.utf8)).calls.first?.active ?? latest
            if latest?.phone?.roundTripMilliseconds != nil, latest?.browser?.roundTripMilliseconds != nil { return latest }
            usleep(500_000)
        }
        return latest
    }

    /// What the gateway sent the phone, as (seconds since the first sample, packets), about twice a second until
    /// the call ends (at most 40 s). Polls slow down on a busy machine, so checks go by time, not sample count.
    static func packetsSentToThePhone(httpPort: Int) throws -> [(at: Double, packets: UInt32)] {
        struct List: Decodable { struct Route: Decodable { var active: ActiveCall? }; var calls: [Route] }
        var sent: [(at: Double, packets: UInt32)] = []
        let clock = ContinuousClock(), start = clock.now
        var misses = 0
        for _ in 0..<80 where misses < 4 {
            let body = try HTTPRequest.blockingGet("http://127.0.0.1:\(httpPort)/api/v1/calls")
            let active = try JSONDecoder().decode(List.self, from: Data(body.utf8)).calls.first?.active
            if let packets = active?.phone?.packetsSent {
                let elapsed = clock.now - start
                sent.append((Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18, packets))
                misses = 0
            } else if !sent.isEmpty {
                misses += 1
            }
            usleep(500_000)
        }
        return sent
    }

    /// Held: two samples at least `seconds` apart with (almost) nothing sent to the phone between them, after
    /// some audio, and more audio after them (the resume).
    static func expectAHeldStretch(in sent: [(at: Double, packets: UInt32)], seconds: Double = 2,
                                   sourceLocation: SourceLocation = #_sourceLocation) {
        let pairs = sent.indices.flatMap { i in sent.indices.filter { $0 > i }.map { (i, $0) } }
        // After some audio: before the call's audio starts the count also stands still (at 0).
        let flat = pairs.first { i, j in sent[i].packets > 0 && sent[j].at - sent[i].at >= seconds && sent[j].packets - sent[i].packets <= 5 }
        let trace = sent.map { "\(Int($0.at * 10) / 10)s:\($0.packets)" }.joined(separator: " ")
        guard let (i, j) = flat else {
            Issue.record("no held stretch in the packets sent to the phone: \(trace)", sourceLocation: sourceLocation)
            return
        }
        #expect(sent[i].packets > 0 && sent.last.map { $0.packets > sent[j].packets + 10 } == true,
                "packets sent to the phone: \(trace)", sourceLocation: sourceLocation)
    }

    @Test func aPhoneCallsTheRouteAndTheBrowserAnswersWithAudioBothWaysAndDTMF() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--digits", "159#", "--wait", "25", "--linger", "10"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let phone = try BaresipPhone.launch(account: { _ in "<sip:alice@127.0.0.1>;regint=0" },
                                            commands: ["/dial sip:door@127.0.0.1:\(sipPort)"], seconds: 30)
        defer { phone.stop() }
        #expect(phone.wait(for: "Call established", timeout: .seconds(20)), "baresip: \(phone.log.suffix(1500))")
        // RTCP on both legs: baresip's and Chromium's reports about the gateway's streams, with round trips.
        let legs = try Self.activeCallReports(httpPort: gateway.httpPort)
        #expect((legs?.phone?.reports ?? 0) > 0 && legs?.phone?.roundTripMilliseconds != nil, "phone leg RTCP: \(String(describing: legs?.phone))")
        #expect((legs?.browser?.reports ?? 0) > 0 && legs?.browser?.roundTripMilliseconds != nil, "browser leg RTCP: \(String(describing: legs?.browser))")
        #expect((legs?.phone?.roundTripMilliseconds ?? 10_000) < 2_000, "a sanity bound on loopback: \(String(describing: legs?.phone))")
        let output = try page.finish(timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.state == "in call", "page states: \(result.states), final \(result.state)")
        let stats = try #require(result.stats)
        #expect(stats.inbound > 100, "browser received \(stats.inbound) audio packets")
        #expect(stats.audioLevel > 0.01, "the phone's tone is audible in the browser (level \(stats.audioLevel))")
        #expect(stats.outbound > 100)
        #expect(result.digits.filter { $0.from == "browser" }.map(\.digit) == ["1", "5", "9", "#"], "digits on the page: \(result.digits)")
        phone.stop()
        let heard = phone.log.matches(of: /received event: '(.)' \(end=1\)/).map { String($0.1) }
        #expect(heard == ["1", "5", "9", "#"], "digits the phone received (RFC 4733): \(heard)")
        let level = phone.receivedLevel()
        #expect(level > 300, "the browser's microphone reached the phone (rms \(level))")
        #expect(result.errors.isEmpty, "\(result.errors)")
    }

    /// The `door` call page in headless Chromium (answering, `--wait` seconds in the call), then baresip with
    /// `account` dialing `target`: the page's result, and the phone (still running; the caller stops it).
    static func phoneCallsThePage(httpPort: Int, account: String, dial target: String, waitSeconds: Int,
                                  phoneSeconds: Int, pageArguments: [String] = []) throws -> (CallResult, BaresipPhone) {
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(httpPort)", "door", "--wait", String(waitSeconds)] + pageArguments,
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let phone = try BaresipPhone.launch(account: { _ in account }, commands: ["/dial \(target)"], seconds: phoneSeconds)
        do {
            #expect(phone.wait(for: "Call established", timeout: .seconds(20)), "baresip: \(phone.log.suffix(1500))")
            let output = try page.finish(timeout: .seconds(60))
            let result = try JSONDecoder().decode(CallResult.self, from: Data((output.split(separator: "\n").last.map(String.init) ?? "").utf8))
            return (result, phone)
        } catch {
            phone.stop()
            throw error
        }
    }

    /// A phone that insists on SDES-SRTP (`RTP/SAVP` with `a=crypto`): keys both ways, audio both ways.
    @Test func anSRTPPhoneIsBridgedWithSDESKeys() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let (result, phone) = try Self.phoneCallsThePage(httpPort: gateway.httpPort, account: "<sip:alice@127.0.0.1>;regint=0;mediaenc=srtp-mand",
                                                         dial: "sip:door@127.0.0.1:\(sipPort)", waitSeconds: 25, phoneSeconds: 15)
        defer { phone.stop() }
        #expect(result.state == "in call", "page states: \(result.states)")
        #expect((result.stats?.audioLevel ?? 0) > 0.01, "the SRTP phone's tone reached the browser")
        phone.stop()
        #expect(phone.log.contains("srtp") || phone.log.contains("SRTP"), "baresip used SRTP: \(phone.log.suffix(800))")
        #expect(phone.receivedLevel() > 300, "the browser reached the SRTP phone")
    }

    /// A phone that speaks only G.711 µ-law calls a page that takes only Opus: the phone's voice reaches the
    /// browser transcoded to Opus. Chromium still sends the µ-law the gateway's offer listed (its answer names
    /// only Opus), and that reaches the phone untranscoded.
    @Test func aG711PhoneCallsAnOpusOnlyPageAndBothHearEachOther() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let (result, phone) = try Self.phoneCallsThePage(httpPort: gateway.httpPort, account: "<sip:alice@127.0.0.1>;regint=0;audio_codecs=PCMU/8000/1",
                                                         dial: "sip:door@127.0.0.1:\(sipPort)", waitSeconds: 25, phoneSeconds: 15,
                                                         pageArguments: ["--codecs", "opus"])
        defer { phone.stop() }
        #expect(result.state == "in call", "page states: \(result.states)")
        #expect(result.stats?.codec?.lowercased() == "audio/opus", "the browser's codecs: \(String(describing: result.stats))")
        #expect((result.stats?.audioLevel ?? 0) > 0.01, "the µ-law phone's tone reached the browser as Opus: \(String(describing: result.stats))")
        phone.stop()
        #expect(phone.receivedLevel() > 300, "the browser's audio reached the µ-law phone")
    }

    /// An Opus-only page dials a phone that speaks only G.711 µ-law: Opus one way and µ-law the other, both
    /// transcoded by the gateway.
    @Test func anOpusOnlyPageCallsAG711PhoneThroughTheTranscoder() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let phone = try BaresipPhone.launch(account: { "<sip:bob@127.0.0.1:\($0)>;answermode=auto;regint=0;audio_codecs=PCMU/8000/1" }, seconds: 30)
        defer { phone.stop() }
        let output = try PeerProcess.runPython(
            "Tests/Interop/chromium_call.py",
            arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--dial", "sip:bob@127.0.0.1:\(phone.sipPort)", "--wait", "20", "--codecs", "opus"],
            timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.state == "in call", "page states: \(result.states), final \(result.state)")
        #expect(result.stats?.codec?.lowercased() == "audio/opus" && result.stats?.sentCodec?.lowercased() == "audio/opus",
                "the browser's codecs: \(String(describing: result.stats))")
        #expect((result.stats?.audioLevel ?? 0) > 0.01, "bob's µ-law tone reached the browser as Opus")
        phone.stop()
        #expect(phone.receivedLevel() > 300, "the browser's Opus reached bob as µ-law")
    }

    /// The page holds a call to baresip for 7 s and resumes it: a re-INVITE with `sendonly`, then one with
    /// `sendrecv`; the gateway sends the phone nothing while held and picks up again after.
    @Test func theBrowserHoldsAndResumesACallToAPhone() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let phone = try BaresipPhone.launch(account: { "<sip:bob@127.0.0.1:\($0)>;answermode=auto;regint=0" }, seconds: 40)
        defer { phone.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py",
            arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--dial", "sip:bob@127.0.0.1:\(phone.sipPort)", "--wait", "20", "--hold", "7"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        // What the gateway sent the phone, twice a second, until the call ends (at most 40 s).
        let sent = try Self.packetsSentToThePhone(httpPort: gateway.httpPort)
        let output = try page.finish(timeout: .seconds(60))
        let result = try JSONDecoder().decode(CallResult.self, from: Data((output.split(separator: "\n").last.map(String.init) ?? "").utf8))
        #expect(result.states.contains("on hold") && result.state == "in call", "page states: \(result.states), final \(result.state)")
        #expect(result.holds?.map(\.type) == ["held", "resumed"] && result.holds?.allSatisfy { $0.from == "browser" } == true,
                "\(String(describing: result.holds))")
        Self.expectAHeldStretch(in: sent)
        phone.stop()
        #expect(phone.log.matches(of: /got re-INVITE \(SDP Offer\)/).count == 2, "baresip took both re-INVITEs: \(phone.log.suffix(1500))")
        #expect(phone.receivedLevel() > 300, "the browser's microphone reached bob")
    }

    @Test func theBrowserCallsAPhoneThatAnswersByItself() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let phone = try BaresipPhone.launch(account: { "<sip:bob@127.0.0.1:\($0)>;answermode=auto;regint=0" }, seconds: 30)
        defer { phone.stop() }
        let bobPort = phone.sipPort
        let output = try PeerProcess.runPython(
            "Tests/Interop/chromium_call.py",
            arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--dial", "sip:bob@127.0.0.1:\(bobPort)", "--wait", "20"],
            timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.state == "in call", "page states: \(result.states), final \(result.state)")
        #expect((result.stats?.audioLevel ?? 0) > 0.01, "bob's tone reached the browser")
        phone.stop()
        #expect(phone.receivedLevel() > 300, "the browser's microphone reached bob")
    }

    /// sipp's `uac_pcap` scenario: G.711 A-law speech from a capture, then an RFC 2833/4733 digit "1".
    @Test func aPhonesRTPDigitReachesThePageAndItsAudioTheBrowser() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--wait", "20", "--linger", "8"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door")
        defer { sipp.stop() }
        let output = try page.finish(timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.state == "in call" || result.state.hasPrefix("call ended"), "page states: \(result.states)")
        #expect((result.stats?.inbound ?? 0) > 100, "A-law speech reached the browser")
        #expect(result.digits.contains { $0.from == "phone" && $0.digit == "1" }, "digits on the page: \(result.digits)")
    }

    /// An INVITE without SDP (sipp): the page makes the offer, the 200 OK carries it, the ACK the answer.
    @Test func aLateOfferCallIsAnsweredFromThePage() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--wait", "20", "--linger", "5"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        // sipp holds the call 6 s after its ACK, then hangs up; the page stays until after that.
        let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door",
                                  scenario: PeerProcess.repositoryRoot + "/Tests/Interop/sipp/uac_late_offer.xml")
        defer { sipp.stop() }
        let output = try page.finish(timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.stats?.connection == "connected", "the browser's WebRTC session came up with the gateway (states \(result.states))")
        #expect(result.state.hasPrefix("call ended"), "sipp's BYE ended the call on the page: \(result.state)")
        #expect(result.stats.map { $0.outbound > 50 } == true, "the page's microphone flows to the gateway")
        #expect(sipp.waitForExit(timeout: .seconds(15)) == 0, "sipp's late-offer scenario (ending with BYE and its 200) completed")
    }

    /// A digit the phone sends as SIP INFO (`application/dtmf-relay`) shows on the page, carried to the
    /// browser as RFC 4733 events.
    @Test func aSIPInfoDigitReachesThePage() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--wait", "20", "--linger", "3"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door",
                                  scenario: PeerProcess.repositoryRoot + "/Tests/Interop/sipp/uac_info_dtmf.xml")
        defer { sipp.stop() }
        let output = try page.finish(timeout: .seconds(60))
        let result = try CallResult.parse(output)
        #expect(result.digits.contains { $0.from == "phone" && $0.digit == "5" }, "digits on the page: \(result.digits), states \(result.states)")
        #expect(sipp.waitForExit(timeout: .seconds(15)) == 0, "the INFO got its 200 and the call ended with BYE")
    }

    /// The caller hangs up while the page rings (sipp: CANCEL, 200, 487, ACK); the page stops ringing.
    @Test func aCallerWhoGivesUpStopsThePageRinging() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--no-answer", "--wait", "10"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let sipp = try SippCaller(target: "127.0.0.1:\(sipPort)", service: "door",
                                  scenario: PeerProcess.repositoryRoot + "/Tests/Interop/sipp/uac_cancel.xml")
        defer { sipp.stop() }
        #expect(sipp.waitForExit(timeout: .seconds(15)) == 0, "sipp saw 180, then 200 for its CANCEL and 487 for the INVITE")
        let output = try page.finish(timeout: .seconds(30))
        let result = try CallResult.parse(output)
        #expect(result.states.contains { $0.hasPrefix("incoming call from") }, "the page rang: \(result.states)")
        #expect(result.state.hasPrefix("call ended"), "and stopped: \(result.state)")
    }

    /// A phone offering only G.729 gets 488 at once, before any page rings.
    @Test func aPhoneWithNoCodecABrowserTakesGets488() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let page = try PeerProcess.startPythonCapturing(
            "Tests/Interop/chromium_call.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "door", "--no-answer", "--wait", "4"],
            waitFor: "READY", timeout: .seconds(30))
        defer { page.stop() }
        let scenario = try SIPEdgeInteropTests.scenario("uac_final.xml", final: 488)
        let text = try String(contentsOf: scenario, encoding: .utf8)
            .replacingOccurrences(of: "RTP/AVP 0\n      a=rtpmap:0 PCMU/8000", with: "RTP/AVP 18\n      a=rtpmap:18 G729/8000")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let (status, log) = try SIPEdgeInteropTests.runUAC(scenario: scenario, user: "door", gatewaySIPPort: sipPort)
        #expect(status == 0, "sipp expected 488: \(log.suffix(800))")
        let output = try page.finish(timeout: .seconds(30))
        let result = try CallResult.parse(output)
        #expect(!result.states.contains { $0.hasPrefix("incoming call") }, "no page rang: \(result.states)")
    }

    @Test func withNoPageOpenTheCallerHearsBusy() async throws {
        let sipPort = try PeerProcess.freeUDPPort()
        let gateway = try Self.gateway(sipPort: sipPort)
        defer { gateway.stop() }
        let phone = try BaresipPhone.launch(account: { _ in "<sip:alice@127.0.0.1>;regint=0" },
                                            commands: ["/dial sip:door@127.0.0.1:\(sipPort)"], seconds: 8)
        defer { phone.stop() }
        #expect(phone.wait(for: "486 Busy Here", timeout: .seconds(10)), "baresip: \(phone.log.suffix(1500))")
    }
}
