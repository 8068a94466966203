/// How the gateway checks the certificate of a TLS peer it connects to: a call route's registrar or call
/// target (`calls[].tls_verify`, `calls[].tls_fingerprint`), an rtsps camera (`routes[].tls_verify`,
/// `routes[].tls_fingerprint`).
public enum TLSVerification: Sendable, Hashable {
    /// The system's trusted roots and the host name (or, for an IP address, an IP subject alternative name).
    case full
    /// Any certificate (the wire is encrypted, the peer not authenticated).
    case none
    /// The leaf certificate's SHA-256 (DER) must be this; no chain or host name check.
    case pinned([UInt8])
}
