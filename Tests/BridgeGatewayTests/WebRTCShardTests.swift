import BridgeCore
import BridgeDTLS
@testable import BridgeGateway
import BridgeSDP
import BridgeSTUN
import NIOCore
import NIOPosix
import Synchronization
import Testing

@Suite struct WebRTCShardTests {
    @Test func aSessionsOwnerFollowsItsUfragAndSpreadsSessionsEvenly() {
        let directory = SessionDirectory(shardCount: 2)
        var counts = [0, 0]
        for _ in 0..<2_000 {
            let ufrag = WebRTCTransportServer.randomToken(8)
            let owner = directory.owner(ofUfrag: ufrag)
            #expect(directory.owner(ofUfrag: ufrag) == owner, "the same ufrag always names the same shard")
            counts[owner] += 1
        }
        #expect(counts.allSatisfy { $0 > 800 }, "random ufrags spread over both shards: \(counts)")
        #expect(SessionDirectory(shardCount: 1).owner(ofUfrag: "anything") == 0)
    }

    @Test func selectedAddressesAreForgottenOnlyByTheirOwner() throws {
        let directory = SessionDirectory(shardCount: 2)
        let browser = try #require(TransportAddress("192.0.2.10", port: 50_000))
        directory.record(browser, owner: 1)
        #expect(directory.owner(of: browser) == 1)
        directory.forget([browser], owner: 0)
        #expect(directory.owner(of: browser) == 1, "another shard's session does not erase the owner's entry")
        directory.forget([browser], owner: 1)
        #expect(directory.owner(of: browser) == nil)
    }

    /// Sixteen browsers check eight sessions owned by two shards whose sockets share one port: the kernel
    /// hands each browser's datagrams to whichever socket its address hashes to, so some checks reach the
    /// shard that does not own their session. Every check is answered, from the one port.
    @Test func checksReadByTheOtherShardAreAnsweredByTheOwner() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let server = try await WebRTCTransportServer.bind(host: "127.0.0.1", port: 0, advertise: ["127.0.0.1"],
                                                          certificate: DTLSCertificate.generate(), threads: 2, group: group)
        #expect(server.shards.count == 2)
        // Four sessions on each shard (random ufrags, drawn until both shards have theirs).
        var sessions: [WebRTCTransportParameters] = []
        var perShard = [0, 0]
        for _ in 0..<200 where perShard.contains(where: { $0 < 4 }) {
            let transport = server.newTransportParameters()
            let owner = server.directory.owner(ofUfrag: transport.iceUfrag)
            guard perShard[owner] < 4 else { continue }
            perShard[owner] += 1
            try await server.startSession(transport: transport, offer: try Self.offer(), profiles: [.aes128CMHMACSHA1_80]) { _, _ in }
            sessions.append(transport)
        }
        try #require(perShard == [4, 4])

        let answered = Answers()
        var clients: [any Channel] = []
        for _ in 0..<16 {
            clients.append(try await DatagramBootstrap(group: group)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ResponseCollector(answered: answered)) }
                }
                .bind(host: "127.0.0.1", port: 0).get())
        }
        let target = try SocketAddress(ipAddress: "127.0.0.1", port: server.port)
        var expected = 0
        for (index, client) in clients.enumerated() {
            let transport = sessions[index % sessions.count]
            let request = Self.check(localUfrag: transport.iceUfrag, pwd: transport.icePwd)
            try await client.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: client.allocator.buffer(bytes: request)))
            expected += 1
        }
        for _ in 0..<100 where answered.counts.withLock({ $0.values.reduce(0, +) }) < expected { try await Task.sleep(for: .milliseconds(50)) }
        let handedOff = try await server.shards.asyncMap { shard in try await shard.eventLoop.submit { shard.handler.value.handedOff }.get() }
        #expect(answered.counts.withLock { $0.values.reduce(0, +) } == expected, "every check is answered")
        #expect(answered.counts.withLock { Set($0.keys) } == ["127.0.0.1:\(server.port)"], "answers leave from the one advertised port")
        #expect(handedOff.reduce(0, +) > 0, "some checks were read by the shard that does not own their session")
        for client in clients { try await client.close() }
        await server.close()
        try await group.shutdownGracefully()
    }

    static func offer() throws -> SessionDescription {
        let fingerprint = (0..<32).map { _ in "AB" }.joined(separator: ":")
        return try SessionDescription(parsing: """
            v=0\r
            o=- 1 1 IN IP4 127.0.0.1\r
            s=-\r
            t=0 0\r
            a=group:BUNDLE 0\r
            m=audio 9 UDP/TLS/RTP/SAVPF 111\r
            c=IN IP4 0.0.0.0\r
            a=mid:0\r
            a=ice-ufrag:brwU\r
            a=ice-pwd:browser-password-0123456789\r
            a=fingerprint:sha-256 \(fingerprint)\r
            a=setup:actpass\r
            a=rtcp-mux\r
            a=rtpmap:111 opus/48000/2\r

            """)
    }

    static func check(localUfrag: String, pwd: String) -> [UInt8] {
        var builder = STUNMessageBuilder(type: .bindingRequest, transactionID: .random())
        builder.appendUsername("\(localUfrag):brwU")
        builder.appendICEControlling(0x1234_5678_9ABC_DEF0)
        builder.appendPriority(1_845_501_695)
        builder.appendMessageIntegrity(key: Array(pwd.utf8))
        builder.appendFingerprint()
        return builder.message
    }

    final class Answers: Sendable {
        let counts = Mutex<[String: Int]>([:])
    }

    /// Counts Binding success responses by the address they came from.
    final class ResponseCollector: ChannelInboundHandler, Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let answered: Answers

        init(answered: Answers) { self.answered = answered }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let envelope = unwrapInboundIn(data)
            guard let message = try? STUNMessage(parsing: Array(envelope.data.readableBytesView)), message.type == .bindingSuccess,
                  let from = envelope.remoteAddress.ipAddress, let port = envelope.remoteAddress.port else { return }
            answered.counts.withLock { $0["\(from):\(port)", default: 0] += 1 }
        }
    }
}

extension Array {
    func asyncMap<T>(_ transform: (Element) async throws -> T) async rethrows -> [T] {
        var result: [T] = []
        for element in self { result.append(try await transform(element)) }
        return result
    }
}
