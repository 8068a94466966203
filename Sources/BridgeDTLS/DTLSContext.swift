import BridgeSRTP
import CBridgeOpenSSL
import CBridgeShim

/// The shared OpenSSL context every DTLS session of the gateway is made from: DTLS 1.2 only, the gateway's
/// certificate, `use_srtp` with GCM first, peers asked for a certificate (checked against the SDP fingerprint
/// after the handshake, not against a CA).
public final class DTLSContext: @unchecked Sendable {
    let context: OpaquePointer
    public let certificate: DTLSCertificate
    public let profiles: [SRTPProfile]

    public init(certificate: DTLSCertificate, profiles: [SRTPProfile] = [.aeadAES128GCM, .aes128CMHMACSHA1_80]) throws(DTLSError) {
        guard let context = SSL_CTX_new(DTLS_method()) else { throw .openSSL("SSL_CTX_new failed") }
        self.context = context
        self.certificate = certificate
        self.profiles = profiles
        SSL_CTX_set_options(context, mb_ssl_op_dtls_defaults())
        let configured = mb_ssl_ctx_set_min_proto_version(context, mb_dtls1_2_version()) == 1
            && SSL_CTX_use_certificate(context, certificate.certificate) == 1
            && SSL_CTX_use_PrivateKey(context, certificate.key) == 1
            && SSL_CTX_check_private_key(context) == 1
            && mb_ssl_ctx_set1_groups_list(context, "P-256:X25519:P-384") == 1
            // Returns 0 on success (INTEROP-NOTES.md).
            && SSL_CTX_set_tlsext_use_srtp(context, profiles.map(\.openSSLName).joined(separator: ":")) == 0
            && SSL_CTX_set_cipher_list(context, "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA") == 1
        guard configured else {
            SSL_CTX_free(context)
            throw .openSSL("cannot configure the DTLS context")
        }
        // A session's read and write buffers (some 34 KiB) are freed while idle: after the handshake a media
        // session only ever reads an alert.
        _ = mb_ssl_ctx_set_mode(context, Int(SSL_MODE_RELEASE_BUFFERS))
        // Ask for the peer's certificate and accept any: its fingerprint is compared with the SDP's after the handshake.
        SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT) { _, _ in 1 }
    }

    deinit {
        SSL_CTX_free(context)
    }
}
