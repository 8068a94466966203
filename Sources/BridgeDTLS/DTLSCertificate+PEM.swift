import CBridgeOpenSSL
import CBridgeShim

extension DTLSCertificate {
    /// Loads a certificate and its private key from PEM files (config `webrtc.dtls`), so that the gateway's
    /// fingerprint stays the same across restarts.
    public static func load(certificatePath: String, privateKeyPath: String) throws(DTLSError) -> DTLSCertificate {
        guard let certificateFile = BIO_new_file(certificatePath, "r") else { throw .openSSL("cannot open \(certificatePath)") }
        defer { BIO_free(certificateFile) }
        guard let x509 = PEM_read_bio_X509(certificateFile, nil, nil, nil) else {
            throw .openSSL("\(certificatePath) holds no PEM certificate")
        }
        guard let keyFile = BIO_new_file(privateKeyPath, "r") else {
            X509_free(x509)
            throw .openSSL("cannot open \(privateKeyPath)")
        }
        defer { BIO_free(keyFile) }
        guard let key = PEM_read_bio_PrivateKey(keyFile, nil, nil, nil) else {
            X509_free(x509)
            throw .openSSL("\(privateKeyPath) holds no PEM private key")
        }
        guard X509_check_private_key(x509, key) == 1 else {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw .openSSL("the private key does not belong to the certificate")
        }
        do {
            return DTLSCertificate(key: key, certificate: x509, fingerprint: try fingerprint(of: x509, digest: "sha-256"))
        } catch {
            X509_free(x509)
            EVP_PKEY_free(key)
            throw error
        }
    }

    /// The certificate and the private key as PEM text.
    public func pemEncoded() throws(DTLSError) -> (certificate: String, privateKey: String) {
        guard let certificateBIO = BIO_new(BIO_s_mem()), let keyBIO = BIO_new(BIO_s_mem()) else { throw .openSSL("BIO_new failed") }
        defer {
            BIO_free(certificateBIO)
            BIO_free(keyBIO)
        }
        guard PEM_write_bio_X509(certificateBIO, certificate) == 1,
              PEM_write_bio_PrivateKey(keyBIO, key, nil, nil, 0, nil, nil) == 1 else { throw .openSSL("PEM encoding failed") }
        return (Self.text(of: certificateBIO), Self.text(of: keyBIO))
    }

    private static func text(of bio: OpaquePointer) -> String {
        var pointer: UnsafeMutablePointer<CChar>?
        let length = mb_bio_get_mem_data(bio, &pointer)
        guard length > 0, let pointer else { return "" }
        return String(decoding: UnsafeRawBufferPointer(start: pointer, count: length), as: UTF8.self)
    }
}
