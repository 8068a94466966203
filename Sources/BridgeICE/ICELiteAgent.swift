import BridgeCore
import BridgeSTUN

/// An ICE-lite agent (RFC 8445 section 2.5), sans-IO: it answers the browser's connectivity checks,
/// learns peer-reflexive addresses, follows nomination, and ends the session when consent lapses
/// (RFC 7675: no valid check for `consentTimeout`).
///
/// The gateway is always the controlled, lite side: it sends no checks of its own. A datagram is trusted
/// only after its STUN FINGERPRINT and MESSAGE-INTEGRITY check out with the session's password.
public struct ICELiteAgent: Sendable {
    public struct Credentials: Sendable, Hashable {
        public var ufrag: String
        public var pwd: String

        public init(ufrag: String, pwd: String) {
            self.ufrag = ufrag
            self.pwd = pwd
        }
    }

    public enum State: Sendable, Hashable {
        /// Waiting for the first valid check.
        case checking
        /// A pair is selected (nominated, or the first validated address until nomination).
        case connected
        /// Consent lapsed or never came; terminal.
        case closed
    }

    public enum Event: Sendable, Hashable {
        /// Media goes to this address from now on (first nomination, or the browser nominated another pair).
        case selectedAddressChanged(TransportAddress)
        case closed(reason: String)
    }

    /// What to do with a STUN datagram.
    public enum Outcome: Sendable, Hashable {
        /// Send these bytes back to the source address.
        case respond([UInt8])
        /// Not for this agent, or not valid: drop and count under `reason`.
        case drop(DropReason)
    }

    public enum DropReason: String, Sendable, Hashable {
        case notARequest = "stun-not-request"
        case badFingerprint = "stun-bad-fingerprint"
        case badUsername = "stun-bad-username"
        case badIntegrity = "stun-bad-integrity"
        case closed = "ice-closed"
        case tooManyAddresses = "ice-too-many-addresses"
        /// A check whose transaction id this session already answered, from another address: a replay.
        case replayed = "stun-replayed"
    }

    public let local: Credentials
    /// The browser's credentials from its SDP; when known, USERNAME must name its ufrag.
    public var remote: Credentials?
    public var consentTimeout: Duration = .seconds(30)
    /// Addresses a session may learn (host, reflexive, relay candidates of one browser).
    public static let maximumAddresses = 16

    public private(set) var state: State = .checking
    public private(set) var selectedAddress: TransportAddress?
    private var nominated = false
    /// Last valid check per address: the address is validated, and its consent is fresh until + timeout.
    private var lastCheck: [TransportAddress: MonotonicInstant] = [:]
    private let createdAt: MonotonicInstant
    private var events: [Event] = []
    /// Transaction ids of the checks answered lately, with their source: a replayed check neither moves
    /// media nor refreshes consent (RFC 7675 section 5.1 asks for fresh transactions).
    private var recentChecks = RecentSTUNTransactions()

    private let localKey: STUNShortTermKey

    public init(local: Credentials, remote: Credentials?, now: MonotonicInstant) {
        self.local = local
        localKey = STUNShortTermKey(password: local.pwd)
        self.remote = remote
        createdAt = now
    }

    /// Whether DTLS and SRTP from this address may be accepted (it passed a connectivity check).
    public func isValidated(_ address: TransportAddress) -> Bool {
        lastCheck[address] != nil
    }

    /// Answers a Binding request; learns and nominates addresses.
    public mutating func handleSTUN(_ message: STUNMessage, from source: TransportAddress, now: MonotonicInstant) -> Outcome {
        guard state != .closed else { return .drop(.closed) }
        guard message.type == .bindingRequest else {
            // Binding indications are keep-alives (RFC 8445 section 11); nothing to answer.
            return .drop(.notARequest)
        }
        guard STUNIntegrity.hasValidFingerprint(message) else { return .drop(.badFingerprint) }
        guard let username = message.username, let colon = username.firstIndex(of: ":"),
              username[..<colon] == local.ufrag,
              remote.map({ username[username.index(after: colon)...] == $0.ufrag }) ?? true
        else { return .drop(.badUsername) }
        guard STUNIntegrity.hasValidIntegrity(message, key: localKey) else { return .drop(.badIntegrity) }
        switch recentChecks.lookUp(message.transactionID) {
        case .some(let firstSource) where firstSource != source:
            return .drop(.replayed)
        case .some:
            // The browser retransmitted (our answer was lost): answer again, learn nothing new.
            return .respond(successResponse(to: message, source: source))
        case .none:
            break
        }
        guard lastCheck[source] != nil || lastCheck.count < Self.maximumAddresses else { return .drop(.tooManyAddresses) }

        recentChecks.insert(message.transactionID, from: source)
        lastCheck[source] = now
        if message.has(.useCandidate) {
            if !nominated || selectedAddress != source { select(source) }
            nominated = true
        } else if selectedAddress == nil {
            // Until the browser nominates, answer media on the first pair that works (peer-reflexive included).
            select(source)
        }
        return .respond(successResponse(to: message, source: source))
    }

    private mutating func select(_ address: TransportAddress) {
        selectedAddress = address
        state = .connected
        events.append(.selectedAddressChanged(address))
    }

    private func successResponse(to request: STUNMessage, source: TransportAddress) -> [UInt8] {
        var builder = STUNMessageBuilder(type: .bindingSuccess, transactionID: request.transactionID)
        builder.appendXORMappedAddress(source)
        builder.appendMessageIntegrity(key: localKey)
        builder.appendFingerprint()
        return builder.message
    }

    /// The one deadline the driver must schedule: when consent (or the first check) runs out.
    public func nextTimeout() -> MonotonicInstant? {
        guard state != .closed else { return nil }
        guard let selectedAddress, let last = lastCheck[selectedAddress] else { return createdAt + consentTimeout }
        return last + consentTimeout
    }

    public mutating func handleTimeout(now: MonotonicInstant) {
        guard let deadline = nextTimeout(), now >= deadline else { return }
        state = .closed
        events.append(.closed(reason: selectedAddress == nil
            ? "no ICE connectivity check within \(consentTimeout)"
            : "consent expired: no ICE check from \(selectedAddress.map(String.init(describing:)) ?? "-") for \(consentTimeout)"))
    }

    public mutating func pollEvent() -> Event? {
        events.isEmpty ? nil : events.removeFirst()
    }

    /// Ends the agent (session closed by the gateway).
    public mutating func close() {
        guard state != .closed else { return }
        state = .closed
    }
}
