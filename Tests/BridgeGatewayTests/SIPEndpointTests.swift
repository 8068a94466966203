import InteropSupport
import BridgeCore
@testable import BridgeGateway
import BridgeSDP
import BridgeSIP
import Foundation
import Logging
import Synchronization
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// `SIPEndpoint` on 127.0.0.1 with a test route handler, against a `SIPUserAgent` playing the phone on a
/// plain UDP socket: inbound answer, INFO DTMF and BYE; the ring timeout; an outbound call. Bounded waits.
@Suite(.serialized, .ownThread) struct SIPEndpointTests {
    typealias GatewayCallID = BridgeGateway.SIPCallID

    /// Records events; answers or ignores incoming calls.
    final class TestHandler: CallRouteHandler, SIPCallObserver {
        let routeName = "desk"
        let answerWith: SessionDescription?
        let events = Mutex<[String]>([])
        let controls = Mutex<[any SIPCallControl]>([])

        init(answerWith: SessionDescription?) {
            self.answerWith = answerWith
        }

        func incomingCall(_ call: any SIPCallControl) {
            controls.withLock { $0.append(call) }
            events.withLock { $0.append("incoming from \(call.caller), offer \(call.remoteOffer == nil ? "missing" : "present")") }
            call.observe(self)
            call.ring()
            if let answerWith { call.answer(sdp: answerWith) }
        }

        func call(_ id: GatewayCallID, didChange event: SIPCallEvent) {
            let text: String
            switch event {
            case .progress(let status, _): text = "progress \(status)"
            case .answered: text = "answered"
            case .established: text = "established"
            case .reoffered: text = "reoffered"
            case .reofferAnswered: text = "reoffer answered"
            case .reofferRejected(let status, _): text = "reoffer rejected \(status)"
            case .dtmf(let digit, let duration): text = "dtmf \(digit) \(duration)"
            case .ended(let reason, let status): text = "ended: \(reason) (\(status.map(String.init) ?? "-"))"
            }
            events.withLock { $0.append(text) }
        }

        var log: [String] { events.withLock { $0 } }
    }

    static let sdpText = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 30000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"

    static func config(ringTimeout: String = "30s") throws -> GatewayConfig {
        try ConfigLoader().parse(yaml: """
            sip: {enabled: true, listen: '127.0.0.1:0'}
            calls:
              - name: desk
                ring_timeout: \(ringTimeout)
                trunk: {allow: [127.0.0.1]}
                allow_uris: ["sip:*@127.0.0.1:*"]
            """)
    }

    /// The phone: a user agent on its own UDP socket, pumped until `until` holds or 10 s pass.
    final class Phone {
        let socket: BlockingUDPSocket
        var agent: SIPUserAgent
        let start = ContinuousClock.now
        var seen: [String] = []

        init() throws {
            socket = try BlockingUDPSocket()
            agent = SIPUserAgent(configuration: .init(contact: SIPURI(user: "phone", host: "127.0.0.1", port: socket.port),
                                                      via: SIPVia(transport: "UDP", host: "127.0.0.1", port: socket.port)),
                                 seed: 7)
        }

        func now() -> MonotonicInstant {
            let (seconds, attoseconds) = (ContinuousClock.now - start).components
            return MonotonicInstant(nanoseconds: UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000))
        }

        /// `intercept` sees each datagram first and returns true for one it answered itself.
        func pump(until done: () -> Bool, onEvent: (SIPUserAgent.Event) throws -> Void = { _ in },
                  intercept: ([UInt8], TransportAddress) -> Bool = { _, _ in false }) throws {
            while !done() && ContinuousClock.now - start < .seconds(30) {
                if let (bytes, source) = socket.receive(milliseconds: 10), !intercept(bytes, source) {
                    agent.handle(bytes: bytes, from: source, now: now())
                }
                if let deadline = agent.nextTimeout(), deadline <= now() { agent.handleTimeout(now: now()) }
                while let event = agent.pollOutput() {
                    switch event {
                    case .send(let outgoing): socket.send(outgoing.bytes, to: outgoing.destination)
                    case .incomingCall: seen.append("incoming")
                    case .callProgress(_, let response): seen.append("progress \(response.statusCode ?? 0)")
                    case .callAnswered: seen.append("answered")
                    case .callEstablished: seen.append("established")
                    case .callEnded(_, let reason): seen.append("ended: \(reason)")
                    default: break
                    }
                    try onEvent(event)
                }
            }
        }
    }

    func endpoint(_ config: GatewayConfig, handler: TestHandler) async throws -> SIPEndpoint {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try await SIPEndpoint.start(config: config, handlers: ["desk": handler], logger: logger)
    }

    @Test func inboundCallAnsweredWithDTMFThenHungUpByThePhone() async throws {
        let handler = TestHandler(answerWith: try SessionDescription(parsing: Self.sdpText))
        let sip = try await endpoint(Self.config(), handler: handler)
        defer { Task { await sip.close() } }
        let phone = try Phone()
        let gateway = TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sip.port))
        let call = try phone.agent.startCall(to: SIPURI(user: "desk", host: "127.0.0.1", port: UInt16(sip.port)), destination: gateway,
                                             sdp: Array(Self.sdpText.utf8), now: phone.now())
        try phone.pump(until: { phone.seen.contains("established") })
        try phone.agent.sendInfo(call, contentType: SIPContentType(type: "application", subtype: "dtmf-relay"),
                                 body: Array("Signal=5\r\nDuration=160\r\n".utf8), now: phone.now())
        try phone.pump(until: { handler.log.contains("dtmf 5 160") })
        try phone.agent.hangUp(call, now: phone.now())
        try phone.pump(until: { handler.log.last?.hasPrefix("ended") == true && phone.seen.last?.hasPrefix("ended") == true })
        #expect(phone.seen == ["progress 180", "answered", "established", "ended: hung up (BYE answered 200)"])
        #expect(handler.log == ["incoming from phone, offer present", "established", "dtmf 5 160", "ended: remote hung up (-)"])
    }

    @Test func closingHangsUpCalls() async throws {
        let handler = TestHandler(answerWith: try SessionDescription(parsing: Self.sdpText))
        let sip = try await endpoint(Self.config(), handler: handler)
        let phone = try Phone()
        _ = try phone.agent.startCall(to: SIPURI(user: "desk", host: "127.0.0.1", port: UInt16(sip.port)),
                                      destination: TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sip.port)),
                                      sdp: Array(Self.sdpText.utf8), now: phone.now())
        try phone.pump(until: { phone.seen.contains("established") })
        await sip.close()
        try phone.pump(until: { phone.seen.last?.hasPrefix("ended") == true })
        #expect(phone.seen.last == "ended: remote hung up")
        #expect(handler.log.last == "ended: the gateway is shutting down (-)")
    }

    @Test func unansweredCallGets480AfterTheRingTimeout() async throws {
        let handler = TestHandler(answerWith: nil)
        let sip = try await endpoint(Self.config(ringTimeout: "1s"), handler: handler)
        defer { Task { await sip.close() } }
        let phone = try Phone()
        _ = try phone.agent.startCall(to: SIPURI(user: "desk", host: "127.0.0.1", port: UInt16(sip.port)),
                                      destination: TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sip.port)),
                                      sdp: Array(Self.sdpText.utf8), now: phone.now())
        try phone.pump(until: { phone.seen.last?.hasPrefix("ended") == true })
        #expect(phone.seen == ["progress 180", "ended: rejected with 480"])
        #expect(handler.log == ["incoming from phone, offer present", "ended: not answered within 1.0 seconds (480)"])
    }

    @Test func outboundCallToThePhone() async throws {
        let handler = TestHandler(answerWith: nil)
        let sip = try await endpoint(Self.config(), handler: handler)
        defer { Task { await sip.close() } }
        let phone = try Phone()
        let offer = try SessionDescription(parsing: Self.sdpText)
        let control = try sip.placeCall(route: "desk", to: "sip:phone@127.0.0.1:\(phone.socket.port)", offer: offer, observer: handler)
        try phone.pump(until: { phone.seen.contains("established") }) { event in
            if case .incomingCall(let reference, _, _) = event {
                try phone.agent.ring(reference, now: phone.now())
                try phone.agent.answer(reference, sdp: Array(Self.sdpText.utf8), now: phone.now())
            }
        }
        try phone.pump(until: { handler.log.contains("established") })
        control.hangUp()
        try phone.pump(until: { handler.log.last?.hasPrefix("ended") == true })
        #expect(handler.log == ["progress 180", "answered", "established", "ended: hung up (BYE answered 200) (-)"])
        #expect(throws: SIPCallFailure.self) { try sip.placeCall(route: "desk", to: "123", offer: offer, observer: handler) }
    }

    /// An account's call goes to its registrar (here the phone, as the outbound proxy), which asks for
    /// credentials with 407; the second INVITE carries them and is answered.
    @Test func outboundCallThroughTheRegistrarAnswersA407() async throws {
        let phone = try Phone()
        let config = try ConfigLoader().parse(yaml: """
            sip: {enabled: true, listen: '127.0.0.1:0'}
            calls:
              - name: desk
                dial: sip:{number}@pbx.example.org
                account: {registrar: '127.0.0.1:\(phone.socket.port)', username: alice, password: secret}
            """)
        let handler = TestHandler(answerWith: nil)
        let sip = try await endpoint(config, handler: handler)
        defer { Task { await sip.close() } }
        var proxy = SIPDigestServer(realm: "pbx.example.org", secret: Array(repeating: 7, count: 32))
        let control = try sip.placeCall(route: "desk", to: "100", offer: try SessionDescription(parsing: Self.sdpText), observer: handler)
        var verdicts: [String] = []
        try phone.pump(until: { phone.seen.contains("established") }) { event in
            guard case .incomingCall(let reference, let invite, _) = event else { return }
            #expect(invite.requestURIText == "sip:100@pbx.example.org")
            switch proxy.verify(invite, now: phone.now(), isProxy: true, password: { $0 == "alice" ? Redacted("secret") : nil }) {
            case .authorized(let user):
                verdicts.append("authorized \(user)")
                try phone.agent.answer(reference, sdp: Array(Self.sdpText.utf8), now: phone.now())
            case let other:
                verdicts.append("\(other)")
                try phone.agent.reject(reference, status: 407, headers: proxy.challenges(now: phone.now(), isProxy: true), now: phone.now())
            }
        }
        try phone.pump(until: { handler.log.contains("established") })
        control.hangUp()
        try phone.pump(until: { handler.log.last?.hasPrefix("ended") == true })
        #expect(verdicts == ["missing", "authorized alice"])
        #expect(handler.log == ["answered", "established", "ended: hung up (BYE answered 200) (-)"])
    }

    @Test func outboundPlans() throws {
        let yaml = """
            sip: {enabled: true}
            calls:
              - name: acct
                dial: sip:{number}@pbx.example.org
                account: {registrar: "192.0.2.5:5080", username: u, password: p}
              - name: trunk
                trunk: {}
                allow_uris: ["sip:*@192.0.2.9", "sips:*@*.example.org"]
            """
        let config = try ConfigLoader().parse(yaml: yaml)
        let calls = Dictionary(uniqueKeysWithValues: config.calls.map { ($0.name, $0) })
        let viaAccount = try SIPEndpoint.plan(route: "acct", target: "100", calls: calls)
        #expect(viaAccount.target.description == "sip:100@pbx.example.org")
        #expect(viaAccount.destinationHost == "192.0.2.5" && viaAccount.destinationPort == 5080)
        #expect(viaAccount.credentials?.username == "u" && viaAccount.from?.description == "sip:u@192.0.2.5")
        let direct = try SIPEndpoint.plan(route: "trunk", target: "sip:bob@192.0.2.9", calls: calls)
        #expect(direct.destinationHost == "192.0.2.9" && direct.destinationPort == 5060 && direct.credentials == nil)
        #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "trunk", target: "100", calls: calls) }
        #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "nope", target: "100", calls: calls) }
        #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "acct", target: "abc", calls: calls) }
    }

    /// Toll fraud: a page that types a `sip:` URI reaches only what `allow_uris` opens; by default only
    /// numbers through the dial template, and never another host through the route's account.
    @Test func typedURIsAreDialledOnlyWhereAllowed() throws {
        let yaml = """
            sip: {enabled: true}
            calls:
              - name: acct
                dial: sip:{number}@pbx.example.org
                account: {registrar: "192.0.2.5:5080", username: u, password: p}
              - name: trunk
                trunk: {}
                allow_uris: ["sip:*@192.0.2.9", "sips:*@*.example.org"]
            """
        let calls = Dictionary(uniqueKeysWithValues: try ConfigLoader().parse(yaml: yaml).calls.map { ($0.name, $0) })
        for target in ["sip:+19005550100@pbx.example.org", "sip:bob@evil.example", "SIP:100@192.0.2.5:5080"] {
            let failure = #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "acct", target: target, calls: calls) }
            #expect(failure?.description.contains("allow_uris") == true, "\(target)")
        }
        #expect(try SIPEndpoint.plan(route: "acct", target: "100", calls: calls).target.description == "sip:100@pbx.example.org")
        #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "trunk", target: "sip:bob@192.0.2.99", calls: calls) }
        #expect(throws: SIPCallFailure.self) { try SIPEndpoint.plan(route: "trunk", target: "sip:bob@192.0.2.9:5070", calls: calls) }
        #expect(try SIPEndpoint.plan(route: "trunk", target: "sips:ann@pbx.example.org", calls: calls).destinationHost == "pbx.example.org")
        #expect(URIPattern("http://x") == nil && URIPattern("sip:*") != nil)
        #expect(URIPattern("sip:*@*.example.org")?.matches("sip:a@example.org") == false)
        #expect(URIPattern("sip:1*9@h")?.matches("sip:19@h") == true)
        #expect(URIPattern("sip:1*9@h")?.matches("sip:1@h") == false)
    }

    @Test func infoDTMFBodies() throws {
        func info(_ type: String, _ body: String) throws -> SIPMessage {
            var message = SIPMessage.request(.info, uri: SIPURI(host: "x"))
            message.append(.contentType, type)
            message.body = Array(body.utf8)
            return message
        }
        func parsed(_ type: String, _ body: String) throws -> String? {
            SIPInfoDTMF.parse(try info(type, body)).map { "\($0.digit) \($0.durationMilliseconds)" }
        }
        #expect(try parsed("application/dtmf-relay", "Signal=5\r\nDuration=160\r\n") == "5 160")
        #expect(try parsed("application/dtmf-relay", "Signal= #\nDuration= 250") == "# 250")
        #expect(try parsed("application/dtmf-relay", "Signal=11\r\n") == "# 160")
        #expect(try parsed("application/dtmf", "*") == "* 160")
        #expect(try parsed("application/dtmf-relay", "Signal=X\r\n") == nil)
        #expect(try parsed("text/plain", "5") == nil)
        #expect(SIPInfoDTMF.body(digit: "9", durationMilliseconds: 100) == Array("Signal=9\r\nDuration=100\r\n".utf8))
    }
}
