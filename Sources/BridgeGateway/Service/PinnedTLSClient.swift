import Crypto
import NIOSSL

/// A TLS client handler that checks the peer's leaf certificate against a SHA-256 pin (of its DER) instead of
/// a chain of trust and a host name: for cameras (`routes[].tls_fingerprint`) and SIP peers
/// (`calls[].tls_fingerprint`) with self-signed certificates. Without a pin, the context's own verification.
enum PinnedTLSClient {
    static func handler(context: NIOSSLContext, serverHostname: String?, pin: [UInt8]?) throws -> NIOSSLClientHandler {
        guard let pin else { return try NIOSSLClientHandler(context: context, serverHostname: serverHostname) }
        return try NIOSSLClientHandler(context: context, serverHostname: serverHostname, customVerificationCallback: { certificates, promise in
            let matches = (try? certificates.first?.toDERBytes()).map { Array(SHA256.hash(data: $0)) == pin } ?? false
            promise.succeed(matches ? .certificateVerified : .failed)
        })
    }
}
