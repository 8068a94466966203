import BridgeCore

/// An INVITE or non-INVITE client transaction (RFC 3261 sections 17.1.1 and 17.1.2, with the Accepted
/// state of RFC 6026 for INVITE 2xx). A plain value driven by `SIPTransactionLayer`; it appends what it
/// wants done to `output`.
///
/// ```
/// INVITE:      Calling --1xx--> Proceeding --300-699 (send ACK)--> Completed --D--> Terminated
///                 |   \______________________2xx______________> Accepted  --M--> Terminated
///                 B (timeout)        A: retransmit at T1, 2T1, 4T1… (unreliable only)
/// non-INVITE:  Trying --1xx--> Proceeding --final--> Completed --K--> Terminated
///                 F (timeout)        E: retransmit at T1, 2T1… capped at T2
/// ```
struct SIPClientTransaction: Sendable {
    enum State: Sendable, Hashable {
        case calling, proceeding, completed, accepted, terminated
    }

    let id: SIPTransactionID
    let request: SIPMessage
    let outgoing: SIPOutgoingMessage
    let timers: SIPTimerValues
    private(set) var state: State = .calling
    private var retransmitAt: MonotonicInstant?
    private var retransmitInterval: Duration
    private var timeoutAt: MonotonicInstant?
    private var endAt: MonotonicInstant?
    private var ack: SIPOutgoingMessage?

    var isInvite: Bool { id.method == .invite }

    init(id: SIPTransactionID, request: SIPMessage, outgoing: SIPOutgoingMessage, timers: SIPTimerValues,
         now: MonotonicInstant) {
        self.id = id
        self.request = request
        self.outgoing = outgoing
        self.timers = timers
        retransmitInterval = timers.t1
        if !outgoing.transport.isReliable { retransmitAt = now + timers.t1 }
        timeoutAt = now + timers.transactionTimeout
    }

    var nextDeadline: MonotonicInstant? {
        [retransmitAt, timeoutAt, endAt].compactMap { $0 }.min()
    }

    mutating func handleTimeout(now: MonotonicInstant, output: inout [SIPTransactionOutput]) {
        if let endAt, now >= endAt {
            state = .terminated
            return
        }
        if let timeoutAt, now >= timeoutAt, state == .calling || (!isInvite && state == .proceeding) {
            state = .terminated
            output.append(.timedOut(id))
            return
        }
        if let retransmitAt, now >= retransmitAt {
            output.append(.send(outgoing))
            if isInvite {
                retransmitInterval = retransmitInterval * 2
            } else {
                retransmitInterval = state == .proceeding ? timers.t2 : min(retransmitInterval * 2, timers.t2)
            }
            self.retransmitAt = now + retransmitInterval
        }
    }

    mutating func handle(response: SIPMessage, now: MonotonicInstant, output: inout [SIPTransactionOutput]) {
        guard let code = response.statusCode else { return }
        switch (state, code) {
        case (.calling, 100...199), (.proceeding, 100...199):
            state = .proceeding
            if isInvite {
                // RFC 3261 section 17.1.1.2: no more retransmissions, and timer B only runs in Calling.
                retransmitAt = nil
                timeoutAt = nil
            } else if retransmitAt != nil {
                retransmitInterval = timers.t2
            }
            output.append(.responseReceived(response, transaction: id))
        case (.calling, 200...299), (.proceeding, 200...299):
            output.append(.responseReceived(response, transaction: id))
            retransmitAt = nil
            timeoutAt = nil
            if isInvite {
                state = .accepted
                endAt = now + timers.transactionTimeout
            } else {
                complete(now: now)
            }
        case (.calling, _), (.proceeding, _):
            output.append(.responseReceived(response, transaction: id))
            retransmitAt = nil
            timeoutAt = nil
            if isInvite {
                let ack = makeACK(for: response)
                self.ack = ack
                output.append(.send(ack))
            }
            complete(now: now)
        case (.accepted, 200...299):
            // Retransmitted or forked 2xx: the dialog layer sends the ACK (RFC 6026 section 7.2).
            output.append(.responseReceived(response, transaction: id))
        case (.completed, 300...699):
            if let ack { output.append(.send(ack)) }
        default:
            break
        }
    }

    private mutating func complete(now: MonotonicInstant) {
        state = .completed
        let wait = outgoing.transport.isReliable ? Duration.zero : (isInvite ? timers.timerD : timers.t4)
        endAt = now + wait
    }

    /// The ACK for a 300-699 response (RFC 3261 section 17.1.1.3): same Request-URI, Call-ID, From, CSeq
    /// number and top Via as the INVITE, the response's To (with its tag), the INVITE's Route headers.
    private func makeACK(for response: SIPMessage) -> SIPOutgoingMessage {
        var ack = SIPMessage(startLine: .request(method: .ack, uri: request.requestURIText ?? ""))
        if let via = request.fields(.via).first {
            let top = SIPGrammar.split(Substring(via.value), at: ",")?.first.map { String(SIPGrammar.trimmed($0)) }
            ack.append(.via, top ?? via.value)
        }
        for name in [SIPHeaderName.from, .callID] {
            if let value = request[name] { ack.append(name, value) }
        }
        if let value = response[.to] ?? request[.to] { ack.append(.to, value) }
        let sequence = (try? request.cseq())?.sequence ?? 0
        ack.append(.cseq, "\(sequence) ACK")
        ack.append(.maxForwards, "70")
        for route in request.fields(.route) { ack.append(.route, route.value) }
        let bytes = (try? ack.serialized()) ?? []
        return SIPOutgoingMessage(message: ack, bytes: bytes, destination: outgoing.destination, transport: outgoing.transport)
    }

    mutating func handleTransportError(output: inout [SIPTransactionOutput]) {
        guard state != .terminated else { return }
        state = .terminated
        output.append(.transportError(id))
    }
}
