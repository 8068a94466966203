import BridgeCore
import BridgeDTLS
import BridgeICE
import BridgeWebRTC
import NIOCore
import NIOPosix
import SwarmSupport

/// The viewers that live on one event loop: created there, ticked there every `tickInterval` by one
/// repeated task (rather than a timer per viewer), and counted there.
final class ViewerGroup {
    static let tickInterval = TimeAmount.milliseconds(10)

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

    /// A new viewer of `answer` on this group's loop.
    static func addViewer(to bound: NIOLoopBound<ViewerGroup>, local: ICELiteAgent.Credentials, answer: GatewayTransport,
                          dtlsContext: DTLSContext) async throws {
        try await SwarmViewer.bind(on: bound.eventLoop, local: local, gateway: answer, dtlsContext: dtlsContext) { viewer in
            bound.value.viewers.append(viewer)
        }
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
