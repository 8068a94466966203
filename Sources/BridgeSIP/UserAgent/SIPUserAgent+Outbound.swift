import BridgeCore

/// Outbound calls: INVITE, digest, ACK for the 2xx, CANCEL.
extension SIPUserAgent {
    /// Calls `target` (the Request-URI and To) at `destination` with our `sdp` offer. `from` is our address of
    /// record (default: the Contact without parameters); `credentials` answer one 401/407 per nonce.
    public mutating func startCall(to target: SIPURI, from: SIPURI? = nil, destination: TransportAddress,
                                   transport: SIPTransport = .udp, sdp: [UInt8], credentials: SIPCredentials? = nil,
                                   now: MonotonicInstant) throws(SIPError) -> SIPCallReference {
        let callID = SIPCallID.random(host: configuration.contact.host, using: &generator)
        let reference = SIPCallReference(callID: callID.rawValue, localTag: SIPRandom.tag(using: &generator))
        var aor = from ?? configuration.contact
        aor.parameters = SIPParameters()
        var invite = SIPMessage.request(.invite, uri: target)
        invite.append(.via, freshVia(on: transport).description)
        invite.append(.maxForwards, "70")
        invite.append(.from, SIPNameAddress(uri: aor, parameters: SIPParameters([.init(name: "tag", value: reference.localTag)])).description)
        invite.append(.to, SIPNameAddress(uri: target).description)
        invite.append(.callID, callID.rawValue)
        invite.append(.cseq, "1 INVITE")
        invite.append(.contact, "<\(configuration.contact(on: transport, secure: target.isSecure))>")
        invite.append(.allow, Self.allowed)
        invite.headers.append(contentsOf: userAgentHeaders)
        invite.append(.contentType, SIPContentType.sdp.description)
        invite.body = sdp
        let transaction = try layer.sendRequest(invite, to: destination, transport: transport, now: now)
        calls[reference] = Call(reference: reference, isOutbound: true, invite: invite, inviteTransaction: transaction,
                                peer: destination, transport: transport, state: .calling, localBody: sdp,
                                digest: credentials.map(SIPDigestClient.init))
        process(now: now)
        return reference
    }

    /// CANCEL for an outbound call not yet answered (sent once a provisional response came, RFC 3261
    /// section 9.1); the INVITE then ends with 487.
    mutating func cancel(_ reference: SIPCallReference, now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], call.isOutbound, call.state == .calling else {
            throw .state("call", "\(reference) cannot be cancelled")
        }
        guard call.sawProvisional else {
            call.cancelWhenProvisional = true
            calls[reference] = call
            return
        }
        var cancel = SIPMessage.request(.cancel, uri: try call.invite.requestURI() ?? configuration.contact)
        if let via = try call.invite.topVia() { cancel.append(.via, via.description) }
        cancel.append(.maxForwards, "70")
        for name in [SIPHeaderName.from, .to, .callID] {
            if let value = call.invite[name] { cancel.append(name, value) }
        }
        cancel.append(.cseq, "\((try call.invite.cseq())?.sequence ?? 1) CANCEL")
        for route in call.invite.fields(.route) { cancel.append(.route, route.value) }
        try layer.sendRequest(cancel, to: call.peer, transport: call.transport, now: now)
        call.state = .cancelling
        call.cancelDeadline = now + layer.timers.t1 * 64
        calls[reference] = call
        process(now: now)
    }

    mutating func handleInviteResponse(_ response: SIPMessage, transaction: SIPTransactionID?, now: MonotonicInstant) {
        guard let code = response.statusCode, let cseq = try? response.cseq(), cseq.method == .invite,
              let reference = SIPCallReference(incomingResponse: response), var call = calls[reference], call.isOutbound
        else { return }
        guard transaction == nil || transaction == call.inviteTransaction else { return }
        switch code {
        case 100...199:
            call.sawProvisional = true
            if code > 100, call.dialog == nil, (try? response.to())?.tag != nil {
                call.dialog = try? SIPDialog(uacRequest: call.invite, response: response)
            }
            calls[reference] = call
            if code > 100 { events.append(.callProgress(reference, response: response)) }
            if call.cancelWhenProvisional { try? cancel(reference, now: now) }
        case 200...299:
            if let ack = call.ack, let dialog = call.dialog {
                // A retransmitted 2xx: the ACK again (RFC 3261 section 13.2.2.4).
                try? layer.send(ack, to: destination(of: dialog, fallback: call.peer), transport: call.transport)
                return
            }
            do {
                var dialog = try SIPDialog(uacRequest: call.invite, response: response)
                if var early = call.dialog, early.id == dialog.id {
                    try early.handle(response: response)
                    dialog = early
                }
                let ack = dialog.makeACK(inviteSequence: cseq.sequence, via: freshVia(on: call.transport))
                try layer.send(ack, to: destination(of: dialog, fallback: call.peer), transport: call.transport)
                call.dialog = dialog
                call.ack = ack
                let wasCancelling = call.state == .cancelling
                call.state = .established
                calls[reference] = call
                if wasCancelling {
                    // The answer crossed our CANCEL: end it with a BYE (RFC 3261 section 9.1).
                    try sendBye(reference, now: now)
                } else {
                    events.append(.callAnswered(reference, response: response))
                    events.append(.callEstablished(reference))
                }
            } catch {
                events.append(.dropped(reason: "unusable 2xx: \(error)", source: nil))
            }
        case 401, 407:
            guard let retry = authenticatedRetry(&call, after: response) else {
                end(reference, reason: "authentication failed (\(code))")
                return
            }
            do {
                call.inviteTransaction = try layer.sendRequest(retry, to: call.peer, transport: call.transport, now: now)
                call.invite = retry
                call.sawProvisional = false
                call.dialog = nil
                calls[reference] = call
            } catch {
                end(reference, reason: "cannot resend the INVITE: \(error.message)")
            }
        default:
            end(reference, reason: call.state == .cancelling ? "cancelled" : "rejected with \(code)")
        }
    }

    /// The INVITE again with credentials, unless every nonce was answered before.
    private mutating func authenticatedRetry(_ call: inout Call, after response: SIPMessage) -> SIPMessage? {
        guard call.state == .calling, var digest = call.digest,
              let nonces = (try? SIPDigestChallenge.challenges(in: response))?.map(\.nonce), !nonces.isEmpty,
              nonces.contains(where: { !call.answeredNonces.contains($0) }) else { return nil }
        call.answeredNonces.formUnion(nonces)
        let branch = SIPRandom.branch(using: &generator)
        let cnonce = SIPRandom.hex(bytes: 8, using: &generator)
        guard let retry = try? digest.authorizedRequest(retrying: call.invite, after: response, branch: branch,
                                                        cnonce: cnonce) else { return nil }
        call.digest = digest
        return retry
    }
}
