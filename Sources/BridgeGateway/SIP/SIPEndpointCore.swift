import CoreMetrics
import BridgeCore
import BridgeSDP
import BridgeSIP
import Logging
import NIOCore

/// The SIP edge's state on its one event loop: the user agent, the registrations and their transaction
/// layer, the calls handed to routes, the TCP connections and the one timer. Every method runs on the loop.
/// It reads the clock once per event, drains every output, and reschedules the timer.
final class SIPEndpointCore {
    struct Settings: Sendable {
        var calls: [String: CallRouteConfig]
        var sip: SIPConfig
        /// The host in Contact and Via.
        var advertisedHost: String
        var port: Int
        /// The TLS listener's port; nil without `sip.tls`.
        var tlsPort: Int?
    }

    final class CallEntry {
        let id: SIPCallID
        let route: String
        let isOutbound: Bool
        var reference: SIPCallReference?
        var observer: (any SIPCallObserver)?
        var pending: [SIPCallEvent] = []
        var ringDeadline: MonotonicInstant?
        /// Replaces the user agent's reason when the call ends (ring timeout).
        var endReason: (String, Int?)?

        init(id: SIPCallID, route: String, isOutbound: Bool) {
            self.id = id
            self.route = route
            self.isOutbound = isOutbound
        }
    }

    struct AccountRegistration {
        var registration: SIPRegistration
        let registrar: TransportAddress?
        let transport: SIPTransport
        var transaction: SIPTransactionID?
        let account: String
        /// The registrar took the registration at least once (its INVITEs are believed from then on).
        var hasRegistered = false
    }

    let logger: Logger
    let eventLoop: any EventLoop
    let board: SIPRegistrationBoard
    var settings: Settings
    var udpChannel: (any Channel)?
    /// TCP and TLS connections that carry messages (see `SIPEndpointCore+Connections`).
    var connections: [ConnectionKey: any Channel] = [:]
    /// Requests waiting for a connection being opened.
    var pending: [ConnectionKey: [SIPOutgoingMessage]] = [:]
    /// Open TCP and TLS connections, ready or not.
    var connectionCount = 0
    /// `mediabridge_connections_refused_total{listener="sip"}`, set by the driver.
    var connectionsRefused: CoreMetrics.Counter?
    let tlsContexts: SIPTLSContexts
    /// How to check the TLS peers the gateway connects to (registrars, call targets), by address.
    var tlsPeers: [TransportAddress: TLSPeer] = [:]
    var agent: SIPUserAgent?
    var registrationLayer = SIPTransactionLayer(timers: .rfc3261)
    var registrations: [String: AccountRegistration] = [:]
    var handlers: [String: any CallRouteHandler]
    var calls: [SIPCallID: CallEntry] = [:]
    var callsByReference: [SIPCallReference: SIPCallID] = [:]
    var digestServer: SIPDigestServer
    /// Wrong Digest credentials per source address (trunk callers).
    var authFailures = SIPAuthFailureLimiter()
    private var timer: Scheduled<Void>?

    init(settings: Settings, handlers: [String: any CallRouteHandler], board: SIPRegistrationBoard, eventLoop: any EventLoop,
         tlsContexts: SIPTLSContexts, logger: Logger) {
        self.settings = settings
        self.tlsContexts = tlsContexts
        self.handlers = handlers
        self.board = board
        self.eventLoop = eventLoop
        self.logger = logger
        var generator = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        digestServer = SIPDigestServer(realm: settings.advertisedHost, secret: secret)
    }

    /// Creates the user agent once the port is known, and starts each account's registration.
    func start(port: Int, tlsPort: Int?, registrars: [String: TransportAddress?]) {
        settings.port = port
        settings.tlsPort = tlsPort
        let host = settings.advertisedHost
        let contact = SIPURI(user: "mediabridge", host: host, port: UInt16(port))
        let via = SIPVia(transport: "UDP", host: host, port: UInt16(port))
        agent = SIPUserAgent(configuration: .init(contact: contact, via: via, userAgent: settings.sip.userAgent,
                                                  tlsPort: tlsPort.map { UInt16($0) }),
                             seed: nil)
        let now = Self.now()
        for (name, call) in settings.calls.sorted(by: { $0.key < $1.key }) {
            guard let account = call.account else { continue }
            startRegistration(route: name, account: account, verification: call.tlsVerification, registrar: registrars[name] ?? nil, now: now)
        }
        drainRegistrations(now: now)
        reschedule(now: now)
    }

    /// Ends every call (CANCEL, BYE or 480 as its state needs) and unregisters the accounts, without waiting
    /// for answers.
    func stop() {
        let now = Self.now()
        for entry in calls.values {
            guard let reference = entry.reference else { continue }
            entry.endReason = ("the gateway is shutting down", nil)
            try? agent?.hangUp(reference, now: now)
        }
        drainAgent(now: now)
        // The sockets close next: the routes hear now rather than after the BYE times out.
        for entry in Array(calls.values) { finish(entry, reason: "the gateway is shutting down") }
        for name in registrations.keys {
            guard case .registered = registrations[name]?.registration.state else { continue }
            registrations[name]?.registration.stop(now: now)
        }
        drainRegistrations(now: now)
        timer?.cancel()
        timer = nil
    }

    // MARK: Input

    func handle(bytes: [UInt8], from source: TransportAddress, transport: SIPTransport) {
        guard let message = try? SIPMessage(parsing: bytes, framing: .datagram) else {
            // The agent's layer answers what it can (a stateless 400) and reports the drop.
            let now = Self.now()
            agent?.handle(bytes: bytes, from: source, transport: transport, now: now)
            drainAgent(now: now)
            reschedule(now: now)
            return
        }
        handle(message: message, from: source, transport: transport)
    }

    func handle(message: SIPMessage, from source: TransportAddress, transport: SIPTransport) {
        let now = Self.now()
        if Self.isRegisterResponse(message) {
            registrationLayer.handle(message, from: source, transport: transport, now: now)
            drainRegistrations(now: now)
        } else {
            agent?.handle(message, from: source, transport: transport, now: now)
            drainAgent(now: now)
        }
        reschedule(now: now)
    }

    static func isRegisterResponse(_ message: SIPMessage) -> Bool {
        message.statusCode != nil && ((try? message.cseq()) ?? nil)?.method == .register
    }

    private func handleTimeout() {
        let now = Self.now()
        agent?.handleTimeout(now: now)
        registrationLayer.handleTimeout(now: now)
        for name in registrations.keys {
            if let deadline = registrations[name]?.registration.nextTimeout(), deadline <= now {
                registrations[name]?.registration.handleTimeout(now: now)
            }
        }
        for entry in calls.values where !entry.isOutbound {
            guard let deadline = entry.ringDeadline, deadline <= now, let reference = entry.reference else { continue }
            entry.ringDeadline = nil
            let timeout = settings.calls[entry.route]?.ringTimeout ?? .seconds(30)
            entry.endReason = ("not answered within \(timeout)", 480)
            do {
                try agent?.reject(reference, status: 480, now: now)
            } catch {
                logger.debug("SIP ring timeout for \(entry.id): \(error)")
            }
        }
        drainRegistrations(now: now)
        drainAgent(now: now)
        reschedule(now: now)
    }

    // MARK: Output

    func write(_ outgoing: SIPOutgoingMessage) {
        if outgoing.transport.isReliable {
            writeReliable(outgoing)
            return
        }
        guard let channel = udpChannel, let address = try? SocketAddress(outgoing.destination) else { return }
        let envelope = AddressedEnvelope(remoteAddress: address, data: channel.allocator.buffer(bytes: outgoing.bytes))
        channel.writeAndFlush(envelope, promise: nil)
    }

    func drainAgent(now: MonotonicInstant) {
        while let event = agent?.pollOutput() {
            switch event {
            case .send(let outgoing):
                write(outgoing)
            case .incomingCall(let reference, let invite, let source):
                incomingCall(reference, invite: invite, source: source, now: now)
            case .callProgress(let reference, let response):
                emit(reference, .progress(status: response.statusCode ?? 180, sdp: (try? response.sessionDescription()) ?? nil))
            case .callAnswered(let reference, let response):
                if let sdp = (try? response.sessionDescription()) ?? nil {
                    emit(reference, .answered(sdp: sdp))
                } else if let id = callsByReference[reference], let entry = calls[id] {
                    entry.endReason = ("the far end answered without a usable SDP", 488)
                    try? agent?.hangUp(reference, now: now)
                }
            case .callEstablished(let reference):
                emit(reference, .established)
            case .callCancelled(let reference):
                finish(reference, reason: "the caller hung up before the answer", status: 487)
            case .callEnded(let reference, let reason):
                finish(reference, reason: reason, status: Self.status(in: reason))
            case .infoReceived(let reference, let message):
                if let (digit, duration) = SIPInfoDTMF.parse(message) {
                    emit(reference, .dtmf(digit: digit, durationMilliseconds: duration))
                }
            case .answerInACK(let reference, let ack):
                if let sdp = (try? ack.sessionDescription()) ?? nil { emit(reference, .answered(sdp: sdp)) }
            case .callReoffered(let reference, let invite):
                if let sdp = (try? invite.sessionDescription()) ?? nil { emit(reference, .reoffered(sdp: sdp)) }
            case .reofferAnswered(let reference, let response):
                if let sdp = (try? response.sessionDescription()) ?? nil {
                    emit(reference, .reofferAnswered(sdp: sdp))
                } else {
                    emit(reference, .reofferRejected(status: 488, reason: "the 2xx to our re-INVITE had no SDP"))
                }
            case .reofferRejected(let reference, let status):
                emit(reference, .reofferRejected(status: status, reason: "re-INVITE refused with \(status)"))
            case .dropped(let reason, let source):
                logger.debug("SIP dropped from \(source.map { "\($0)" } ?? "-"): \(reason)")
            }
        }
    }

    /// "rejected with 486" → 486.
    static func status(in reason: String) -> Int? {
        guard let range = reason.range(of: "rejected with ") else { return nil }
        return Int(reason[range.upperBound...].prefix(3))
    }

    func emit(_ reference: SIPCallReference, _ event: SIPCallEvent) {
        guard let id = callsByReference[reference], let entry = calls[id] else { return }
        emit(entry, event)
    }

    func emit(_ entry: CallEntry, _ event: SIPCallEvent) {
        if let observer = entry.observer {
            observer.call(entry.id, didChange: event)
        } else if entry.pending.count < 64 {
            entry.pending.append(event)
        }
    }

    private func finish(_ reference: SIPCallReference, reason: String, status: Int?) {
        guard let id = callsByReference.removeValue(forKey: reference), let entry = calls.removeValue(forKey: id) else { return }
        let (finalReason, finalStatus) = entry.endReason ?? (reason, status)
        logger.info("SIP call \(id) on \(entry.route) ended: \(finalReason)")
        emit(entry, .ended(reason: finalReason, status: finalStatus))
    }

    /// Ends a call the user agent never knew (an outbound call that could not start).
    func finish(_ entry: CallEntry, reason: String) {
        calls[entry.id] = nil
        if let reference = entry.reference { callsByReference[reference] = nil }
        emit(entry, .ended(reason: reason, status: nil))
    }

    // MARK: Timer

    func reschedule(now: MonotonicInstant) {
        timer?.cancel()
        timer = nil
        var deadlines = [agent?.nextTimeout(), registrationLayer.nextTimeout()]
        deadlines += registrations.values.map { $0.registration.nextTimeout() }
        deadlines += calls.values.map(\.ringDeadline)
        guard let next = deadlines.compactMap({ $0 }).min() else { return }
        let delay = TimeAmount.nanoseconds(Int64(clamping: next.nanoseconds > now.nanoseconds ? next.nanoseconds - now.nanoseconds : 0))
        timer = eventLoop.assumeIsolated().scheduleTask(in: delay) { [weak self] in
            self?.handleTimeout()
        }
    }

    static func now() -> MonotonicInstant {
        MonotonicInstant(nanoseconds: NIODeadline.now().uptimeNanoseconds)
    }
}
