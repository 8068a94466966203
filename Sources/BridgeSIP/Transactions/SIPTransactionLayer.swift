import BridgeCore

/// Every SIP transaction of one user agent (RFC 3261 section 17), sans-IO: feed it what arrives with
/// `handle(…)`, hand it requests and responses to send, call `handleTimeout(now:)` at `nextTimeout()`, and
/// drain `pollOutput()` after each call.
///
/// It retransmits over UDP (timers A, E, G and the 2xx of an accepted INVITE), gives up on timers B, F, H
/// and L, answers an INVITE with 100 Trying at once, sends the ACK for INVITE error responses, absorbs
/// retransmitted requests and responses, stamps `received`/`rport` on incoming Vias (section 18.2.1,
/// RFC 3581) and sends responses where that Via says (section 18.2.2).
public struct SIPTransactionLayer: Sendable {
    public let timers: SIPTimerValues
    public let limits: SIPLimits
    /// New requests past this many live server transactions are dropped (a flood must not grow the table
    /// without bound; each entry lives up to 64*T1).
    public let maximumServerTransactions: Int
    private var clients: [SIPTransactionID: SIPClientTransaction] = [:]
    private var servers: [SIPTransactionID: SIPServerTransaction] = [:]
    private var output: [SIPTransactionOutput] = []
    private var outputHead = 0

    public init(timers: SIPTimerValues = .rfc3261, limits: SIPLimits = .default, maximumServerTransactions: Int = 4096) {
        self.timers = timers
        self.limits = limits
        self.maximumServerTransactions = maximumServerTransactions
    }

    public var clientTransactionCount: Int { clients.count }
    public var serverTransactionCount: Int { servers.count }

    // MARK: Output

    public mutating func pollOutput() -> SIPTransactionOutput? {
        guard outputHead < output.count else {
            output.removeAll(keepingCapacity: true)
            outputHead = 0
            return nil
        }
        defer { outputHead += 1 }
        return output[outputHead]
    }

    /// The earliest timer of any transaction.
    public func nextTimeout() -> MonotonicInstant? {
        (clients.values.compactMap(\.nextDeadline) + servers.values.compactMap(\.nextDeadline)).min()
    }

    public mutating func handleTimeout(now: MonotonicInstant) {
        for id in clients.keys {
            guard let deadline = clients[id]?.nextDeadline, deadline <= now else { continue }
            clients[id]?.handleTimeout(now: now, output: &output)
            if clients[id]?.state == .terminated { clients[id] = nil }
        }
        for id in servers.keys {
            guard let deadline = servers[id]?.nextDeadline, deadline <= now else { continue }
            servers[id]?.handleTimeout(now: now, output: &output)
            if servers[id]?.state == .terminated { servers[id] = nil }
        }
    }

    /// The driver could not deliver a message of `transaction` (RFC 3261 section 17.1.4, 17.2.4).
    public mutating func handleTransportError(for transaction: SIPTransactionID) {
        if transaction.isServer {
            servers[transaction]?.handleTransportError(output: &output)
            servers[transaction] = nil
        } else {
            clients[transaction]?.handleTransportError(output: &output)
            clients[transaction] = nil
        }
    }

    // MARK: Sending

    /// Starts a client transaction for `request` (not ACK) and sends it. The request must carry a top Via
    /// whose branch starts with `z9hG4bK` (see `SIPRandom.branch`), and a CSeq for its method.
    @discardableResult
    public mutating func sendRequest(_ request: SIPMessage, to destination: TransportAddress,
                                     transport: SIPTransport = .udp, now: MonotonicInstant) throws(SIPError) -> SIPTransactionID {
        guard let method = request.method, method != .ack else {
            throw .state("request", "ACK and responses are sent with send(_:to:transport:)")
        }
        try request.validate()
        guard let via = try request.topVia(), via.hasRFC3261Branch, let branch = via.branch else {
            throw .malformed("Via", "top Via needs a branch starting with \(SIPVia.magicCookie)")
        }
        let id = SIPTransactionID(branch: branch, method: method, isServer: false)
        guard clients[id] == nil else { throw .state("Via", "branch \(branch) is already in use") }
        let outgoing = SIPOutgoingMessage(message: request, bytes: try request.serialized(), destination: destination,
                                          transport: transport)
        clients[id] = SIPClientTransaction(id: id, request: request, outgoing: outgoing, timers: timers, now: now)
        output.append(.send(outgoing))
        return id
    }

    /// Sends a message outside any transaction: the ACK for a 2xx (RFC 3261 section 13.2.2.4), a stateless
    /// response.
    public mutating func send(_ message: SIPMessage, to destination: TransportAddress,
                              transport: SIPTransport = .udp) throws(SIPError) {
        output.append(.send(SIPOutgoingMessage(message: message, bytes: try message.serialized(),
                                               destination: destination, transport: transport)))
    }

    /// Sends the user's response in its server transaction, to the address its top Via names
    /// (`received`/`rport` included; the source address when the Via names a host that would need DNS, or
    /// on a reliable transport whose connection is the way back).
    public mutating func sendResponse(_ response: SIPMessage, in transaction: SIPTransactionID,
                                      now: MonotonicInstant) throws(SIPError) {
        guard var server = servers[transaction] else { throw .state("response", "no transaction \(transaction)") }
        let destination = Self.responseDestination(response, source: server.source, transport: server.transport)
        let outgoing = SIPOutgoingMessage(message: response, bytes: try response.serialized(),
                                          destination: destination, transport: server.transport)
        try server.send(outgoing, now: now, output: &output)
        servers[transaction] = server.state == .terminated ? nil : server
    }

    /// The request that started a server transaction (to build its responses).
    public func request(of transaction: SIPTransactionID) -> SIPMessage? {
        transaction.isServer ? servers[transaction]?.request : clients[transaction]?.request
    }

    /// The INVITE server transaction a CANCEL transaction cancels (RFC 3261 section 9.2: same branch).
    public func inviteTransaction(cancelledBy cancel: SIPTransactionID) -> SIPTransactionID? {
        let id = SIPTransactionID(branch: cancel.branch, method: .invite, isServer: true, sentBy: cancel.sentBy)
        return servers[id] == nil ? nil : id
    }

    /// True while the server transaction can still send a response.
    public func canRespond(in transaction: SIPTransactionID) -> Bool {
        guard let state = servers[transaction]?.state else { return false }
        return state == .trying || state == .proceeding
    }

    static func responseDestination(_ response: SIPMessage, source: TransportAddress,
                                    transport: SIPTransport) -> TransportAddress {
        guard !transport.isReliable, let via = try? response.topVia(), let address = via.responseAddress else {
            return source
        }
        return address
    }

    // MARK: Receiving

    /// A datagram or stream message's bytes from `source`. What does not parse is dropped and reported.
    public mutating func handle(bytes: [UInt8], from source: TransportAddress, transport: SIPTransport = .udp,
                                now: MonotonicInstant) {
        do {
            let message = try SIPMessage(parsing: bytes, framing: .datagram, limits: limits)
            handle(message, from: source, transport: transport, now: now)
        } catch {
            // A request whose head reads but whose body does not (Content-Length negative, not a number, or past
            // the datagram's end) gets 400 (RFC 3261 section 18.3); anything else is only dropped.
            guard let head = try? SIPMessage(parsingHeadOf: bytes, limits: limits), head.isRequest else {
                output.append(.dropped(reason: error.description, source: source))
                return
            }
            refuse(head, error: error, source: source, transport: transport)
        }
    }

    public mutating func handle(_ message: SIPMessage, from source: TransportAddress, transport: SIPTransport = .udp,
                                now: MonotonicInstant) {
        if message.isRequest {
            handleRequest(message, from: source, transport: transport, now: now)
        } else {
            handleResponse(message, from: source, now: now)
        }
    }

    private mutating func handleResponse(_ response: SIPMessage, from source: TransportAddress, now: MonotonicInstant) {
        guard let via = try? response.topVia(), let branch = via.branch, let cseq = try? response.cseq() else {
            output.append(.dropped(reason: "response without a usable top Via or CSeq", source: source))
            return
        }
        let id = SIPTransactionID(branch: branch, method: cseq.method, isServer: false)
        guard var client = clients[id] else {
            if cseq.method == .invite, let code = response.statusCode, (200...299).contains(code) {
                output.append(.responseReceived(response, transaction: nil))
            } else {
                output.append(.dropped(reason: "response matches no transaction", source: source))
            }
            return
        }
        client.handle(response: response, now: now, output: &output)
        clients[id] = client.state == .terminated ? nil : client
    }

    private mutating func handleRequest(_ received: SIPMessage, from source: TransportAddress,
                                        transport: SIPTransport, now: MonotonicInstant) {
        var request = received
        do {
            try request.validate()
            try Self.stampVia(&request, source: source)
        } catch {
            refuse(request, error: error, source: source, transport: transport)
            return
        }
        guard let method = request.method, let via = try? request.topVia(), let cseq = try? request.cseq() else { return }
        let branch = via.hasRFC3261Branch ? (via.branch ?? "") : Self.legacyBranch(request, via: via)
        let id = SIPTransactionID(branch: branch, method: method, isServer: true, sentBy: via.sentBy)

        if method == .ack {
            if servers[id] != nil {
                servers[id]?.handleACK(now: now)
                return
            }
            // An ACK for a 2xx: stop resending it, and give it to the dialog.
            let callID = request[.callID] ?? ""
            if let match = servers.first(where: { $0.value.matches2xxACK(callID: callID, sequence: cseq.sequence) })?.key {
                servers[match]?.handleACKFor2xx()
            }
            output.append(.requestReceived(request, source: source, transport: transport, transaction: nil))
            return
        }
        if let existing = servers[id] {
            existing.handleRetransmission(output: &output)
            return
        }
        guard servers.count < maximumServerTransactions else {
            output.append(.dropped(reason: "more than \(maximumServerTransactions) server transactions", source: source))
            return
        }
        let server = SIPServerTransaction(id: id, request: request, source: source, transport: transport, timers: timers)
        servers[id] = server
        output.append(.requestReceived(request, source: source, transport: transport, transaction: id))
        if method == .invite {
            // RFC 3261 section 17.2.1: 100 Trying stops the client's retransmissions.
            try? sendResponse(SIPResponseBuilder.response(to: request, status: 100), in: id, now: now)
        }
    }

    /// A request that fails validation gets a stateless 400 (not an ACK, and only if its Via can route it).
    private mutating func refuse(_ request: SIPMessage, error: SIPError, source: TransportAddress, transport: SIPTransport) {
        output.append(.dropped(reason: error.description, source: source))
        guard request.method != .ack, (try? request.topVia()) != nil else { return }
        var response = SIPResponseBuilder.response(to: request, status: 400)
        let reason = error.message.filter { $0.isASCII && !$0.isNewline }.prefix(80)
        response.startLine = .response(statusCode: 400, reasonPhrase: "Bad Request (\(reason))")
        let destination = Self.responseDestination(response, source: source, transport: transport)
        try? send(response, to: destination, transport: transport)
    }

    /// RFC 3261 section 18.2.1: `received` when the sent-by host is not the source address; RFC 3581
    /// section 4: `rport` filled in (and `received` always) when the client asked.
    static func stampVia(_ request: inout SIPMessage, source: TransportAddress) throws(SIPError) {
        var vias = try request.vias()
        guard var top = vias.first else { return }
        let sourceIP = source.ipString
        var changed = false
        if top.rport != nil {
            top.rport = .value(source.port)
            top.received = sourceIP
            changed = true
        } else if TransportAddress(top.host, port: 0)?.ipString != sourceIP {
            top.received = sourceIP
            changed = true
        }
        guard changed else { return }
        vias[0] = top
        guard let position = request.headers.firstIndex(where: { $0.name == .via }) else { return }
        request.headers.removeAll { $0.name == .via }
        let fields = vias.map { SIPHeaderField(name: .via, value: $0.description) }
        request.headers.insert(contentsOf: fields, at: min(position, request.headers.count))
    }

    /// A transaction key for RFC 2543 peers without the magic cookie (RFC 3261 section 17.2.3, simplified):
    /// Request-URI, From tag, Call-ID, CSeq number and top Via.
    private static func legacyBranch(_ request: SIPMessage, via: SIPVia) -> String {
        let tag = (try? request.from())?.tag ?? ""
        let sequence = (try? request.cseq())?.sequence ?? 0
        return "rfc2543|\(request.requestURIText ?? "")|\(tag)|\(request[.callID] ?? "")|\(sequence)|\(via.sentBy)"
    }
}
