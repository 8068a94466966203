import BridgeCore

/// One SIP user agent over the transaction layer, sans-IO, for calls in both directions.
///
/// Inbound: INVITE → 100 (the layer) → `ring` (180) → `answer` (200 with SDP, resent until the ACK) →
/// established; CANCEL before the answer → 200 and 487; BYE → 200; INFO → 200; OPTIONS → 200; other
/// methods → 405. Outbound: `startCall` sends the INVITE, answers a 401/407 once per nonce, ACKs the 2xx
/// (again for each retransmitted 2xx), and `hangUp` sends CANCEL before the answer or BYE after it.
///
/// Feed datagrams (or framed stream messages) with `handle`, call `handleTimeout(now:)` at `nextTimeout()`,
/// drain `pollOutput()` after every call. A re-INVITE from the far end gets our SDP again with its directions
/// answering the new offer (hold and resume, session refresh; changed codecs or addresses are not negotiated).
/// Forked 2xx from several far ends are not told apart: the first one makes the dialog.
public struct SIPUserAgent: Sendable {
    public struct Configuration: Sendable {
        /// Our Contact (where in-dialog requests come to).
        public var contact: SIPURI
        /// Our sent-by and transport for the Via of our requests.
        public var via: SIPVia
        public var userAgent: String?
        public var timers: SIPTimerValues
        /// The TLS listener's port, for our Contact and Via on TLS (`contact` and `via` hold the UDP/TCP port).
        public var tlsPort: UInt16?

        public init(contact: SIPURI, via: SIPVia, userAgent: String? = nil, timers: SIPTimerValues = .rfc3261,
                    tlsPort: UInt16? = nil) {
            self.contact = contact
            self.via = via
            self.userAgent = userAgent
            self.timers = timers
            self.tlsPort = tlsPort
        }

        /// Our Contact in a call on `transport`; `secure` when its Request-URI is `sips:`.
        func contact(on transport: SIPTransport, secure: Bool) -> SIPURI {
            contact.onTransport(transport, tlsPort: tlsPort, secure: secure)
        }
    }

    public enum Event: Sendable, Hashable {
        /// Write these bytes.
        case send(SIPOutgoingMessage)
        /// A new inbound call: `ring`, `answer` or `reject` it.
        case incomingCall(SIPCallReference, invite: SIPMessage, source: TransportAddress)
        /// An outbound call got a provisional response (180 Ringing, 183 Session Progress…).
        case callProgress(SIPCallReference, response: SIPMessage)
        /// An outbound call was answered; `response` carries the far end's SDP. The ACK is sent.
        case callAnswered(SIPCallReference, response: SIPMessage)
        /// Media may flow both ways: our inbound answer was acknowledged, or our outbound call answered.
        case callEstablished(SIPCallReference)
        /// The caller gave up before our answer.
        case callCancelled(SIPCallReference)
        case callEnded(SIPCallReference, reason: String)
        /// An INFO in the call (SIP INFO DTMF, `application/dtmf-relay`); already answered 200.
        case infoReceived(SIPCallReference, SIPMessage)
        /// The ACK of an inbound call carried a body: the caller's answer to the offer in our 200 (a late-offer
        /// INVITE had none, RFC 3261 section 13.2.1). Comes just before `callEstablished`.
        case answerInACK(SIPCallReference, ack: SIPMessage)
        /// The far end sent a re-INVITE (hold, resume, session refresh); it was answered 200 with our last SDP.
        case callReoffered(SIPCallReference, invite: SIPMessage)
        /// The far end accepted our re-INVITE (hold, resume): its answer; the ACK has gone.
        case reofferAnswered(SIPCallReference, response: SIPMessage)
        /// The far end refused our re-INVITE (491 glare, 488…): the session stays as it was.
        case reofferRejected(SIPCallReference, status: Int)
        case dropped(reason: String, source: TransportAddress?)
    }

    enum CallState: Sendable, Hashable {
        // Inbound.
        case offered, ringing, answered
        // Outbound.
        case calling, cancelling
        // Both.
        case established
    }

    struct Call: Sendable {
        var reference: SIPCallReference
        var isOutbound: Bool
        var invite: SIPMessage
        var inviteTransaction: SIPTransactionID
        /// Inbound: where the INVITE came from. Outbound: where it went.
        var peer: TransportAddress
        var transport: SIPTransport
        var state: CallState
        var dialog: SIPDialog?
        var localBody: [UInt8] = []
        /// Our SDP in the 200 to the last re-INVITE (its `o=` version counts the changes).
        var lastReanswer: [UInt8]?
        var byeTransaction: SIPTransactionID?
        /// Our re-INVITE in flight, its CSeq number, and the ACK that answered its 2xx.
        var reofferTransaction: SIPTransactionID?
        var reofferSequence: UInt32?
        var reofferACK: SIPMessage?
        // Outbound only.
        var sawProvisional = false
        var cancelWhenProvisional = false
        /// After a CANCEL: give up on the INVITE's final response at this time (RFC 3261 section 9.1).
        var cancelDeadline: MonotonicInstant?
        var ack: SIPMessage?
        var digest: SIPDigestClient?
        var answeredNonces: Set<String> = []
    }

    public let configuration: Configuration
    var layer: SIPTransactionLayer
    var calls: [SIPCallReference: Call] = [:]
    var events: [Event] = []
    var generator: SIPSeededRandom
    static let allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"

    /// `seed` drives Call-IDs, tags, branches and cnonces (tests); nil, for the driver, uses the system generator.
    public init(configuration: Configuration, seed: UInt64? = nil) {
        self.configuration = configuration
        layer = SIPTransactionLayer(timers: configuration.timers)
        generator = SIPSeededRandom(seed: seed)
    }

    public var activeCallCount: Int { calls.count }

    public mutating func pollOutput() -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    public func nextTimeout() -> MonotonicInstant? {
        ([layer.nextTimeout()] + calls.values.map(\.cancelDeadline)).compactMap { $0 }.min()
    }

    public mutating func handleTimeout(now: MonotonicInstant) {
        layer.handleTimeout(now: now)
        process(now: now)
        for (reference, call) in calls {
            if let deadline = call.cancelDeadline, deadline <= now { end(reference, reason: "cancelled (no final response)") }
        }
    }

    public mutating func handle(bytes: [UInt8], from source: TransportAddress, transport: SIPTransport = .udp,
                                now: MonotonicInstant) {
        layer.handle(bytes: bytes, from: source, transport: transport, now: now)
        process(now: now)
    }

    public mutating func handle(_ message: SIPMessage, from source: TransportAddress, transport: SIPTransport = .udp,
                                now: MonotonicInstant) {
        layer.handle(message, from: source, transport: transport, now: now)
        process(now: now)
    }

    /// The driver could not deliver a message of `transaction`.
    public mutating func handleTransportError(for transaction: SIPTransactionID, now: MonotonicInstant) {
        layer.handleTransportError(for: transaction)
        process(now: now)
    }

    /// Ends a call in any state: CANCEL for an outbound call not yet answered, BYE for an answered one,
    /// 480 for an inbound call not yet answered. `callEnded` follows.
    public mutating func hangUp(_ reference: SIPCallReference, now: MonotonicInstant) throws(SIPError) {
        guard let call = calls[reference] else { throw .state("call", "no call \(reference)") }
        switch call.state {
        case .offered, .ringing:
            try reject(reference, status: 480, now: now)
        case .calling:
            try cancel(reference, now: now)
        case .cancelling:
            return
        case .answered, .established:
            try sendBye(reference, now: now)
        }
    }

    /// Sends an INFO in an answered call (SIP INFO DTMF: `application/dtmf-relay`). Its response needs
    /// nothing from the caller; a failure does not end the call.
    public mutating func sendInfo(_ reference: SIPCallReference, contentType: SIPContentType, body: [UInt8],
                                  now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], var dialog = call.dialog, call.state == .answered || call.state == .established else {
            throw .state("call", "\(reference) is not answered")
        }
        let info = dialog.makeRequest(.info, via: freshVia(on: call.transport), headers: userAgentHeaders, body: body, contentType: contentType)
        try layer.sendRequest(info, to: nextHop(of: call, dialog: dialog), transport: call.transport, now: now)
        call.dialog = dialog
        calls[reference] = call
        process(now: now)
    }

    // MARK: Shared internals

    var userAgentHeaders: [SIPHeaderField] {
        configuration.userAgent.map { [SIPHeaderField(name: .userAgent, value: $0)] } ?? []
    }

    /// Our Via for `transport` with a fresh branch (and `rport` on UDP).
    mutating func freshVia(on transport: SIPTransport) -> SIPVia {
        var via = configuration.via.onTransport(transport, tlsPort: configuration.tlsPort)
        via.parameters.set("branch", SIPRandom.branch(using: &generator))
        if via.transport == "UDP", via.rport == nil { via.rport = .requested }
        return via
    }

    /// Where in-dialog requests go: the first route or the remote target, if it is an IP literal; else
    /// the call's peer address (there is no DNS in a sans-IO core).
    func destination(of dialog: SIPDialog, fallback: TransportAddress) -> TransportAddress {
        let next = dialog.routeSet.first?.uri ?? dialog.remoteTarget
        return TransportAddress(next.host, port: next.portOrDefault) ?? fallback
    }

    /// Where a request in `call` goes. An inbound call on TCP or TLS uses the caller's connection (its
    /// Contact names a listening port the caller may not have, RFC 5923 section 1); else `destination(of:)`.
    func nextHop(of call: Call, dialog: SIPDialog) -> TransportAddress {
        call.transport.isReliable && !call.isOutbound ? call.peer : destination(of: dialog, fallback: call.peer)
    }

    mutating func sendBye(_ reference: SIPCallReference, now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], var dialog = call.dialog, call.byeTransaction == nil else {
            throw .state("call", "\(reference) has no dialog to end")
        }
        let bye = dialog.makeRequest(.bye, via: freshVia(on: call.transport), headers: userAgentHeaders)
        call.byeTransaction = try layer.sendRequest(bye, to: nextHop(of: call, dialog: dialog),
                                                    transport: call.transport, now: now)
        call.dialog = dialog
        calls[reference] = call
        process(now: now)
    }

    mutating func end(_ reference: SIPCallReference, reason: String) {
        guard calls.removeValue(forKey: reference) != nil else { return }
        events.append(.callEnded(reference, reason: reason))
    }

    mutating func process(now: MonotonicInstant) {
        while let output = layer.pollOutput() {
            switch output {
            case .send(let outgoing):
                events.append(.send(outgoing))
            case .requestReceived(let request, let source, let transport, let transaction):
                handleRequest(request, source: source, transport: transport, transaction: transaction, now: now)
            case .responseReceived(let response, let transaction):
                handleResponse(response, transaction: transaction, now: now)
            case .timedOut(let transaction), .transportError(let transaction):
                handleFailure(of: transaction, now: now)
            case .dropped(let reason, let source):
                events.append(.dropped(reason: reason, source: source))
            }
        }
    }

    private mutating func handleFailure(of transaction: SIPTransactionID, now: MonotonicInstant) {
        if let reference = calls.first(where: { $0.value.byeTransaction == transaction })?.key {
            end(reference, reason: "hung up (no answer to BYE)")
        } else if let reference = calls.first(where: { $0.value.reofferTransaction == transaction })?.key {
            reofferTimedOut(reference, now: now)
        } else if let (reference, call) = calls.first(where: { $0.value.inviteTransaction == transaction }) {
            if call.isOutbound {
                end(reference, reason: "no answer to the INVITE")
            } else {
                // No ACK for our 2xx (timer L): end the call with a BYE (RFC 3261 section 13.3.1.4).
                if call.state == .answered { try? sendBye(reference, now: now) }
                end(reference, reason: "no ACK for the answer")
            }
        }
    }

    private mutating func handleResponse(_ response: SIPMessage, transaction: SIPTransactionID?, now: MonotonicInstant) {
        guard let code = response.statusCode else { return }
        if let transaction, let reference = calls.first(where: { $0.value.byeTransaction == transaction })?.key {
            if code >= 200 { end(reference, reason: "hung up (BYE answered \(code))") }
            return
        }
        if handleReofferResponse(response, now: now) { return }
        handleInviteResponse(response, transaction: transaction, now: now)
    }
}
