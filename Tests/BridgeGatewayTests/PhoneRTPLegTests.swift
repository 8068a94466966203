@testable import BridgeGateway
import BridgeCore
import BridgeRTP
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The phone leg's real sockets on 127.0.0.1 with a call bridge behind them, wired as a call route wires them.
@Suite(.serialized) struct PhoneRTPLegTests {
    /// A UDP socket that keeps what it receives: the test's phone, or someone spraying the RTP ports.
    final class Peer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        private let received = Mutex<[[UInt8]]>([])
        private var channel: (any Channel)?
        var packets: [[UInt8]] { received.withLock { $0 } }
        var port: UInt16 { UInt16(clamping: channel?.localAddress?.port ?? 0) }

        static func bind(host: String, on group: any EventLoopGroup) async throws -> Peer {
            let peer = Peer()
            peer.channel = try await DatagramBootstrap(group: group)
                .channelInitializer { channel in channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(peer) } }
                .bind(host: host, port: 0).get()
            return peer
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            received.withLock { $0.append(bytes) }
        }

        func send(_ bytes: [UInt8], to port: Int) async throws {
            guard let channel else { return }
            let address = try SocketAddress(ipAddress: "127.0.0.1", port: port)
            try await channel.writeAndFlush(AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: bytes))).get()
        }

        func close() async { try? await channel?.close() }
    }

    /// What the bridge hands the browser side.
    final class Browser: Sendable {
        let packets = Mutex<[[UInt8]]>([])
    }

    /// RTP bleed (issue #13): while the call sets up, sockets on the phone's own host and on another sweep the
    /// whole RTP port range (three RTP packets in a row, then RTCP, to every port) with one SSRC, before and while the phone speaks
    /// from its SDP address. The browser gets only the phone's audio, the browser's audio goes only to the
    /// phone, and the spray is counted.
    @Test func aSprayOfTheRTPPortsDuringSetUpNeverReachesTheCall() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let base = 44_000 + Int.random(in: 0..<1_000) * 4
        let ports = base...(base + 3)
        let leg = try await PhoneRTPLeg.bind(host: "127.0.0.1", ports: ports, on: loop)
        let phone = try await Peer.bind(host: "127.0.0.1", on: group)
        var sprayers = [try await Peer.bind(host: "127.0.0.1", on: group)]
        #if os(Linux)
        // All of 127/8 is loopback on Linux: a sprayer on another host, for the RTCP rule.
        sprayers.append(try await Peer.bind(host: "127.0.0.2", on: group))
        #endif
        let phoneAddress = TransportAddress(ipv4: 127, 0, 0, 1, port: phone.port)
        let browser = Browser()
        var forgedReport = RTCPLegReporter(ssrc: 0xBAD, clockRate: 8_000, cname: "sprayer")
        let forgedRTCP = forgedReport.report(now: .zero, ntp: 1 << 40)
        let spray = Task { [sprayers] in
            var sequence: UInt16 = 0
            while !Task.isCancelled {
                // Three in a row from each sprayer to each port: enough for a latch that trusts the first three.
                for sprayer in sprayers {
                    for port in ports {
                        for _ in 0..<3 {
                            try? await sprayer.send(CallBridgeTests.packet(payloadType: 0, sequence: sequence, timestamp: UInt32(sequence) * 160,
                                                                           ssrc: 0xBAD, payload: [UInt8](repeating: 0xEE, count: 160)), to: port)
                            sequence &+= 1
                        }
                        try? await sprayer.send(forgedRTCP, to: port)
                    }
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
        }
        try await Task.sleep(for: .milliseconds(20))
        // The phone answered: the route makes the bridge and hands it the leg's packets.
        let bridge = try await loop.submit { () throws -> NIOLoopBound<CallBridge> in
            let bridge = try CallBridge(plan: CallBridgeTests.passThroughPlan(), phoneAddress: phoneAddress,
                                        sendToPhone: { packets, destination in leg.send(packets, to: destination) },
                                        sendToBrowser: { rtp, _ in browser.packets.withLock { $0 += rtp } },
                                        onDigit: { _, _ in }, now: WebRTCDatagramHandler.now)
            leg.deliver(to: bridge)
            return NIOLoopBound(bridge, eventLoop: loop)
        }.get()
        try await Task.sleep(for: .milliseconds(30))
        for index in 0..<20 {
            try await phone.send(CallBridgeTests.packet(payloadType: 0, sequence: UInt16(index), timestamp: UInt32(index) * 160, ssrc: 0x5150,
                                                        payload: [UInt8](repeating: 0x11, count: 160)), to: leg.port)
            try await phone.send(forgedRTCP, to: leg.port + 1)
            try await loop.submit {
                bridge.value.handleBrowserPacket(CallBridgeTests.packet(payloadType: 0, sequence: UInt16(index), timestamp: UInt32(index) * 160,
                                                                        ssrc: 0xB0B, payload: [UInt8](repeating: 0x22, count: 160)))
            }.get()
            try await Task.sleep(for: .milliseconds(20))
        }
        spray.cancel()
        await spray.value
        for _ in 0..<100 where browser.packets.withLock({ $0.count }) < 20 || phone.packets.count < 19 {
            try await Task.sleep(for: .milliseconds(20))
        }
        let (destination, drops) = try await loop.submit { (bridge.value.phoneDestination, bridge.value.drops) }.get()
        leg.close()
        await phone.close()
        for sprayer in sprayers { await sprayer.close() }
        try await group.shutdownGracefully()

        let heard = try browser.packets.withLock { $0 }.map { bytes in Array(try RTPPacket(parsing: bytes).payload(in: bytes)) }
        #expect(heard.count == 20, "every phone packet and nothing else")
        #expect(heard.allSatisfy { $0.allSatisfy { $0 == 0x11 } }, "the sprayer's audio never reaches the browser")
        #expect(destination == phoneAddress)
        // The browser's first packet may leave before the phone's first one latched; it goes to the SDP address all the same.
        #expect(phone.packets.count >= 19)
        #expect(sprayers.allSatisfy { $0.packets.isEmpty }, "nothing of the call goes to a sprayer")
        #expect(drops[.rtpSourceRejected] > 0)
        #if os(Linux)
        #expect(drops[.rtcpSourceRejected] > 0, "RTCP from another host is not read")
        #endif
    }
}
