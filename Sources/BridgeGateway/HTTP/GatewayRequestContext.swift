import Hummingbird
import NIOCore

/// The request context of every HTTP handler: Hummingbird's basic context plus the client's address, which
/// the admin checks (loopback when no admin token is set) and the per-client limits need.
struct GatewayRequestContext: RequestContext, RemoteAddressRequestContext {
    var coreContext: CoreRequestContextStorage
    let remoteAddress: SocketAddress?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address as text, "" when unknown.
    var clientIP: String { remoteAddress?.ipAddress ?? "" }

    /// Whether the client connects from this machine (127.0.0.0/8, ::1, or an IPv4-mapped loopback).
    var isLoopbackClient: Bool {
        let ip = clientIP
        return ip == "::1" || ip.hasPrefix("127.") || ip.hasPrefix("::ffff:127.")
    }
}
