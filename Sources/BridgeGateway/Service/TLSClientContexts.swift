import BridgeCore
import NIOSSL

/// The TLS client contexts, one per `TLSVerification` kind, for connections out: SIP registrars and call
/// targets, rtsps cameras.
struct TLSClientContexts: Sendable {
    private let verifying: NIOSSLContext
    /// For `tls_verify: false`.
    private let unverified: NIOSSLContext
    /// No host name check; the handler's callback checks the pin (NIOSSL calls it only when verifying).
    private let pinning: NIOSSLContext

    init() throws {
        var none = TLSConfiguration.makeClientConfiguration()
        none.certificateVerification = .none
        var pinned = TLSConfiguration.makeClientConfiguration()
        pinned.certificateVerification = .noHostnameVerification
        verifying = try NIOSSLContext(configuration: .makeClientConfiguration())
        unverified = try NIOSSLContext(configuration: none)
        pinning = try NIOSSLContext(configuration: pinned)
    }

    /// Made once (reading the system's roots is not free), for the cameras.
    static let shared = Result { try TLSClientContexts() }

    /// The handler for a connection out to `host` (a name is also the SNI and the name checked; an IP
    /// address is checked against the certificate's IP addresses).
    func handler(host: String, verification: TLSVerification) throws -> NIOSSLClientHandler {
        let serverHostname = TransportAddress(host, port: 0) == nil ? host : nil
        switch verification {
        case .full:
            return try PinnedTLSClient.handler(context: verifying, serverHostname: serverHostname, pin: nil)
        case .none:
            return try PinnedTLSClient.handler(context: unverified, serverHostname: serverHostname, pin: nil)
        case .pinned(let pin):
            return try PinnedTLSClient.handler(context: pinning, serverHostname: serverHostname, pin: pin)
        }
    }
}
