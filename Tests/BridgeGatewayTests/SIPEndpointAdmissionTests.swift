import InteropSupport
import BridgeCore
@testable import BridgeGateway
import BridgeSDP
import BridgeSIP
import Logging
import Testing

/// Who may ring a route (issue #13): trunk callers outside `trunk.allow` authenticate, and an address that
/// failed ten times is turned away; an account's calls come only from a registrar that took its
/// registration. A `SIPUserAgent` plays the phone (and the registrar) on loopback UDP.
@Suite(.serialized, .ownThread) struct SIPEndpointAdmissionTests {
    typealias Phone = SIPEndpointTests.Phone
    typealias TestHandler = SIPEndpointTests.TestHandler

    static let sdp = Array(SIPEndpointTests.sdpText.utf8)

    func endpoint(_ yaml: String, handler: TestHandler) async throws -> SIPEndpoint {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try await SIPEndpoint.start(config: try ConfigLoader().parse(yaml: yaml), handlers: ["desk": handler], logger: logger)
    }

    /// The status line of a response, else nil.
    static func statusLine(_ bytes: [UInt8]) -> String? {
        let line = String(decoding: bytes.prefix(80), as: UTF8.self).split(separator: "\r\n").first.map(String.init)
        return line?.hasPrefix("SIP/2.0 ") == true ? line : nil
    }

    @Test func trunkCallerIsTurnedAwayAfterTenWrongPasswords() async throws {
        let handler = TestHandler(answerWith: try SessionDescription(parsing: SIPEndpointTests.sdpText))
        let sip = try await endpoint("""
            sip: {enabled: true, listen: '127.0.0.1:0'}
            calls:
              - name: desk
                trunk: {allow: [192.0.2.1], username: pbx, password: right}
            """, handler: handler)
        defer { Task { await sip.close() } }
        let phone = try Phone()
        let gateway = TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sip.port))
        var statuses: [String] = []
        func call(password: String) throws -> String {
            phone.seen.removeAll()
            statuses.removeAll()
            let reference = try phone.agent.startCall(to: SIPURI(user: "desk", host: "127.0.0.1", port: UInt16(sip.port)), destination: gateway,
                                                      sdp: Self.sdp, credentials: SIPCredentials(username: "pbx", password: Redacted(password)),
                                                      now: phone.now())
            try phone.pump(until: { phone.seen.contains { $0 == "established" || $0.hasPrefix("ended") } },
                           intercept: { bytes, _ in
                               if let line = Self.statusLine(bytes) { statuses.append(line) }
                               return false
                           })
            if phone.seen.contains("established") {
                try phone.agent.hangUp(reference, now: phone.now())
                try phone.pump(until: { phone.seen.last?.hasPrefix("ended") == true })
                return "established"
            }
            return phone.seen.last ?? "-"
        }
        #expect(try call(password: "right") == "established")
        #expect(statuses.contains("SIP/2.0 401 Unauthorized"))
        for attempt in 1...10 {
            #expect(try call(password: "wrong") == "ended: rejected with 403", "attempt \(attempt)")
            #expect(statuses.contains("SIP/2.0 401 Unauthorized"), "attempt \(attempt) was challenged")
        }
        #expect(try call(password: "right") == "ended: rejected with 403")
        #expect(statuses.contains("SIP/2.0 403 Too many failed attempts") && !statuses.contains("SIP/2.0 401 Unauthorized"))
        #expect(handler.log.filter { $0.hasPrefix("incoming") }.count == 1)
    }

    enum Registrar: String, CustomTestStringConvertible {
        /// The registrar's name has no address.
        case unresolvable
        /// The registrar answers REGISTER with 405 (the phone's agent).
        case refusing
        /// The registrar takes the registration.
        case accepting

        var testDescription: String { rawValue }
    }

    /// An INVITE for the account's user from the registrar's address rings only once the registrar took the
    /// registration; without a registrar address nobody's INVITE does.
    @Test(arguments: [Registrar.unresolvable, .refusing, .accepting])
    func accountCallsNeedARegistration(_ registrar: Registrar) async throws {
        let phone = try Phone()
        let host = registrar == .unresolvable ? "registrar.invalid" : "127.0.0.1:\(phone.socket.port)"
        let handler = TestHandler(answerWith: nil)
        let sip = try await endpoint("""
            sip: {enabled: true, listen: '127.0.0.1:0'}
            calls:
              - name: desk
                ring_timeout: 1s
                account: {registrar: '\(host)', username: alice, password: secret}
            """, handler: handler)
        defer { Task { await sip.close() } }
        let serveRegistrar: ([UInt8], TransportAddress) -> Bool = { bytes, source in
            guard registrar == .accepting, let request = try? SIPMessage(parsing: bytes, framing: .datagram),
                  request.method == .register else { return false }
            var ok = SIPResponseBuilder.response(to: request, status: 200, toTag: "reg")
            ok.append(.contact, request[.contact] ?? "")
            ok.append(.expires, "600")
            if let reply = try? ok.serialized() { phone.socket.send(reply, to: source) }
            return true
        }
        let expected: SIPRegistrationStatus.State = registrar == .accepting ? .registered : .failed
        try phone.pump(until: { sip.registrations().first?.state == expected }, intercept: serveRegistrar)
        #expect(sip.registrations().first?.state == expected)
        _ = try phone.agent.startCall(to: SIPURI(user: "alice", host: "127.0.0.1", port: UInt16(sip.port)),
                                      destination: TransportAddress(ipv4: 127, 0, 0, 1, port: UInt16(sip.port)), sdp: Self.sdp,
                                      now: phone.now())
        try phone.pump(until: { !handler.log.isEmpty || phone.seen.last?.hasPrefix("ended") == true }, intercept: serveRegistrar)
        if registrar == .accepting {
            #expect(handler.log.first == "incoming from phone, offer present")
        } else {
            #expect(phone.seen == ["ended: rejected with 403"])
            #expect(handler.log.isEmpty)
        }
    }
}
