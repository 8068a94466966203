import BridgeCore
import CoreMetrics
import Logging
import NIOCore
import Synchronization

/// The gateway's door for WebRTC sessions: `ViewerAdmission` under a lock (WHEP handlers run on any
/// thread; the lock is taken once per session start and end, never per packet), its figures as metrics,
/// and a watch on the media loop's lag that shuts the door while the loop is behind.
final class AdmissionControl: Sendable {
    private let state: Mutex<ViewerAdmission>
    private let refusals: @Sendable (String) -> CoreMetrics.Counter
    private let sessions: CoreMetrics.Gauge
    private let handshakes: CoreMetrics.Gauge
    private let lag: CoreMetrics.Gauge
    private let logger: Logger
    /// One refusal line per reason per 10 s: a client hammering a full route must not flood the log.
    private let logThrottle = Mutex(LogThrottle())
    static let lagProbeInterval = TimeAmount.milliseconds(100)

    init(limits: ViewerAdmission.Limits, metrics: GatewayMetrics, logger: Logger) {
        state = Mutex(ViewerAdmission(limits: limits))
        let factory = metrics.factory
        refusals = { reason in
            CoreMetrics.Counter(label: "mediabridge_webrtc_admission_refused_total", dimensions: [("reason", reason)], factory: factory)
        }
        sessions = CoreMetrics.Gauge(label: "mediabridge_webrtc_admitted_sessions", factory: factory)
        handshakes = CoreMetrics.Gauge(label: "mediabridge_webrtc_handshakes_in_progress", factory: factory)
        lag = CoreMetrics.Gauge(label: "mediabridge_webrtc_loop_lag_seconds", factory: factory)
        self.logger = logger
    }

    /// Admits a session (nil) or returns the refusal (counted and logged).
    func admit(id: String, route: String, routeLimit: Int?, client: String) -> ViewerAdmission.Refusal? {
        let now = WebRTCDatagramHandler.now()
        let (result, total, connecting) = state.withLock { admission in
            (admission.admit(id: id, route: route, routeLimit: routeLimit, client: client, now: now),
             admission.total, admission.handshakesInProgress)
        }
        sessions.record(total)
        handshakes.record(connecting)
        if let refusal = result {
            refusals(refusal.reason).increment()
            let (log, suppressed) = logThrottle.withLock { $0.admit(refusal.reason, now: now) }
            if log {
                let held = suppressed > 0 ? " (and \(suppressed) more refusals for \(refusal.reason) since the last line)" : ""
                logger.warning("refused a viewer of route \(route) from \(client): \(refusal)\(held)")
            }
        }
        return result
    }

    func connected(id: String) {
        let connecting = state.withLock { admission in
            admission.connected(id: id)
            return admission.handshakesInProgress
        }
        handshakes.record(connecting)
    }

    func release(id: String) {
        let (total, connecting) = state.withLock { admission in
            admission.release(id: id)
            return (admission.total, admission.handshakesInProgress)
        }
        sessions.record(total)
        handshakes.record(connecting)
    }

    var largestLag: Duration { state.withLock { $0.largestLag } }

    func noteLoopLag(_ amount: Duration) {
        let now = WebRTCDatagramHandler.now()
        state.withLock { $0.noteLoopLag(amount, now: now) }
        lag.record(Double(amount.milliseconds) / 1000)
    }

    /// A media loop sheds viewers: new ones wait (logged once per call, which fan-outs make at most once a second).
    func noteShedding(late: Duration) {
        let now = WebRTCDatagramHandler.now()
        state.withLock { $0.noteShedding(late: late, now: now) }
        logger.warning("a media loop cannot keep up (frames \(late.milliseconds) ms late): the newest viewers miss frames and new ones are refused for a while")
    }

    /// Probes `eventLoop` every `lagProbeInterval`: how late each probe runs is the loop's lag, the time a
    /// STUN check or a new session waits behind media work.
    func watch(_ eventLoop: any EventLoop) -> RepeatedTask {
        // Only the probe touches it, on the loop; the lock only satisfies Sendable.
        let expected = Mutex(NIODeadline.now() + Self.lagProbeInterval)
        return eventLoop.scheduleRepeatedTask(initialDelay: Self.lagProbeInterval, delay: Self.lagProbeInterval) { [self] _ in
            let now = NIODeadline.now()
            let late = expected.withLock { deadline in
                defer { deadline = now + Self.lagProbeInterval }
                return now > deadline ? now - deadline : .zero
            }
            noteLoopLag(.nanoseconds(late.nanoseconds))
        }
    }
}
