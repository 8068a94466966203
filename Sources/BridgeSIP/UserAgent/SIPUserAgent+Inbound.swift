import BridgeCore
import BridgeSDP

/// Inbound calls and requests from the far end.
extension SIPUserAgent {
    /// 180 Ringing (creates the early dialog).
    public mutating func ring(_ reference: SIPCallReference, now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], call.state == .offered || call.state == .ringing else {
            throw .state("call", "\(reference) cannot ring")
        }
        let response = makeResponse(call, status: 180)
        try layer.sendResponse(response, in: call.inviteTransaction, now: now)
        call.dialog = try SIPDialog(uasRequest: call.invite, response: response)
        call.state = .ringing
        calls[reference] = call
        process(now: now)
    }

    /// 200 OK with `sdp`; the layer resends it until the ACK.
    public mutating func answer(_ reference: SIPCallReference, sdp: [UInt8], now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], call.state == .offered || call.state == .ringing else {
            throw .state("call", "\(reference) cannot be answered")
        }
        let response = makeResponse(call, status: 200, body: sdp)
        try layer.sendResponse(response, in: call.inviteTransaction, now: now)
        call.dialog = try SIPDialog(uasRequest: call.invite, response: response)
        call.localBody = sdp
        call.state = .answered
        calls[reference] = call
        process(now: now)
    }

    /// A final error response (486 Busy Here by default) before the answer. `headers` go into the response:
    /// `WWW-Authenticate` for a 401 challenge, `Contact` for a 3xx redirect. `reasonPhrase` replaces the
    /// standard one ("Too many failed attempts" for a 403).
    public mutating func reject(_ reference: SIPCallReference, status: Int = 486, reasonPhrase: String? = nil,
                                headers: [SIPHeaderField] = [], now: MonotonicInstant) throws(SIPError) {
        guard let call = calls[reference], call.state == .offered || call.state == .ringing, (300...699).contains(status) else {
            throw .state("call", "\(reference) cannot be rejected with \(status)")
        }
        var response = makeResponse(call, status: status, reasonPhrase: reasonPhrase)
        response.headers.append(contentsOf: headers)
        try layer.sendResponse(response, in: call.inviteTransaction, now: now)
        end(reference, reason: "rejected with \(status)")
        process(now: now)
    }

    /// Our Contact in `call`: for its transport, `sips:` when the INVITE's Request-URI was.
    func localContact(of call: Call) -> SIPURI {
        configuration.contact(on: call.transport, secure: ((try? call.invite.requestURI()) ?? nil)?.isSecure ?? false)
    }

    func makeResponse(_ call: Call, status: Int, reasonPhrase: String? = nil, body: [UInt8] = []) -> SIPMessage {
        var headers: [SIPHeaderField] = []
        if (101...299).contains(status) {
            headers.append(SIPHeaderField(name: .contact, value: "<\(localContact(of: call))>"))
            for field in call.invite.fields(.recordRoute) { headers.append(field) }
        }
        if status == 200 { headers.append(SIPHeaderField(name: .allow, value: Self.allowed)) }
        if let agent = configuration.userAgent { headers.append(SIPHeaderField(name: .server, value: agent)) }
        if !body.isEmpty { headers.append(SIPHeaderField(name: .contentType, value: SIPContentType.sdp.description)) }
        return SIPResponseBuilder.response(to: call.invite, status: status, reasonPhrase: reasonPhrase, toTag: call.reference.localTag,
                                           headers: headers, body: body)
    }

    mutating func respond(_ request: SIPMessage, _ status: Int, in transaction: SIPTransactionID,
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

    mutating func handleRequest(_ request: SIPMessage, source: TransportAddress, transport: SIPTransport,
                                transaction: SIPTransactionID?, now: MonotonicInstant) {
        guard let method = request.method else { return }
        let reference = SIPCallReference(incomingRequest: request)
        guard let transaction else {
            // An ACK for our 2xx.
            if let reference, var call = calls[reference], call.state == .answered {
                call.state = .established
                calls[reference] = call
                if !request.body.isEmpty { events.append(.answerInACK(reference, ack: request)) }
                events.append(.callEstablished(reference))
            }
            return
        }
        switch method {
        case .invite where reference == nil:
            guard (try? request.contacts().first?.address) != nil, (try? request.from())?.tag != nil else {
                respond(request, 400, in: transaction, now: now)
                return
            }
            let new = SIPCallReference(callID: request[.callID] ?? "", localTag: SIPRandom.tag(using: &generator))
            calls[new] = Call(reference: new, isOutbound: false, invite: request, inviteTransaction: transaction,
                              peer: source, transport: transport, state: .offered)
            events.append(.incomingCall(new, invite: request, source: source))
        case .invite, .info, .bye:
            handleInDialog(request, method: method, reference: reference, transaction: transaction, now: now)
        case .cancel:
            guard let inviteTransaction = layer.inviteTransaction(cancelledBy: transaction),
                  let (cancelled, call) = calls.first(where: { $0.value.inviteTransaction == inviteTransaction }) else {
                respond(request, 481, in: transaction, now: now)
                return
            }
            // Same To tag as the INVITE's responses (RFC 3261 section 9.2).
            respond(request, 200, in: transaction, toTag: cancelled.localTag, now: now)
            guard layer.canRespond(in: inviteTransaction), call.state == .offered || call.state == .ringing else { return }
            try? layer.sendResponse(makeResponse(call, status: 487), in: inviteTransaction, now: now)
            calls[cancelled] = nil
            events.append(.callCancelled(cancelled))
        case .options:
            respond(request, 200, in: transaction, headers: [SIPHeaderField(name: .allow, value: Self.allowed),
                                                            SIPHeaderField(name: "Accept", value: "application/sdp")], now: now)
        default:
            respond(request, 405, in: transaction, headers: [SIPHeaderField(name: .allow, value: Self.allowed)], now: now)
        }
    }

    private mutating func handleInDialog(_ request: SIPMessage, method: SIPMethod, reference: SIPCallReference?,
                                         transaction: SIPTransactionID, now: MonotonicInstant) {
        guard let reference, var call = calls[reference], var dialog = call.dialog,
              (try? request.from())?.tag == dialog.id.remoteTag else {
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
        calls[reference] = call
        switch method {
        case .bye:
            respond(request, 200, in: transaction, now: now)
            end(reference, reason: "remote hung up")
        case .info:
            respond(request, 200, in: transaction, now: now)
            events.append(.infoReceived(reference, request))
        default:
            // A re-INVITE (session refresh, hold, resume): our SDP with the directions the offer asks for.
            let body = Self.reanswer(request, localBody: call.localBody, lastBody: call.lastReanswer ?? call.localBody)
            call.lastReanswer = body
            calls[reference] = call
            respond(request, 200, in: transaction,
                    headers: [SIPHeaderField(name: .contact, value: "<\(localContact(of: call))>"),
                              SIPHeaderField(name: .contentType, value: SIPContentType.sdp.description)],
                    body: body, now: now)
            events.append(.callReoffered(reference, invite: request))
        }
    }

    /// The answer to a re-INVITE's offer (RFC 3264 section 8): `localBody`, our SDP of the first exchange, with
    /// each direction answering the new offer's (`recvonly` for a hold's `sendonly`, `sendrecv` again on resume)
    /// and the `o=` version of `lastBody`, the last SDP we sent, kept or raised by one. `lastBody` again when the
    /// re-INVITE has no offer (ours goes in the 200, its answer in the ACK) or either SDP does not parse.
    static func reanswer(_ request: SIPMessage, localBody: [UInt8], lastBody: [UInt8]) -> [UInt8] {
        guard let offer = (try? request.sessionDescription()) ?? nil, let local = try? SessionDescription(parsing: localBody),
              let last = try? SessionDescription(parsing: lastBody) else { return lastBody }
        return Array(local.answering(laterOffer: offer, previous: last).write().utf8)
    }
}
