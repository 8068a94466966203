import BridgeCore

/// Re-INVITEs the gateway sends in an answered call, to hold or resume it (RFC 3264 section 8.4).
extension SIPUserAgent {
    /// Sends `sdp` as a new offer in the call's dialog. `reofferAnswered` follows with the answer (the ACK
    /// is sent here), or `reofferRejected` with the status: a rejected re-INVITE leaves the session as it
    /// was (RFC 3261 section 14.1). One re-INVITE at a time.
    public mutating func reoffer(_ reference: SIPCallReference, sdp: [UInt8], now: MonotonicInstant) throws(SIPError) {
        guard var call = calls[reference], var dialog = call.dialog, call.state == .answered || call.state == .established else {
            throw .state("call", "\(reference) is not answered")
        }
        guard call.reofferTransaction == nil else { throw .state("call", "\(reference) already waits for a re-INVITE's answer") }
        let invite = dialog.makeRequest(.invite, via: freshVia(on: call.transport),
                                        headers: [SIPHeaderField(name: .allow, value: Self.allowed)] + userAgentHeaders,
                                        body: sdp, contentType: .sdp)
        call.reofferTransaction = try layer.sendRequest(invite, to: nextHop(of: call, dialog: dialog), transport: call.transport, now: now)
        call.reofferSequence = dialog.localSequence
        call.reofferACK = nil
        call.localBody = sdp
        call.dialog = dialog
        calls[reference] = call
        process(now: now)
    }

    /// Handles a response to our re-INVITE (a retransmitted 2xx too: ACKed again); false when it is not one.
    mutating func handleReofferResponse(_ response: SIPMessage, now: MonotonicInstant) -> Bool {
        guard let code = response.statusCode, let cseq = try? response.cseq(), cseq.method == .invite,
              let reference = SIPCallReference(incomingResponse: response), var call = calls[reference],
              let sequence = call.reofferSequence, sequence == cseq.sequence, let dialog = call.dialog
        else { return false }
        switch code {
        case 100...199:
            break
        case 200...299:
            let ack = call.reofferACK ?? dialog.makeACK(inviteSequence: sequence, via: freshVia(on: call.transport))
            try? layer.send(ack, to: nextHop(of: call, dialog: dialog), transport: call.transport)
            guard call.reofferACK == nil else { break }
            call.reofferACK = ack
            call.reofferTransaction = nil
            calls[reference] = call
            events.append(.reofferAnswered(reference, response: response))
        default:
            guard call.reofferTransaction != nil else { break }
            call.reofferTransaction = nil
            calls[reference] = call
            events.append(.reofferRejected(reference, status: code))
        }
        return true
    }

    /// No final response to our re-INVITE: the dialog is in doubt, so it ends with a BYE (RFC 3261 section 14.1).
    mutating func reofferTimedOut(_ reference: SIPCallReference, now: MonotonicInstant) {
        guard var call = calls[reference] else { return }
        call.reofferTransaction = nil
        calls[reference] = call
        events.append(.reofferRejected(reference, status: 408))
        try? sendBye(reference, now: now)
    }
}
