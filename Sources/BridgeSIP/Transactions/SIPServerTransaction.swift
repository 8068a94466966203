import BridgeCore

/// An INVITE or non-INVITE server transaction (RFC 3261 sections 17.2.1 and 17.2.2, with RFC 6026's
/// Accepted state so that the 2xx is retransmitted until its ACK arrives, as section 13.3.1.4 asks of
/// the UAS).
///
/// ```
/// INVITE:     Proceeding (100 sent) --300-699--> Completed --ACK--> Confirmed --I--> Terminated
///                  |                  G: resend final, H: give up
///                  \--2xx--> Accepted (resend 2xx at T1, 2T1… ≤ T2 until ACK) --L--> Terminated
/// non-INVITE: Trying --1xx--> Proceeding --final--> Completed --J--> Terminated
/// ```
/// A retransmitted request gets the last response again (or nothing in Trying) and never reaches the user.
struct SIPServerTransaction: Sendable {
    enum State: Sendable, Hashable {
        case trying, proceeding, completed, confirmed, accepted, terminated
    }

    let id: SIPTransactionID
    let request: SIPMessage
    let source: TransportAddress
    let transport: SIPTransport
    let timers: SIPTimerValues
    let callID: String
    let sequence: UInt32
    private(set) var state: State
    private var lastResponse: SIPOutgoingMessage?
    private var retransmitAt: MonotonicInstant?
    private var retransmitInterval: Duration
    private var timeoutAt: MonotonicInstant?
    private var endAt: MonotonicInstant?
    private var acknowledged = false

    var isInvite: Bool { id.method == .invite }

    init(id: SIPTransactionID, request: SIPMessage, source: TransportAddress, transport: SIPTransport,
         timers: SIPTimerValues) {
        self.id = id
        self.request = request
        self.source = source
        self.transport = transport
        self.timers = timers
        callID = request[.callID] ?? ""
        sequence = (try? request.cseq())?.sequence ?? 0
        state = id.method == .invite ? .proceeding : .trying
        retransmitInterval = timers.t1
    }

    var nextDeadline: MonotonicInstant? {
        [retransmitAt, timeoutAt, endAt].compactMap { $0 }.min()
    }

    /// The same request again: answer with the last response, if any.
    func handleRetransmission(output: inout [SIPTransactionOutput]) {
        switch state {
        case .proceeding, .completed:
            if let lastResponse { output.append(.send(lastResponse)) }
        default:
            break
        }
    }

    /// The ACK for a 300-699 final response (same branch).
    mutating func handleACK(now: MonotonicInstant) {
        guard isInvite, state == .completed else { return }
        state = .confirmed
        retransmitAt = nil
        timeoutAt = nil
        endAt = now + (transport.isReliable ? .zero : timers.t4)
    }

    /// The ACK for a 2xx (its own branch, matched by Call-ID and CSeq number): stop resending the 2xx.
    mutating func handleACKFor2xx() {
        guard state == .accepted else { return }
        acknowledged = true
        retransmitAt = nil
        // Stay until timer L to absorb INVITE retransmissions (RFC 6026 section 7.1).
        endAt = timeoutAt
        timeoutAt = nil
    }

    func matches2xxACK(callID: String, sequence: UInt32) -> Bool {
        state == .accepted && !acknowledged && self.callID == callID && self.sequence == sequence
    }

    /// The user's response. Refused after a final response was sent.
    mutating func send(_ response: SIPOutgoingMessage, now: MonotonicInstant,
                       output: inout [SIPTransactionOutput]) throws(SIPError) {
        guard let code = response.message.statusCode else { throw .state("response", "not a response") }
        guard state == .trying || state == .proceeding else {
            throw .state("response", "transaction \(id) already sent a final response")
        }
        output.append(.send(response))
        lastResponse = response
        switch code {
        case 100...199:
            state = .proceeding
        case 200...299 where isInvite:
            state = .accepted
            timeoutAt = now + timers.transactionTimeout
            if !transport.isReliable { retransmitAt = now + timers.t1 }
        default:
            state = .completed
            if isInvite {
                timeoutAt = now + timers.transactionTimeout
                if !transport.isReliable { retransmitAt = now + timers.t1 }
            } else {
                endAt = now + (transport.isReliable ? .zero : timers.transactionTimeout)
            }
        }
    }

    mutating func handleTimeout(now: MonotonicInstant, output: inout [SIPTransactionOutput]) {
        if let endAt, now >= endAt {
            state = .terminated
            return
        }
        if let timeoutAt, now >= timeoutAt {
            if state == .completed || (state == .accepted && !acknowledged) {
                output.append(.timedOut(id))
            }
            state = .terminated
            return
        }
        if let retransmitAt, now >= retransmitAt, let lastResponse {
            output.append(.send(lastResponse))
            retransmitInterval = min(retransmitInterval * 2, timers.t2)
            self.retransmitAt = now + retransmitInterval
        }
    }

    mutating func handleTransportError(output: inout [SIPTransactionOutput]) {
        guard state != .terminated else { return }
        state = .terminated
        output.append(.transportError(id))
    }
}
