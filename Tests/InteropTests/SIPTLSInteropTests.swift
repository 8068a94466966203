import Foundation
import InteropSupport
import Testing

/// SIP over TLS (issue #7) with a real phone: Debian's baresip 1.0 (libre with OpenSSL; it does not check
/// server certificates, so the gateway's self-signed one is taken) dials the gateway's TLS port with
/// `;transport=tls`. Without a call page the route's fallback (486) comes back on the same connection; with
/// headless Chromium on the call page the call is answered and audio flows. baresip cannot act as a
/// registrar, so REGISTER over TLS is tested against an in-process NIOSSL registrar (`SIPEndpointTLSTests`).
@Suite(.serialized, .ownThread) struct SIPTLSInteropTests {
    static func gateway() throws -> (PeerProcess.Gateway, Int) {
        let gateway = try PeerProcess.Gateway(extraYAML: """
            sip: {enabled: true, listen: "127.0.0.1:0", rtp_ports: "20100-20199", tls: {listen: "127.0.0.1:0"}}
            calls: [{name: door, trunk: {user: door}}]
            """)
        guard let port = gateway.sipTLSPort else {
            gateway.stop()
            throw PeerProcess.MissingTool(description: "the gateway printed no SIP TLS port")
        }
        return (gateway, port)
    }

    @Test func aPhoneCallingOverTLSGetsTheRoutesFallback() throws {
        let (gateway, tlsPort) = try Self.gateway()
        defer { gateway.stop() }
        let phone = try BaresipPhone.launch(account: { _ in "<sip:alice@127.0.0.1>;regint=0" },
                                            commands: ["/dial sip:door@127.0.0.1:\(tlsPort);transport=tls"], seconds: 15)
        defer { phone.stop() }
        #expect(phone.wait(for: "session closed: 486 Busy Here", timeout: .seconds(15)), "baresip: \(phone.log.suffix(1500))")
    }

    @Test func aPhoneCallingOverTLSIsAnsweredByTheCallPageWithAudioBothWays() throws {
        let (gateway, tlsPort) = try Self.gateway()
        defer { gateway.stop() }
        let (result, phone) = try SIPCallTests.phoneCallsThePage(httpPort: gateway.httpPort, account: "<sip:alice@127.0.0.1>;regint=0",
                                                                 dial: "sip:door@127.0.0.1:\(tlsPort);transport=tls",
                                                                 waitSeconds: 20, phoneSeconds: 20)
        defer { phone.stop() }
        #expect(result.state == "in call", "page states: \(result.states), final \(result.state)")
        #expect((result.stats?.audioLevel ?? 0) > 0.01, "the phone's tone reached the browser")
        phone.stop()
        #expect(phone.receivedLevel() > 300, "the browser's microphone reached the phone")
        #expect(result.errors.isEmpty, "\(result.errors)")
    }
}
