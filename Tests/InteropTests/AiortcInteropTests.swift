import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import InteropSupport
import Testing

/// aiortc 1.16 (PyPI, pinned in the Makefile's venv) connects to the gateway's echo endpoint over real
/// sockets on 127.0.0.1: ICE, DTLS 1.2 and SRTP both ways, for both SRTP profiles.
@Suite(.serialized, .ownThread) struct AiortcInteropTests {
    struct PeerResult: Decodable {
        var connection: String
        var sent: Int
        var received: Int
        var frames: Int
    }

    struct GatewayStats: Decodable {
        var sessions: Int
        var connected: Int
        var received: Int
        var echoed: Int
        var profile: String?
    }

    func get(_ url: URL) async throws -> Data {
        let (data, _) = try await URLSession.shared.data(from: url)
        return data
    }

    @Test(arguments: [("gcm", "SRTP_AEAD_AES_128_GCM"), ("sha1", "SRTP_AES128_CM_SHA1_80")])
    func aiortcExchangesSRTPBothWays(profile: String, expectedProfile: String) async throws {
        let gateway = try PeerProcess.Gateway()
        defer { gateway.stop() }
        let base = "http://127.0.0.1:\(gateway.httpPort)"
        let output = try PeerProcess.runPython(
            "Tests/Interop/aiortc_echo.py", arguments: ["\(base)/api/v1/test/echo?profile=\(profile)", "8"], timeout: .seconds(30))
        let peer = try JSONDecoder().decode(PeerResult.self, from: Data(output.utf8))
        let stats = try JSONDecoder().decode(GatewayStats.self, from: try await get(try #require(URL(string: "\(base)/api/v1/test/echo/stats"))))
        #expect(peer.connection == "connected")
        #expect(peer.sent > 20, "aiortc sent \(peer.sent) packets")
        #expect(peer.received > 20, "aiortc received and decrypted \(peer.received) packets")
        #expect(peer.frames > 20, "aiortc decoded \(peer.frames) frames")
        #expect(stats.connected == 1)
        #expect(stats.received > 20, "the gateway decrypted \(stats.received) packets")
        #expect(stats.echoed == stats.received)
        #expect(stats.profile == expectedProfile)
    }
}
