@testable import BridgeGateway
import Testing

/// `sip.tls` and the call routes' `tls_verify` / `tls_fingerprint`: read, defaulted, and every problem
/// reported with its key and line.
@Suite struct SIPTLSConfigTests {
    func load(_ yaml: String, files: Set<String> = ["/c.pem", "/k.pem"]) throws(ConfigError) -> GatewayConfig {
        try ConfigLoader(environment: [:], isReadableFile: { files.contains($0) }).parse(yaml: yaml)
    }

    func problems(_ yaml: String) -> [String] {
        do {
            _ = try load(yaml)
            return []
        } catch {
            guard case .invalid(_, let problems) = error else { return ["unexpected: \(error)"] }
            return problems.map(\.description)
        }
    }

    static let pin = (0..<32).map { String(format: "%02X", $0) }.joined(separator: ":")

    @Test func tlsKeysAreRead() throws {
        let config = try load("""
            sip:
              enabled: true
              listen: 0.0.0.0:5070
              tls: {listen: '0.0.0.0:5071', cert: /c.pem, key: /k.pem}
            calls:
              - {name: a, trunk: {}, tls_fingerprint: '\(Self.pin)'}
              - {name: b, trunk: {}, tls_verify: false}
              - {name: c, trunk: {}}
            """)
        let tls = try #require(config.sip.tls)
        #expect(tls.listen == ListenAddress(host: "0.0.0.0", port: 5071))
        #expect(tls.certificate?.certificatePath == "/c.pem" && tls.certificate?.privateKeyPath == "/k.pem")
        #expect(config.calls.map(\.tlsVerification) == [.pinned(Array(0..<32)), .none, .full])
        #expect(ConfigSummary.describe(config).contains("SIP on UDP/TCP 0.0.0.0:5070, TLS 0.0.0.0:5071, RTP"))
    }

    @Test func emptyTLSSectionListensOn5061WithASelfSignedCertificate() throws {
        let config = try load("sip: {enabled: true, listen: '192.0.2.4:5060', tls: {}}")
        #expect(config.sip.tls?.listen == ListenAddress(host: "192.0.2.4", port: 5061))
        #expect(config.sip.tls?.certificate == nil)
        #expect(ConfigSummary.describe(config).contains("TLS 192.0.2.4:5061 (self-signed)"))
        #expect(try load("sip: {enabled: true}").sip.tls == nil)
    }

    @Test func problemsNameTheKeyAndLine() {
        #expect(problems("sip:\n  enabled: true\n  tls: {cert: /missing.pem, key: /k.pem}\n") == [
            "sip.tls.cert: cannot read file \"/missing.pem\" (line 3)",
        ])
        #expect(problems("sip:\n  enabled: true\n  tls: {cert: /c.pem}\n") == [
            "sip.tls.key: missing; give the path of a PEM file (line 3)",
        ])
        #expect(problems("sip:\n  enabled: true\n  tls: {listen: 'tls://0.0.0.0'}\n") == [
            "sip.tls.listen: give host:port, such as 0.0.0.0:5061; SIP over TLS listens on sip.tls.listen (sip.listen is UDP and TCP) (line 3)",
        ])
        #expect(problems("sip:\n  enabled: true\n  listen: 127.0.0.1:5070\n  tls: {listen: '127.0.0.1:5070'}\n") == [
            "sip.tls.listen: port 5070 is also sip.listen's TCP port; SIP over TLS needs its own (line 4)",
        ])
        #expect(problems("sip:\n  enabled: true\n  tls: {certificate: /c.pem}\n").first?.hasPrefix("sip.tls.certificate: unknown key") == true)
        #expect(problems("sip: {enabled: true}\ncalls:\n  - {name: a, trunk: {}, tls_fingerprint: 'AB:CD'}\n") == [
            "calls[0].tls_fingerprint: expected a SHA-256 fingerprint: 32 hex bytes, colons optional (openssl x509 -fingerprint -sha256) (line 3)",
        ])
        #expect(problems("sip: {enabled: true}\ncalls:\n  - {name: a, trunk: {}, tls_verify: false, tls_fingerprint: '\(Self.pin)'}\n") == [
            "calls[0].tls_verify: tls_verify: false accepts any certificate; drop it to check the pinned one (line 3)",
        ])
    }
}
