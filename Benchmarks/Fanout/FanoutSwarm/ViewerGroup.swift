import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeWebRTC
import NIOCore
import NIOPosix

/// The viewers that live on one event loop: created there, ticked there every `tickInterval` by one
/// repeated task (rather than a timer per viewer), and counted there.
final class ViewerGroup {
    static let tickInterval = TimeAmount.milliseconds(10)
    /// Per socket; the kernel caps it at net.core.rmem_max. Key frames arrive as bursts of ~100 packets.
    static let receiveBuffer = 1 << 20
    /// recvmmsg batch; NIO splits one receive buffer into this many slots, so each needs a full datagram.
    static let vectorReads = 16
    static let datagramSlot = 2048

    let eventLoop: any EventLoop
    private var viewers: [SwarmViewer] = []
    private var ticker: RepeatedTask?

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// A group per loop of `group`, each bound to its loop.
    static func make(on group: MultiThreadedEventLoopGroup) async throws -> [NIOLoopBound<ViewerGroup>] {
        var groups: [NIOLoopBound<ViewerGroup>] = []
        for loop in group.makeIterator() {
            groups.append(try await loop.submit {
                let viewerGroup = ViewerGroup(eventLoop: loop)
                let bound = NIOLoopBound(viewerGroup, eventLoop: loop)
                viewerGroup.ticker = loop.scheduleRepeatedTask(initialDelay: tickInterval, delay: tickInterval) { _ in
                    bound.value.tick()
                }
                return bound
            }.get())
        }
        return groups
    }

    /// Binds a loopback UDP socket whose handler is a new viewer for `answer`, on this group's loop.
    static func addViewer(to bound: NIOLoopBound<ViewerGroup>, local: ICELiteAgent.Credentials, answer: WHEPAnswer,
                          dtlsContext: DTLSContext) async throws {
        let serverSocketAddress = try SocketAddress(ipAddress: answer.server.ipString,
                                                    port: Int(answer.server.port))
        let remote = ICELiteAgent.Credentials(ufrag: answer.iceUfrag, pwd: answer.icePwd)
        _ = try await DatagramBootstrap(group: bound.eventLoop)
            .channelOption(ChannelOptions.socketOption(.so_rcvbuf), value: SocketOptionValue(receiveBuffer))
            .channelOption(ChannelOptions.datagramVectorReadMessageCount, value: vectorReads)
            .channelOption(ChannelOptions.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: vectorReads * datagramSlot))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let session = try WebRTCClientSession(
                        local: local, remote: remote, server: answer.server, dtlsContext: dtlsContext,
                        remoteFingerprint: ("sha-256", answer.fingerprint), now: SwarmViewer.now())
                    let viewer = SwarmViewer(session: session, server: answer.server, serverSocketAddress: serverSocketAddress)
                    try channel.pipeline.syncOperations.addHandler(viewer)
                    bound.value.viewers.append(viewer)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    func tick() {
        let now = SwarmViewer.now()
        for viewer in viewers { viewer.tick(now: now) }
    }

    func markWindow() {
        for viewer in viewers { viewer.markWindow() }
    }

    var snapshot: SwarmSnapshot {
        viewers.reduce(SwarmSnapshot()) { $0 + $1.snapshot }
    }

    /// Why viewers closed, with counts (for the report when some never connect).
    var closeReasons: [String: Int] {
        viewers.reduce(into: [:]) { counts, viewer in
            if let reason = viewer.closeReason { counts[reason, default: 0] += 1 }
        }
    }

    /// The SRTP profiles the gateway chose.
    var profiles: Set<String> { Set(viewers.compactMap(\.profile)) }

    func closeAll() {
        ticker?.cancel()
        ticker = nil
        for viewer in viewers { viewer.close() }
        viewers.removeAll()
    }
}
