import BridgeCore
import BridgeDTLS
import Crypto
import NIOSSL

/// The SIP edge's TLS contexts (RFC 3261 section 26.2): the listener's, with the configured certificate or a
/// self-signed one made at start, and the client contexts for connections out (to a `sips:` or
/// `;transport=tls` registrar or call target), one per `TLSVerification` kind.
struct SIPTLSContexts: Sendable {
    /// nil without `sip.tls`.
    let server: NIOSSLContext?
    /// `AB:CD:…`: the SHA-256 of the listener's certificate (DER), for peers that pin it.
    let serverFingerprint: String?
    private let client: TLSClientContexts

    /// Self-signed certificates live this long; a new one is made at every start.
    static let selfSignedValidity = Duration.seconds(365 * 86_400)

    static func make(config: SIPConfig.TLS?, commonName: String) throws(GatewayStartError) -> SIPTLSContexts {
        var server: NIOSSLContext?
        var fingerprint: String?
        if let config {
            let (chain, key) = try serverIdentity(config, commonName: commonName)
            do {
                let configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                              privateKey: .privateKey(key))
                server = try NIOSSLContext(configuration: configuration)
            } catch {
                throw GatewayStartError(message: "sip.tls: the certificate and key do not make a TLS server: \(error)")
            }
            fingerprint = (try? chain.first?.toDERBytes()).map { Hex.encode(SHA256.hash(data: $0), uppercase: true, separator: ":") }
        }
        do {
            return SIPTLSContexts(server: server, serverFingerprint: fingerprint, client: try TLSClientContexts.shared.get())
        } catch {
            throw GatewayStartError(message: "SIP: cannot set up TLS client contexts: \(error)")
        }
    }

    /// The PEM files of `sip.tls`, or a fresh ECDSA P-256 certificate for `commonName`.
    private static func serverIdentity(_ config: SIPConfig.TLS, commonName: String)
        throws(GatewayStartError) -> ([NIOSSLCertificate], NIOSSLPrivateKey)
    {
        if let files = config.certificate {
            let chain: [NIOSSLCertificate]
            do {
                chain = try NIOSSLCertificate.fromPEMFile(files.certificatePath)
            } catch {
                throw GatewayStartError(message: "sip.tls.cert: \(files.certificatePath) holds no PEM certificate (\(error))")
            }
            guard !chain.isEmpty else {
                throw GatewayStartError(message: "sip.tls.cert: \(files.certificatePath) holds no PEM certificate")
            }
            do {
                return (chain, try NIOSSLPrivateKey(file: files.privateKeyPath, format: .pem))
            } catch {
                throw GatewayStartError(message: "sip.tls.key: \(files.privateKeyPath) holds no PEM private key (\(error))")
            }
        }
        do {
            let pem = try DTLSCertificate.generate(commonName: commonName, validity: selfSignedValidity).pemEncoded()
            return ([try NIOSSLCertificate(bytes: Array(pem.certificate.utf8), format: .pem)],
                    try NIOSSLPrivateKey(bytes: Array(pem.privateKey.utf8), format: .pem))
        } catch {
            throw GatewayStartError(message: "sip.tls: cannot make a self-signed certificate: \(error)")
        }
    }

    /// The handler for a connection out to `host` (a name is also the SNI and the name checked).
    func clientHandler(host: String, verification: TLSVerification) throws -> NIOSSLClientHandler {
        try client.handler(host: host, verification: verification)
    }
}
