import BridgeCore
@testable import BridgeGateway
import NIOCore
import NIOPosix
import NIOSSL
import Testing

/// A TLS listener on 127.0.0.1 with a self-signed certificate made like the gateway's, for the peers the
/// gateway connects to in tests (a registrar, a camera). Returns the channel and the certificate's SHA-256.
enum TestTLSServer {
    static func start(commonName: String, handler: @escaping @Sendable () -> any ChannelHandler) async throws -> (any Channel, [UInt8]) {
        let contexts = try SIPTLSContexts.make(config: SIPConfig.TLS(), commonName: commonName)
        let server = try #require(contexts.server)
        let fingerprint = try #require(contexts.serverFingerprint.flatMap { Hex.decode($0, allowingSeparator: ":") })
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: server))
                    try child.pipeline.syncOperations.addHandler(handler())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return (channel, fingerprint)
    }
}
