import BridgeCore

/// Who may start a WebRTC session now, sans-IO: counts of admitted sessions in total, per route and per
/// client IP, of handshakes still in progress, and whether the media loop is lagging.
///
/// A session is admitted before its DTLS context exists, counts as a handshake until it connects, and is
/// released when it ends, whichever way. The caller holds the value under a lock (`AdmissionControl`).
struct ViewerAdmission: Sendable {
    struct Limits: Sendable, Equatable {
        /// Sessions in total (`webrtc.max_viewers`).
        var total = 1000
        /// Sessions from one client IP (`webrtc.max_viewers_per_ip`).
        var perClient = 50
        /// Sessions admitted but not yet connected (`webrtc.max_handshakes`).
        var handshakes = 100
        /// Loop lag past which new sessions wait (`webrtc.overload_lag`).
        var overloadLag: Duration = .milliseconds(250)
        /// How long a lagging loop keeps admission shut.
        var overloadHold: Duration = .seconds(5)
        /// Two late ticks this close together mean overload.
        var overloadConfirm: Duration = .seconds(2)
    }

    enum Refusal: Sendable, Equatable, CustomStringConvertible {
        case gatewayFull(limit: Int)
        case routeFull(route: String, limit: Int)
        case clientFull(limit: Int)
        case handshakes(limit: Int)
        case overloaded(lag: Duration)

        /// The metric label.
        var reason: String {
            switch self {
            case .gatewayFull: "gateway_full"
            case .routeFull: "route_full"
            case .clientFull: "client_full"
            case .handshakes: "handshakes"
            case .overloaded: "overloaded"
            }
        }

        /// Seconds a client should wait before it tries again (`Retry-After`).
        var retryAfterSeconds: Int {
            switch self {
            case .gatewayFull, .routeFull, .clientFull: 10
            case .handshakes, .overloaded: 2
            }
        }

        var description: String {
            switch self {
            case .gatewayFull(let limit): "the gateway serves its maximum of \(limit) sessions (webrtc.max_viewers)"
            case .routeFull(let route, let limit): "route \(route) serves its maximum of \(limit) viewers (max_viewers)"
            case .clientFull(let limit): "this address already has \(limit) sessions (webrtc.max_viewers_per_ip)"
            case .handshakes(let limit): "\(limit) sessions are still connecting (webrtc.max_handshakes)"
            case .overloaded(let lag): "the media loop is \(lag.milliseconds) ms behind (webrtc.overload_lag)"
            }
        }
    }

    var limits: Limits
    private var perRoute: [String: Int] = [:]
    private var perClient: [String: Int] = [:]
    private var connecting: Set<String> = []
    /// Route and client of each admitted session, by its id; released once.
    private var admitted: [String: (route: String, client: String)] = [:]
    private var shutUntil: MonotonicInstant?
    private var lastLag: Duration = .zero
    private var lastLateAt: MonotonicInstant?
    /// The worst lag seen so far.
    private(set) var largestLag: Duration = .zero

    init(limits: Limits) {
        self.limits = limits
    }

    var total: Int { admitted.count }
    var handshakesInProgress: Int { connecting.count }
    func viewers(onRoute route: String) -> Int { perRoute[route, default: 0] }

    /// Admits session `id` on `route` (whose own limit is `routeLimit`) for `client`: nil, or why not.
    mutating func admit(id: String, route: String, routeLimit: Int?, client: String, now: MonotonicInstant) -> Refusal? {
        if let shutUntil, now < shutUntil { return .overloaded(lag: lastLag) }
        guard admitted[id] == nil else { return .handshakes(limit: limits.handshakes) }
        guard admitted.count < limits.total else { return .gatewayFull(limit: limits.total) }
        if let routeLimit, perRoute[route, default: 0] >= routeLimit { return .routeFull(route: route, limit: routeLimit) }
        guard perClient[client, default: 0] < limits.perClient else { return .clientFull(limit: limits.perClient) }
        guard connecting.count < limits.handshakes else { return .handshakes(limit: limits.handshakes) }
        admitted[id] = (route, client)
        connecting.insert(id)
        perRoute[route, default: 0] += 1
        perClient[client, default: 0] += 1
        return nil
    }

    /// The session's handshake finished: it no longer counts against `handshakes`.
    mutating func connected(id: String) {
        connecting.remove(id)
    }

    /// The session ended (or never started). Unknown ids are ignored, so a second release is harmless.
    mutating func release(id: String) {
        guard let session = admitted.removeValue(forKey: id) else { return }
        connecting.remove(id)
        Self.decrement(&perRoute, session.route)
        Self.decrement(&perClient, session.client)
    }

    /// A tick of a media loop ran `lag` late: the second tick past `overloadLag` within `overloadConfirm`
    /// shuts admission for `overloadHold` (one late tick alone is a hiccup, such as the machine being busy
    /// for a moment, not a loop that cannot keep up). Sessions already admitted are untouched.
    mutating func noteLoopLag(_ lag: Duration, now: MonotonicInstant) {
        largestLag = max(largestLag, lag)
        guard lag > limits.overloadLag else { return }
        defer { lastLateAt = now }
        guard let previous = lastLateAt, now <= previous + limits.overloadConfirm else { return }
        lastLag = lag
        shutUntil = now + limits.overloadHold
    }

    /// A loop sheds viewers because frames reach it `late`: it cannot keep up, so the door shuts for
    /// `overloadHold` at once (the viewers already in are what it is protecting).
    mutating func noteShedding(late: Duration, now: MonotonicInstant) {
        lastLag = late
        shutUntil = now + limits.overloadHold
    }

    private static func decrement(_ counts: inout [String: Int], _ key: String) {
        let value = counts[key, default: 0] - 1
        counts[key] = value > 0 ? value : nil
    }
}

extension Duration {
    /// Whole milliseconds, for messages.
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds &* 1000 &+ attoseconds / 1_000_000_000_000_000
    }
}
