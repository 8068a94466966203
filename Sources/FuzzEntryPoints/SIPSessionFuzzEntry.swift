import BridgeCore
import BridgeGateway
import BridgeSIP

/// What a phone says over a call, not one datagram at a time: the input is split at lines that are exactly
/// `%%` into SIP messages, fed in order to a transaction layer and to a user agent (which rings and answers
/// every call offered) on a manual clock that moves 600 ms per message and then runs out every timer. Each
/// message is also read as a SIP INFO DTMF body, its Authorization headers as Digest credentials for a
/// server, and answered through the server's own challenge by our Digest client.
///
/// A DTMF duration outside 1…10 000 ms, a Digest answer to the server's own challenge that it refuses, or a
/// clock that keeps firing timers is a finding.
public enum SIPSessionFuzzEntry {
    static let maximumMessages = 16
    static let phone = TransportAddress(ipv4: 192, 0, 2, 10, port: 5060)
    static let answer = Array("v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\nm=audio 20000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n".utf8)

    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        let messages = split(bytes)
        var layer = SIPTransactionLayer()
        var agent = SIPUserAgent(configuration: .init(contact: SIPURI(user: "gw", host: "192.0.2.1", port: 5060),
                                                      via: SIPVia(transport: "UDP", host: "192.0.2.1", port: 5060)),
                                 seed: 7)
        var server = SIPDigestServer(realm: "mediabridge", secret: Array(repeating: 7, count: 32))
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        for message in messages {
            layer.handle(bytes: message, from: phone, now: now)
            agent.handle(bytes: message, from: phone, now: now)
            drain(&layer)
            drain(&agent, now: now)
            if let parsed = try? SIPMessage(parsing: message) {
                inspect(parsed, server: &server, now: now, &findings)
            }
            now = now + .milliseconds(600)
            layer.handleTimeout(now: now)
            agent.handleTimeout(now: now)
            drain(&layer)
            drain(&agent, now: now)
        }
        runOutTimers(&layer, &agent, now: now, &findings)
        return findings
    }

    /// The messages between `%%` lines (the line break before a `%%` line belongs to it).
    static func split(_ bytes: [UInt8]) -> [[UInt8]] {
        var messages: [[UInt8]] = []
        var current: [UInt8] = []
        var lineStart = 0
        var index = 0
        while index <= bytes.count, messages.count < maximumMessages {
            if index == bytes.count || bytes[index] == UInt8(ascii: "\n") {
                var line = bytes[lineStart..<index]
                if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
                if line.elementsEqual("%%".utf8) {
                    messages.append(current)
                    current = []
                } else {
                    current.append(contentsOf: bytes[lineStart..<min(index + 1, bytes.count)])
                }
                lineStart = index + 1
            }
            index += 1
        }
        if !current.isEmpty, messages.count < maximumMessages { messages.append(current) }
        return messages
    }

    static func drain(_ layer: inout SIPTransactionLayer) {
        var count = 0
        while count < 256, layer.pollOutput() != nil { count += 1 }
    }

    static func drain(_ agent: inout SIPUserAgent, now: MonotonicInstant) {
        var count = 0
        while count < 256, let event = agent.pollOutput() {
            count += 1
            if case .incomingCall(let call, _, _) = event {
                try? agent.ring(call, now: now)
                try? agent.answer(call, sdp: answer, now: now)
            }
        }
    }

    static func inspect(_ message: SIPMessage, server: inout SIPDigestServer, now: MonotonicInstant,
                        _ findings: inout FuzzFindings) {
        if let dtmf = SIPInfoDTMF.parse(message) {
            findings.check((1...10_000).contains(dtmf.durationMilliseconds), "DTMF duration \(dtmf.durationMilliseconds) ms")
        }
        for name in [SIPHeaderName.authorization, .proxyAuthorization, .wwwAuthenticate, .proxyAuthenticate] {
            for header in (try? message.authenticationHeaders(name)) ?? [] {
                _ = try? SIPDigestChallenge(header: header, isProxy: name == .proxyAuthenticate)
            }
        }
        _ = try? SIPDigestChallenge.challenges(in: message)
        guard message.isRequest, let method = message.method, let uri = message.requestURIText else { return }
        _ = server.verify(message, now: now) { _ in Redacted("secret") }
        _ = server.verify(message, now: now, isProxy: true) { _ in Redacted("secret") }

        // Our client answering our server's challenge for this request must get in.
        let username = ((try? message.from())??.uri.user).flatMap { $0.utf8.count <= 64 ? $0 : nil } ?? "alice"
        var client = SIPDigestClient(credentials: SIPCredentials(username: username, password: Redacted("secret")))
        for field in server.challenges(now: now) {
            guard let header = try? SIPAuthenticationHeader(parsing: field.value, element: "WWW-Authenticate"),
                  let challenge = try? SIPDigestChallenge(header: header, isProxy: false) else {
                findings.fail("the server's own challenge does not parse: \(field.value)")
                continue
            }
            var retry = message
            retry.remove(.authorization)
            retry.remove(.proxyAuthorization)
            retry.headers.append(client.authorization(answering: challenge, method: method, uri: uri,
                                                      body: message.body, cnonce: "0a4f113b"))
            let verdict = server.verify(retry, now: now) { $0 == username ? Redacted("secret") : nil }
            findings.check(verdict == .authorized(username: username),
                           "\(challenge.algorithm) answer for \(username) to the server's own challenge: \(verdict)")
        }
    }

    /// Runs the clock five minutes on, timer by timer. A timer still due after its timeout was handled would
    /// spin the driver's loop.
    static func runOutTimers(_ layer: inout SIPTransactionLayer, _ agent: inout SIPUserAgent, now start: MonotonicInstant,
                             _ findings: inout FuzzFindings) {
        let end = start + .seconds(300)
        var rounds = 0
        while rounds < 512, let next = [layer.nextTimeout(), agent.nextTimeout()].compactMap({ $0 }).min(), next <= end {
            rounds += 1
            let now = max(start, next)
            layer.handleTimeout(now: now)
            agent.handleTimeout(now: now)
            drain(&layer)
            drain(&agent, now: now)
            if let again = [layer.nextTimeout(), agent.nextTimeout()].compactMap({ $0 }).min(), again <= now {
                findings.fail("a timer at \(again) is still due after the timeout at \(now) was handled")
                return
            }
        }
    }
}
