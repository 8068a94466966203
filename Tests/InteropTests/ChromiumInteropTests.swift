import Foundation
import InteropSupport
import Testing

/// Headless Chromium (Debian's `chromium` + `chromium-driver`, selenium from the Makefile's venv) sends its
/// fake microphone to the gateway's echo endpoint and reads `getStats()`: DTLS 1.2, the SRTP cipher, and
/// audio packets both ways.
@Suite(.serialized, .ownThread) struct ChromiumInteropTests {
    struct Stats: Decodable {
        var error: String?
        var connection: String?
        var dtlsState: String?
        var tlsVersion: String?
        var srtpCipher: String?
        var inbound: Int?
        var outbound: Int?
        var `protocol`: String?
    }

    @Test(arguments: [("gcm", "SRTP_AEAD_AES_128_GCM"), ("sha1", "SRTP_AES128_CM_HMAC_SHA1_80")])
    func chromiumConnectsWithDTLS12AndTheGatewaysCipher(profile: String, cipher: String) async throws {
        let gateway = try PeerProcess.Gateway()
        defer { gateway.stop() }
        let output = try PeerProcess.runPython(
            "Tests/Interop/chromium_echo.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", profile, "8"], timeout: .seconds(60))
        let stats = try JSONDecoder().decode(Stats.self, from: Data(output.utf8))
        #expect(stats.error == nil)
        #expect(stats.connection == "connected")
        #expect(stats.dtlsState == "connected")
        #expect(stats.tlsVersion == "FEFD", "DTLS 1.2 is 0xFEFD")
        #expect(stats.srtpCipher == cipher)
        #expect((stats.outbound ?? 0) > 20, "Chromium sent \(stats.outbound ?? 0) packets")
        #expect((stats.inbound ?? 0) > 20, "Chromium received and decrypted \(stats.inbound ?? 0) echoed packets")
    }

    /// ICE-TCP (RFC 6544): the answer carries only the passive TCP candidate, so Chromium must connect to
    /// the gateway's TCP port, with RFC 4571 framing, and SRTP flows over it both ways.
    @Test func chromiumConnectsOverICETCPWhenOnlyTCPIsOffered() async throws {
        let tcpPort = try PeerProcess.freeTCPPort()
        let gateway = try PeerProcess.Gateway(webrtcTCPPort: tcpPort)
        defer { gateway.stop() }
        let output = try PeerProcess.runPython(
            "Tests/Interop/chromium_echo.py", arguments: ["http://127.0.0.1:\(gateway.httpPort)", "gcm", "8", "tcp"], timeout: .seconds(60))
        let stats = try JSONDecoder().decode(Stats.self, from: Data(output.utf8))
        #expect(stats.error == nil)
        #expect(stats.connection == "connected")
        #expect(stats.protocol == "tcp", "selected pair protocol: \(stats.protocol ?? "none")")
        #expect((stats.inbound ?? 0) > 20, "Chromium received \(stats.inbound ?? 0) echoed packets over TCP")
    }
}
