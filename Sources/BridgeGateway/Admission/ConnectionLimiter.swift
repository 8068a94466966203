import CoreMetrics
import NIOCore
import Synchronization

/// Caps the connections a TCP listener holds: put on the listening channel's pipeline (first), it sees
/// each accepted connection before the bootstrap sets it up, counts it until it closes, and closes at
/// once any that arrive over `limit` (counted in `mediabridge_connections_refused_total{listener}`).
final class ConnectionLimiter: ChannelInboundHandler, Sendable {
    typealias InboundIn = any Channel

    let limit: Int
    private let open = Atomic<Int>(0)
    private let refused: CoreMetrics.Counter
    private let gauge: CoreMetrics.Gauge

    init(listener: String, limit: Int, metrics: GatewayMetrics) {
        self.limit = limit
        refused = CoreMetrics.Counter(label: "mediabridge_connections_refused_total", dimensions: [("listener", listener)],
                                      factory: metrics.factory)
        gauge = CoreMetrics.Gauge(label: "mediabridge_connections_open", dimensions: [("listener", listener)], factory: metrics.factory)
    }

    var openConnections: Int { open.load(ordering: .relaxed) }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let child = unwrapInboundIn(data)
        let count = open.wrappingAdd(1, ordering: .relaxed).newValue
        gauge.record(count)
        child.closeFuture.whenComplete { [self] _ in
            gauge.record(open.wrappingSubtract(1, ordering: .relaxed).newValue)
        }
        // Set up as usual, then closed on its own loop once registered: an accepted socket is closed
        // cleanly only through its channel.
        context.fireChannelRead(data)
        if count > limit {
            refused.increment()
            child.eventLoop.execute { child.close(promise: nil) }
        }
    }
}

/// Closes a connection that the `IdleStateHandler` before it reports idle.
final class IdleConnectionCloser: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// The two handlers that close a connection silent for `timeout`.
    static func handlers(timeout: Duration) -> [any RemovableChannelHandler] {
        [IdleStateHandler(allTimeout: TimeAmount(timeout)), IdleConnectionCloser()]
    }
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        // Config durations are short; the clamp keeps a huge one from overflowing.
        self = .nanoseconds(min(max(seconds, 0), 9_000_000_000) * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
