import BridgeCore

/// Answers inbound calls over the transaction layer, sans-IO: INVITE → 100 (the layer) → `ring` (180) →
/// `answer` (200 with SDP, resent until the ACK) → established; CANCEL before the answer → 200 and 487;
/// BYE either way → 200; OPTIONS → 200; other methods → 405. A call is named by its `SIPDialogID`, fixed
/// when the INVITE arrives (our To tag is chosen then).
///
/// Outbound calls, re-INVITE offers with new media (a re-INVITE gets our last SDP again: session refresh
/// and hold from the phone keep working, changes are not negotiated) and PRACK are not here yet.
public struct SIPUserAgent: Sendable {
    public struct Configuration: Sendable {
        /// Our Contact (where in-dialog requests come to).
        public var contact: SIPURI
        /// Our sent-by and transport for the Via of our requests.
        public var via: SIPVia
        public var userAgent: String?
        public var timers: SIPTimerValues

        public init(contact: SIPURI, via: SIPVia, userAgent: String? = nil, timers: SIPTimerValues = .rfc3261) {
            self.contact = contact
            self.via = via
            self.userAgent = userAgent
            self.timers = timers
        }
    }

    public enum Event: Sendable, Hashable {
        /// Write these bytes.
        case send(SIPOutgoingMessage)
        /// A new call: `ring`, `answer` or `reject` it.
        case incomingCall(SIPDialogID, invite: SIPMessage, source: TransportAddress)
        /// Our 2xx was acknowledged: media may flow both ways.
        case callEstablished(SIPDialogID)
        /// The caller gave up before the answer.
        case callCancelled(SIPDialogID)
        case callEnded(SIPDialogID, reason: String)
        /// An INFO in the call (SIP INFO DTMF, `application/dtmf-relay`); already answered 200.
        case infoReceived(SIPDialogID, SIPMessage)
        case dropped(reason: String, source: TransportAddress?)
    }

    private enum CallState: Sendable, Hashable {
        case offered, ringing, answered, established
    }

    private struct Call: Sendable {
        var id: SIPDialogID
        var invite: SIPMessage
        var inviteTransaction: SIPTransactionID
        var source: TransportAddress
        var transport: SIPTransport
        var state: CallState = .offered
        var dialog: SIPDialog?
        var localBody: [UInt8] = []
        var byeTransaction: SIPTransactionID?
    }

    public let configuration: Configuration
    private var layer: SIPTransactionLayer
    private var calls: [SIPDialogID: Call] = [:]
    private var events: [Event] = []
    private var generator: SIPSeededRandom
    static let allowed = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO"

    /// `seed` drives tags and branches.
    public init(configuration: Configuration, seed: UInt64) {
        self.configuration = configuration
        layer = SIPTransactionLayer(timers: configuration.timers)
        generator = SIPSeededRandom(seed: seed)
    }

    public var activeCallCount: Int { calls.count }

    public mutating func pollOutput() -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    public func nextTimeout() -> MonotonicInstant? { layer.nextTimeout() }

    public mutating func handleTimeout(now: MonotonicInstant) {
        layer.handleTimeout(now: now)
        process(now: now)
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

    // MARK: Commands

    /// 180 Ringing (creates the early dialog).
    public mutating func ring(_ id: SIPDialogID, now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[id], call.state == .offered || call.state == .ringing else {
            throw .state("call", "\(id) cannot ring")
        }
        let response = makeResponse(call, status: 180)
        try layer.sendResponse(response, in: call.inviteTransaction, now: now)
        call.dialog = try SIPDialog(uasRequest: call.invite, response: response)
        call.state = .ringing
        calls[id] = call
        process(now: now)
    }

    /// 200 OK with `sdp`; the layer resends it until the ACK.
    public mutating func answer(_ id: SIPDialogID, sdp: [UInt8], now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[id], call.state == .offered || call.state == .ringing else {
            throw .state("call", "\(id) cannot be answered")
        }
        let response = makeResponse(call, status: 200, body: sdp)
        try layer.sendResponse(response, in: call.inviteTransaction, now: now)
        call.dialog = try SIPDialog(uasRequest: call.invite, response: response)
        call.localBody = sdp
        call.state = .answered
        calls[id] = call
        process(now: now)
    }

    /// A final error response (486 Busy Here by default) before the answer.
    public mutating func reject(_ id: SIPDialogID, status: Int = 486, now: MonotonicInstant) throws(SIPError) {
        guard let call = calls[id], call.state == .offered || call.state == .ringing, (300...699).contains(status) else {
            throw .state("call", "\(id) cannot be rejected with \(status)")
        }
        try layer.sendResponse(makeResponse(call, status: status), in: call.inviteTransaction, now: now)
        calls[id] = nil
        events.append(.callEnded(id, reason: "rejected with \(status)"))
        process(now: now)
    }

    /// BYE to the far end of an answered call; `callEnded` follows its response (or timeout).
    public mutating func hangUp(_ id: SIPDialogID, now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[id], call.state == .answered || call.state == .established, var dialog = call.dialog,
              call.byeTransaction == nil else {
            throw .state("call", "\(id) is not answered; reject it instead")
        }
        var via = configuration.via
        via.parameters.set("branch", SIPRandom.branch(using: &generator))
        if via.transport == "UDP", via.rport == nil { via.rport = .requested }
        let bye = dialog.makeRequest(.bye, via: via, headers: userAgentHeader)
        call.byeTransaction = try layer.sendRequest(bye, to: destination(of: dialog, fallback: call.source),
                                                    transport: call.transport, now: now)
        call.dialog = dialog
        calls[id] = call
        process(now: now)
    }

    // MARK: Internals

    private var userAgentHeader: [SIPHeaderField] {
        configuration.userAgent.map { [SIPHeaderField(name: .userAgent, value: $0)] } ?? []
    }

    private func makeResponse(_ call: Call, status: Int, body: [UInt8] = []) -> SIPMessage {
        var headers: [SIPHeaderField] = []
        if (101...299).contains(status) {
            headers.append(SIPHeaderField(name: .contact, value: "<\(configuration.contact)>"))
            for field in call.invite.fields(.recordRoute) { headers.append(field) }
        }
        if status == 200 { headers.append(SIPHeaderField(name: .allow, value: Self.allowed)) }
        if let agent = configuration.userAgent { headers.append(SIPHeaderField(name: .server, value: agent)) }
        if !body.isEmpty { headers.append(SIPHeaderField(name: .contentType, value: SIPContentType.sdp.description)) }
        return SIPResponseBuilder.response(to: call.invite, status: status, toTag: call.id.localTag, headers: headers,
                                           body: body)
    }

    /// Where in-dialog requests go: the first route or the remote target, if it is an IP literal; else
    /// where the INVITE came from (there is no DNS in a sans-IO core).
    private func destination(of dialog: SIPDialog, fallback: TransportAddress) -> TransportAddress {
        let next = dialog.routeSet.first?.uri ?? dialog.remoteTarget
        let port = next.port ?? (next.isSecure ? 5061 : 5060)
        return TransportAddress(next.host, port: port) ?? fallback
    }

    private mutating func respond(_ request: SIPMessage, _ status: Int, in transaction: SIPTransactionID,
                                  toTag: String? = nil, headers: [SIPHeaderField] = [], body: [UInt8] = [],
                                  now: MonotonicInstant) {
        let tag = (try? request.to())?.tag == nil ? toTag ?? SIPRandom.tag(using: &generator) : nil
        let response = SIPResponseBuilder.response(to: request, status: status, toTag: tag, headers: headers, body: body)
        do {
            try layer.sendResponse(response, in: transaction, now: now)
        } catch {
            events.append(.dropped(reason: "cannot respond: \(error)", source: nil))
        }
    }

    private mutating func process(now: MonotonicInstant) {
        while let output = layer.pollOutput() {
            switch output {
            case .send(let outgoing):
                events.append(.send(outgoing))
            case .requestReceived(let request, let source, let transport, let transaction):
                handleRequest(request, source: source, transport: transport, transaction: transaction, now: now)
            case .responseReceived(let response, let transaction):
                guard let code = response.statusCode, code >= 200, let transaction,
                      let id = calls.first(where: { $0.value.byeTransaction == transaction })?.key else { continue }
                calls[id] = nil
                events.append(.callEnded(id, reason: "hung up (BYE answered \(code))"))
            case .timedOut(let transaction), .transportError(let transaction):
                handleFailure(of: transaction, now: now)
            case .dropped(let reason, let source):
                events.append(.dropped(reason: reason, source: source))
            }
        }
    }

    private mutating func handleFailure(of transaction: SIPTransactionID, now: MonotonicInstant) {
        if let id = calls.first(where: { $0.value.byeTransaction == transaction })?.key {
            calls[id] = nil
            events.append(.callEnded(id, reason: "hung up (no answer to BYE)"))
        } else if let (id, call) = calls.first(where: { $0.value.inviteTransaction == transaction }) {
            // No ACK for our 2xx (timer L): end the call with a BYE (RFC 3261 section 13.3.1.4).
            if call.state == .answered { try? hangUp(id, now: now) }
            calls[id] = nil
            events.append(.callEnded(id, reason: "no ACK for the answer"))
        }
    }

    private mutating func handleRequest(_ request: SIPMessage, source: TransportAddress, transport: SIPTransport,
                                        transaction: SIPTransactionID?, now: MonotonicInstant) {
        guard let method = request.method else { return }
        guard let transaction else {
            // An ACK for a 2xx.
            if let id = SIPDialogID(incomingRequest: request), var call = calls[id], call.state == .answered {
                call.state = .established
                calls[id] = call
                events.append(.callEstablished(id))
            }
            return
        }
        let dialogID = SIPDialogID(incomingRequest: request)
        switch method {
        case .invite where dialogID == nil:
            let localTag = SIPRandom.tag(using: &generator)
            let remoteTag = (try? request.from())?.tag ?? ""
            let id = SIPDialogID(callID: request[.callID] ?? "", localTag: localTag, remoteTag: remoteTag)
            guard (try? request.contacts().first?.address) != nil else {
                respond(request, 400, in: transaction, now: now)
                return
            }
            calls[id] = Call(id: id, invite: request, inviteTransaction: transaction, source: source, transport: transport)
            events.append(.incomingCall(id, invite: request, source: source))
        case .invite, .info, .bye:
            guard let id = dialogID, var call = calls[id], var dialog = call.dialog else {
                respond(request, 481, in: transaction, now: now)
                return
            }
            do {
                try dialog.handle(request: request)
            } catch {
                respond(request, 500, in: transaction, now: now)
                return
            }
            call.dialog = dialog
            calls[id] = call
            switch method {
            case .bye:
                respond(request, 200, in: transaction, now: now)
                calls[id] = nil
                events.append(.callEnded(id, reason: "remote hung up"))
            case .info:
                respond(request, 200, in: transaction, now: now)
                events.append(.infoReceived(id, request))
            default:
                // A re-INVITE (session refresh, hold): our last answer again.
                respond(request, 200, in: transaction,
                        headers: [SIPHeaderField(name: .contact, value: "<\(configuration.contact)>"),
                                  SIPHeaderField(name: .contentType, value: SIPContentType.sdp.description)],
                        body: call.localBody, now: now)
            }
        case .cancel:
            guard let inviteTransaction = layer.inviteTransaction(cancelledBy: transaction),
                  let (id, call) = calls.first(where: { $0.value.inviteTransaction == inviteTransaction }) else {
                respond(request, 481, in: transaction, now: now)
                return
            }
            // Same To tag as the INVITE's responses (RFC 3261 section 9.2).
            respond(request, 200, in: transaction, toTag: id.localTag, now: now)
            guard layer.canRespond(in: inviteTransaction), call.state == .offered || call.state == .ringing else { return }
            try? layer.sendResponse(makeResponse(call, status: 487), in: inviteTransaction, now: now)
            calls[id] = nil
            events.append(.callCancelled(id))
        case .options:
            respond(request, 200, in: transaction, headers: [SIPHeaderField(name: .allow, value: Self.allowed),
                                                            SIPHeaderField(name: "Accept", value: "application/sdp")], now: now)
        default:
            respond(request, 405, in: transaction, headers: [SIPHeaderField(name: .allow, value: Self.allowed)], now: now)
        }
    }
}
