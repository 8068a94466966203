import BridgeCore

/// The transport a message travels on. Reliable ones (TCP, TLS, WS) skip retransmissions and the
/// waiting timers D, I, J, K (RFC 3261 section 17).
public enum SIPTransport: String, Sendable, Hashable {
    case udp = "UDP"
    case tcp = "TCP"
    case tls = "TLS"
    case ws = "WS"
    case wss = "WSS"

    public var isReliable: Bool { self != .udp }
}

/// T1, T2 and T4 of RFC 3261 section 17.1.1.1 and table 4; the other timers derive from them.
public struct SIPTimerValues: Sendable, Hashable {
    /// Round-trip estimate: first retransmission interval.
    public var t1: Duration
    /// Largest retransmission interval for non-INVITE requests and INVITE responses.
    public var t2: Duration
    /// How long a message may stay in the network.
    public var t4: Duration

    public init(t1: Duration = .milliseconds(500), t2: Duration = .seconds(4), t4: Duration = .seconds(5)) {
        self.t1 = t1
        self.t2 = t2
        self.t4 = t4
    }

    public static let rfc3261 = SIPTimerValues()

    /// Timers B, F, H, J, L, M: 64 * T1.
    var transactionTimeout: Duration { t1 * 64 }
    /// Timer D on an unreliable transport: at least 32 s.
    var timerD: Duration { max(.seconds(32), t1 * 64) }
}

/// Names one transaction (RFC 3261 sections 17.1.3 and 17.2.3): the top Via branch and the method
/// (ACK counts as INVITE on the server side; CANCEL is its own transaction). Server transactions also
/// key on the sent-by, as the RFC asks.
public struct SIPTransactionID: Sendable, Hashable, CustomStringConvertible {
    public let branch: String
    public let method: SIPMethod
    public let isServer: Bool
    /// The top Via's sent-by (server side only; empty for client transactions).
    public let sentBy: String

    init(branch: String, method: SIPMethod, isServer: Bool, sentBy: String = "") {
        self.branch = branch
        self.method = method == .ack ? .invite : method
        self.isServer = isServer
        self.sentBy = isServer ? sentBy.lowercased() : ""
    }

    public var description: String { "\(isServer ? "server" : "client") \(method) \(branch)" }

    /// The client transaction `request` (as sent through `sendRequest`) belongs to, for a driver reporting
    /// that it could not deliver it; nil for an ACK or a request without a branch.
    public init?(clientRequest request: SIPMessage) {
        guard let method = request.method, method != .ack, let branch = ((try? request.topVia()) ?? nil)?.branch else { return nil }
        self.init(branch: branch, method: method, isServer: false)
    }
}

/// One message to write: its bytes, where to, on which transport. For a reliable transport the driver
/// writes on the connection it has with `destination`.
public struct SIPOutgoingMessage: Sendable, Hashable {
    public let message: SIPMessage
    public let bytes: [UInt8]
    public let destination: TransportAddress
    public let transport: SIPTransport
}

/// What the transaction layer asks of its driver and its user, drained with `pollOutput()`.
public enum SIPTransactionOutput: Sendable, Hashable {
    /// Write these bytes.
    case send(SIPOutgoingMessage)
    /// A new request for the user. `transaction` is nil for an ACK to a 2xx, which belongs to the dialog,
    /// not to a transaction (RFC 3261 section 17.1.1.3). Retransmissions are absorbed and never shown.
    case requestReceived(SIPMessage, source: TransportAddress, transport: SIPTransport, transaction: SIPTransactionID?)
    /// A response for a client transaction; `transaction` is nil for a 2xx to an INVITE whose transaction
    /// has already ended (a retransmitted 2xx the dialog must ACK again).
    case responseReceived(SIPMessage, transaction: SIPTransactionID?)
    /// Timer B or F (no final response), H (no ACK for an error response) or L (no ACK for a 2xx).
    case timedOut(SIPTransactionID)
    /// The driver reported that a message of this transaction could not be sent.
    case transportError(SIPTransactionID)
    /// Input that was refused: not SIP, a missing mandatory header, a response matching no transaction.
    case dropped(reason: String, source: TransportAddress?)
}
