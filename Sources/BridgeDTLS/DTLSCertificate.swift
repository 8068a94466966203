import BridgeCore
import CBridgeOpenSSL
import CBridgeShim

/// The gateway's DTLS identity: an ECDSA P-256 key and a self-signed certificate made at start (RFC 8827
/// section 6.5), and its SHA-256 fingerprint for `a=fingerprint`.
///
/// Immutable after creation; OpenSSL reference-counts the key and certificate, so sessions on any loop
/// may share one.
public final class DTLSCertificate: @unchecked Sendable {
    let key: OpaquePointer
    let certificate: OpaquePointer
    /// `AB:CD:…` (32 bytes, upper-case hex), as SDP writes it.
    public let sha256Fingerprint: String

    public static func generate(commonName: String = "mediabridge", validity: Duration = .seconds(30 * 86_400))
        throws(DTLSError) -> DTLSCertificate
    {
        guard let key = mb_evp_ec_gen("P-256") else { throw .openSSL("cannot generate a P-256 key") }
        guard let x509 = X509_new() else {
            EVP_PKEY_free(key)
            throw .openSSL("X509_new failed")
        }
        var serial = SystemRandomNumberGenerator()
        let ok = X509_set_version(x509, 2) == 1
            && ASN1_INTEGER_set(X509_get_serialNumber(x509), Int(serial.next() & 0x7FFF_FFFF)) == 1
            && X509_gmtime_adj(X509_getm_notBefore(x509), -86_400) != nil
            && X509_gmtime_adj(X509_getm_notAfter(x509), Int(validity.components.seconds)) != nil
            && X509_set_pubkey(x509, key) == 1
            && X509_NAME_add_entry_by_txt(X509_get_subject_name(x509), "CN", MBSTRING_ASC, commonName, -1, -1, 0) == 1
            && X509_set_issuer_name(x509, X509_get_subject_name(x509)) == 1
            && X509_sign(x509, key, EVP_sha256()) > 0
        guard ok else {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw .openSSL("cannot build the self-signed certificate")
        }
        return DTLSCertificate(key: key, certificate: x509, fingerprint: try Self.fingerprint(of: x509, digest: "sha-256"))
    }

    init(key: OpaquePointer, certificate: OpaquePointer, fingerprint: String) {
        self.key = key
        self.certificate = certificate
        sha256Fingerprint = fingerprint
    }

    deinit {
        X509_free(certificate)
        EVP_PKEY_free(key)
    }

    /// A certificate's fingerprint with a hash function SDP names (`sha-1`, `sha-256`, `sha-384`, `sha-512`).
    static func fingerprint(of x509: OpaquePointer, digest name: String) throws(DTLSError) -> String {
        let digest: OpaquePointer?
        switch name.lowercased() {
        case "sha-1": digest = EVP_sha1()
        case "sha-256": digest = EVP_sha256()
        case "sha-384": digest = EVP_sha384()
        case "sha-512": digest = EVP_sha512()
        default: throw DTLSError("unsupported fingerprint hash \(name)")
        }
        var bytes = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        guard X509_digest(x509, digest, &bytes, &length) == 1 else { throw .openSSL("X509_digest failed") }
        return Hex.encode(bytes.prefix(Int(length)), uppercase: true, separator: ":")
    }
}
