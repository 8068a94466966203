import BridgeCore
@testable import BridgeGateway
import BridgeSIP
import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization
import Testing

/// `SIPEndpoint` over TLS on 127.0.0.1 with NIOSSL peers in the test: the listener frames messages by
/// Content-Length across TLS records and answers on the request's connection (RFC 3261 section 18.2.2); an
/// account with a `sips:` registrar registers over TLS with a pinned certificate, and a wrong pin fails at
/// once; a certificate file that is not PEM is a start error naming its key. Bounded waits.
@Suite(.serialized) struct SIPEndpointTLSTests {
    /// The messages a TLS peer received; `respond` makes its answers (a registrar's 200).
    final class Peer: Sendable {
        let received = Mutex<[SIPMessage]>([])
        let respond: @Sendable (SIPMessage) -> SIPMessage?

        init(respond: @escaping @Sendable (SIPMessage) -> SIPMessage? = { _ in nil }) {
            self.respond = respond
        }

        var messages: [SIPMessage] { received.withLock { $0 } }

        /// Waits (at most `seconds`) until `condition` holds for what was received.
        func wait(seconds: Double = 10, until condition: ([SIPMessage]) -> Bool) async throws {
            let deadline = ContinuousClock.now + .seconds(seconds)
            while !condition(messages), ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        }
    }

    final class PeerHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let peer: Peer
        var framer = SIPStreamFramer()

        init(peer: Peer) {
            self.peer = peer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            framer.append(unwrapInboundIn(data).readableBytesView)
            while let message = try? framer.nextMessage() {
                peer.received.withLock { $0.append(message) }
                if let answer = peer.respond(message), let bytes = try? answer.serialized() {
                    context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: bytes)), promise: nil)
                }
            }
        }
    }

    func endpoint(_ yaml: String) async throws -> SIPEndpoint {
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        return try await SIPEndpoint.start(config: try ConfigLoader().parse(yaml: yaml), handlers: [:], logger: logger)
    }

    static func request(_ method: String, user: String, port: Int, branch: String, extra: String = "") -> String {
        "\(method) sip:\(user)@127.0.0.1:\(port);transport=tls SIP/2.0\r\n"
            + "Via: SIP/2.0/TLS 127.0.0.1:5999;branch=\(branch)\r\nMax-Forwards: 70\r\n"
            + "From: <sip:tester@127.0.0.1>;tag=t1\r\nTo: <sip:\(user)@127.0.0.1>\r\nCall-ID: \(branch)\r\n"
            + "CSeq: 1 \(method)\r\n\(extra)Content-Length: 0\r\n\r\n"
    }

    @Test func tlsListenerFramesMessagesAndAnswersOnTheirConnection() async throws {
        let sip = try await endpoint("""
            sip: {enabled: true, listen: '127.0.0.1:0', tls: {listen: '127.0.0.1:0'}}
            calls: [{name: desk, trunk: {}}]
            """)
        defer { Task { await sip.close() } }
        let tlsPort = try #require(sip.tlsPort)
        #expect(tlsPort != sip.port)
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        let context = try NIOSSLContext(configuration: configuration)
        let peer = Peer()
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(PeerHandler(peer: peer))
                }
            }
            .connect(host: "127.0.0.1", port: tlsPort).get()
        defer { channel.close(promise: nil) }
        // Two requests, the second split across two TLS records.
        let options = Self.request("OPTIONS", user: "desk", port: tlsPort, branch: "z9hG4bKopt1")
        let invite = Array(Self.request("INVITE", user: "nobody", port: tlsPort, branch: "z9hG4bKinv1",
                                        extra: "Contact: <sip:tester@127.0.0.1:5999;transport=tls>\r\n").utf8)
        try await channel.writeAndFlush(ByteBuffer(bytes: Array(options.utf8) + invite.prefix(60))).get()
        try await Task.sleep(for: .milliseconds(50))
        try await channel.writeAndFlush(ByteBuffer(bytes: invite.dropFirst(60))).get()
        try await peer.wait { $0.contains { $0.statusCode == 404 } }
        let statuses = peer.messages.compactMap(\.statusCode)
        #expect(statuses == [200, 100, 404], "responses on the connection: \(statuses)")
        for response in peer.messages {
            #expect(try response.topVia()?.description.hasPrefix("SIP/2.0/TLS 127.0.0.1:5999") == true,
                    "Via untouched; the response came back on the connection, not to the Via's port")
        }
    }

    /// A TLS registrar in the test, with a self-signed certificate made like the gateway's.
    func registrar(peer: Peer) async throws -> (any Channel, [UInt8]) {
        try await TestTLSServer.start(commonName: "registrar.test") { PeerHandler(peer: peer) }
    }

    static func registrarAnswer(_ request: SIPMessage) -> SIPMessage? {
        guard request.method == .register, let contact = request[.contact] else { return nil }
        return SIPResponseBuilder.response(to: request, status: 200, toTag: "reg1",
                                           headers: [SIPHeaderField(name: .contact, value: contact + ";expires=300")])
    }

    struct Registration {
        var status: SIPRegistrationStatus?
        var peer: Peer
        var tlsPort: Int?
        var advertisedHost: String
    }

    /// The gateway with one account at a TLS registrar in the test (`registrar(port)` as its URI, `pin(its
    /// fingerprint)` as `tls_fingerprint`): the registration once it settled (10 s at most), what the
    /// registrar received. Both are closed on return.
    func register(sip: String, registrar uri: (Int) -> String, pin: ([UInt8]) -> [UInt8]) async throws -> Registration {
        let peer = Peer(respond: Self.registrarAnswer)
        let (registrar, fingerprint) = try await registrar(peer: peer)
        defer { registrar.close(promise: nil) }
        let port = try #require(registrar.localAddress?.port)
        let endpoint = try await endpoint("""
            sip: {\(sip)}
            calls:
              - name: office
                tls_fingerprint: '\(Hex.encode(pin(fingerprint)))'
                account: {registrar: '\(uri(port))', username: alice, password: secret}
            """)
        let deadline = ContinuousClock.now + .seconds(10)
        var status = endpoint.registrations().first
        while ContinuousClock.now < deadline, status?.state != .registered, status?.state != .failed {
            try await Task.sleep(for: .milliseconds(20))
            status = endpoint.registrations().first
        }
        await endpoint.close()
        return Registration(status: status, peer: peer, tlsPort: endpoint.tlsPort, advertisedHost: endpoint.advertisedHost)
    }

    @Test func accountRegistersOverTLSWithAPinnedCertificate() async throws {
        var registrarPort = 0
        let registration = try await register(sip: "enabled: true, listen: '127.0.0.1:0', tls: {listen: '127.0.0.1:0'}",
                                              registrar: { registrarPort = $0; return "sips:127.0.0.1:\($0)" }, pin: { $0 })
        #expect(registration.status?.state == .registered, "\(String(describing: registration.status))")
        let register = try #require(registration.peer.messages.first)
        let tlsPort = try #require(registration.tlsPort)
        #expect(register.requestURIText == "sips:127.0.0.1:\(registrarPort)")
        #expect(try register.topVia()?.transport == "TLS" && (try register.topVia()?.port).map(Int.init) == tlsPort)
        #expect(register[.contact] == "<sips:alice@\(registration.advertisedHost):\(tlsPort)>")
    }

    @Test func aWrongPinFailsTheRegistrationAtOnce() async throws {
        let registration = try await register(sip: "enabled: true, listen: '127.0.0.1:0'",
                                              registrar: { "sip:127.0.0.1:\($0);transport=tls" },
                                              pin: { $0.map { ~$0 } })
        #expect(registration.status?.state == .failed, "failed within seconds, not after timer F: \(String(describing: registration.status))")
        #expect(registration.peer.messages.isEmpty, "nothing reached a registrar whose certificate is not the pinned one")
    }

    @Test func outboundCallsToTLSTargetsGoOverTLS() throws {
        let config = try ConfigLoader().parse(yaml: """
            sip: {enabled: true}
            calls:
              - {name: desk, trunk: {}, tls_verify: false, allow_uris: ["sip:*@192.0.2.1*", "sips:*@192.0.2.1*"]}
              - {name: office, account: {registrar: 'sips:pbx.example.org', username: alice, password: secret}, allow_uris: ['sip:*@192.0.2.1']}
            """)
        let calls = Dictionary(uniqueKeysWithValues: config.calls.map { ($0.name, $0) })
        let direct = try SIPEndpoint.plan(route: "desk", target: "sip:bob@192.0.2.1;transport=tls", calls: calls)
        #expect(direct.transport == .tls && direct.destinationPort == 5061 && direct.tlsVerification == .none)
        let secure = try SIPEndpoint.plan(route: "desk", target: "sips:bob@192.0.2.1:5071", calls: calls)
        #expect(secure.transport == .tls && secure.destinationPort == 5071)
        #expect(try SIPEndpoint.plan(route: "desk", target: "sip:bob@192.0.2.1", calls: calls).transport == .udp)
        let proxied = try SIPEndpoint.plan(route: "office", target: "sip:bob@192.0.2.1", calls: calls)
        #expect(proxied.transport == .tls && proxied.destinationHost == "pbx.example.org" && proxied.destinationPort == 5061)
        #expect(proxied.tlsVerification == .full)
    }

    @Test func aCertificateFileThatIsNotPEMIsAStartErrorNamingTheKey() async throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mb-not-pem-\(UUID().uuidString).pem")
        try "not a certificate\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            let sip = try await endpoint("sip: {enabled: true, listen: '127.0.0.1:0', tls: {listen: '127.0.0.1:0', cert: '\(file.path)', key: '\(file.path)'}}")
            await sip.close()
            Issue.record("the gateway started with a certificate that is not PEM")
        } catch let error as GatewayStartError {
            #expect(error.message.hasPrefix("sip.tls.cert: \(file.path) holds no PEM certificate"), "\(error.message)")
        }
    }
}
