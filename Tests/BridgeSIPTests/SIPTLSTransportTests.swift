@testable import BridgeSIP
import BridgeCore
import Testing

/// SIP over TLS in the sans-IO core: which transport and port a URI asks for, our Via and Contact on TLS
/// (RFC 3261 sections 8.1.1.8, 18.1.1, 26.2), and responses and in-dialog requests on the caller's
/// connection (section 18.2.2).
@Suite struct SIPTLSTransportTests {
    /// A TLS caller's connection: its ephemeral source port, not the port in its Contact.
    static let caller = TransportAddress(ipv4: 127, 0, 0, 1, port: 40_123)

    static func agent() -> SIPUserAgent {
        SIPUserAgent(configuration: SIPUserAgent.Configuration(
            contact: SIPURI(user: "gw", host: "127.0.0.1", port: 5090),
            via: SIPVia(transport: "UDP", host: "127.0.0.1", port: 5090), userAgent: "mediabridge", tlsPort: 5091), seed: 3)
    }

    @Test func transportAndDefaultPortOfAURI() throws {
        let cases: [(String, SIPTransport, UInt16)] = [
            ("sip:pbx.example.org", .udp, 5060), ("sips:pbx.example.org", .tls, 5061),
            ("sip:pbx.example.org;transport=TLS", .tls, 5061), ("sip:192.0.2.1:5080;transport=tcp", .tcp, 5080),
            ("sips:192.0.2.1:5071", .tls, 5071), ("sip:192.0.2.1;transport=udp", .udp, 5060),
        ]
        for (text, transport, port) in cases {
            let uri = try SIPURI(parsing: text)
            #expect(uri.requestTransport == transport && uri.portOrDefault == port, "\(text)")
        }
    }

    @Test func ourContactAndViaPerTransport() {
        let contact = SIPURI(user: "gw", host: "192.0.2.5", port: 5060)
        #expect(contact.onTransport(.udp, tlsPort: 5061).description == "sip:gw@192.0.2.5:5060")
        #expect(contact.onTransport(.tcp, tlsPort: 5061).description == "sip:gw@192.0.2.5:5060;transport=tcp")
        #expect(contact.onTransport(.tls, tlsPort: 5061).description == "sip:gw@192.0.2.5:5061;transport=tls")
        #expect(contact.onTransport(.tls, tlsPort: 5061, secure: true).description == "sips:gw@192.0.2.5:5061")
        let via = SIPVia(transport: "UDP", host: "192.0.2.5", port: 5060)
        #expect(via.onTransport(.tls, tlsPort: 5061).description == "SIP/2.0/TLS 192.0.2.5:5061")
        #expect(via.onTransport(.tcp, tlsPort: 5061).description == "SIP/2.0/TCP 192.0.2.5:5060")
    }

    @Test func inboundCallOverTLSIsAnsweredAndEndedOnTheCallersConnection() throws {
        var agent = Self.agent()
        var invite = try SIPMessage(parsing: SIPFixtures.bytes("baresip-invite.sip"))
        invite.headers = invite.headers.map { field in
            field.name == .via ? SIPHeaderField(name: .via, value: "SIP/2.0/TLS 127.0.0.1:5070;branch=z9hG4bK20bdb3f2e52b8b5b") : field
        }
        agent.handle(invite, from: Self.caller, transport: .tls, now: .zero)
        let trying = SIPUserAgentTests.drain(&agent)
        #expect(trying.sent.map(\.transport) == [.tls] && trying.sent.first?.destination == Self.caller,
                "the 100 goes back on the connection, not to the Via's sent-by")
        guard case .incomingCall(let reference, _, _)? = trying.events.first else {
            Issue.record("no incoming call: \(trying.events)")
            return
        }
        try agent.answer(reference, sdp: SIPUserAgentOutboundTests.offer, now: .seconds(1))
        let ok = try #require(SIPUserAgentTests.drain(&agent).sent.first)
        #expect(ok.transport == .tls && ok.destination == Self.caller)
        #expect(ok.message[.contact] == "<sip:gw@127.0.0.1:5091;transport=tls>")
        agent.handle(SIPUserAgentTests.fromPhone(.ack, cseq: 56643, id: reference, branch: "z9hG4bKack"), from: Self.caller,
                     transport: .tls, now: .seconds(2))
        #expect(SIPUserAgentTests.drain(&agent).events == [.callEstablished(reference)])
        try agent.hangUp(reference, now: .seconds(3))
        let bye = try #require(SIPUserAgentTests.drain(&agent).sent.first)
        #expect(bye.message.method == .bye && bye.transport == .tls)
        #expect(bye.destination == Self.caller, "the caller's connection, not its Contact port 5070")
        #expect(try bye.message.topVia()?.description.hasPrefix("SIP/2.0/TLS 127.0.0.1:5091;branch=z9hG4bK") == true)
    }

    @Test func outboundCallToASIPSTargetSaysTLSAndSIPS() throws {
        var agent = Self.agent()
        let target = try SIPURI(parsing: "sips:bob@192.0.2.10")
        let destination = TransportAddress(ipv4: 192, 0, 2, 10, port: target.portOrDefault)
        _ = try agent.startCall(to: target, destination: destination, transport: .tls, sdp: SIPUserAgentOutboundTests.offer, now: .zero)
        let invite = try #require(SIPUserAgentTests.drain(&agent).sent.first)
        #expect(invite.transport == .tls && invite.destination.port == 5061)
        #expect(invite.message[.contact] == "<sips:gw@127.0.0.1:5091>")
        let via = try #require(try invite.message.topVia())
        #expect(via.transport == "TLS" && via.port == 5091 && via.rport == nil)
        // What a driver that cannot connect reports: the transaction of that very request.
        let transaction = try #require(SIPTransactionID(clientRequest: invite.message))
        agent.handleTransportError(for: transaction, now: .seconds(1))
        #expect(SIPUserAgentTests.drain(&agent).events.contains { if case .callEnded = $0 { true } else { false } })
    }
}
