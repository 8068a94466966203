import BridgeCore

/// Keeps one binding at a registrar (RFC 3261 section 10), sans-IO: it builds REGISTER requests for the
/// transaction layer to send, reads their final responses, answers Digest challenges once per nonce,
/// refreshes at half the granted interval, and after a failure retries with a doubling backoff (30 s up to
/// 30 min, as RFC 5626 section 4.5 suggests). Every REGISTER uses the same Call-ID and the next CSeq
/// (section 10.2.4).
///
/// Wiring: send each `.send(request)` with `SIPTransactionLayer.sendRequest(_:to:transport:now:)`; give
/// responses of that transaction to `handle(response:now:)` and its timeout or transport error to
/// `handleTransactionFailure(now:)`; call `handleTimeout(now:)` at `nextTimeout()`.
public struct SIPRegistration: Sendable {
    public struct Configuration: Sendable {
        /// The Request-URI: `sip:registrar-domain`.
        public var registrar: SIPURI
        /// Address of record (From and To).
        public var addressOfRecord: SIPURI
        /// Where calls for the address of record should go.
        public var contact: SIPURI
        public var credentials: SIPCredentials?
        /// Asked-for binding lifetime in seconds.
        public var expires: UInt32
        /// Our Via sent-by and transport.
        public var via: SIPVia
        public var userAgent: String?

        public init(registrar: SIPURI, addressOfRecord: SIPURI, contact: SIPURI, credentials: SIPCredentials?,
                    expires: UInt32 = 600, via: SIPVia, userAgent: String? = nil) {
            self.registrar = registrar
            self.addressOfRecord = addressOfRecord
            self.contact = contact
            self.credentials = credentials
            self.expires = expires
            self.via = via
            self.userAgent = userAgent
        }
    }

    public enum State: Sendable, Hashable {
        case idle
        /// A REGISTER is in flight.
        case registering
        /// Bound until `expires`; refreshed before.
        case registered(expires: MonotonicInstant)
        /// Retrying at `retryAt` after `reason`.
        case failed(reason: String, retryAt: MonotonicInstant)
        /// Unregistered (expires=0 acknowledged) or stopped.
        case stopped
    }

    public enum Output: Sendable, Hashable {
        case send(SIPMessage)
        case registered(expires: UInt32)
        case failed(reason: String)
        case unregistered
    }

    public let configuration: Configuration
    public let callID: SIPCallID
    public let localTag: String
    public private(set) var state: State = .idle
    private var sequence: UInt32 = 0
    private var pending: SIPMessage?
    private var requestedExpires: UInt32
    private var answeredNonces: Set<String> = []
    private var failures = 0
    private var refreshAt: MonotonicInstant?
    private var digest: SIPDigestClient?
    private var output: [SIPOutput] = []
    private var generator: SIPSeededRandom
    private var unregistering = false

    private typealias SIPOutput = Output

    /// `seed` drives branches and cnonces (tests pass a fixed one); nil, for the driver, uses the system generator.
    public init(configuration: Configuration, callID: SIPCallID, localTag: String, seed: UInt64? = nil) {
        self.configuration = configuration
        self.callID = callID
        self.localTag = localTag
        requestedExpires = configuration.expires
        digest = configuration.credentials.map(SIPDigestClient.init)
        generator = SIPSeededRandom(seed: seed)
    }

    public mutating func pollOutput() -> Output? {
        output.isEmpty ? nil : output.removeFirst()
    }

    public func nextTimeout() -> MonotonicInstant? {
        switch state {
        case .registered: refreshAt
        case .failed(_, let retryAt): retryAt
        default: nil
        }
    }

    /// Sends the first REGISTER.
    public mutating func start(now: MonotonicInstant) {
        unregistering = false
        sendRegister(expires: requestedExpires)
    }

    /// Removes the binding (expires=0).
    public mutating func stop(now: MonotonicInstant) {
        unregistering = true
        refreshAt = nil
        sendRegister(expires: 0)
    }

    public mutating func handleTimeout(now: MonotonicInstant) {
        guard let deadline = nextTimeout(), now >= deadline else { return }
        answeredNonces.removeAll()
        sendRegister(expires: requestedExpires)
    }

    /// Timer F or a transport error for the pending REGISTER.
    public mutating func handleTransactionFailure(now: MonotonicInstant) {
        guard pending != nil else { return }
        fail("no response from the registrar", now: now)
    }

    /// A final response to the pending REGISTER (provisional ones are ignored).
    public mutating func handle(response: SIPMessage, now: MonotonicInstant) {
        guard let request = pending, let code = response.statusCode, code >= 200,
              (try? response.cseq())?.sequence == sequence, response[.callID] == callID.rawValue else { return }
        switch code {
        case 200...299:
            pending = nil
            failures = 0
            if unregistering {
                state = .stopped
                output.append(.unregistered)
                return
            }
            let granted = grantedExpires(in: response)
            state = .registered(expires: now + .seconds(Int64(granted)))
            refreshAt = now + .seconds(Int64(max(1, granted / 2)))
            output.append(.registered(expires: granted))
        case 401, 407:
            let nonces = (try? SIPDigestChallenge.challenges(in: response))?.map(\.nonce) ?? []
            let fresh = nonces.contains { !answeredNonces.contains($0) }
                || ((try? SIPDigestChallenge.challenges(in: response))?.contains(where: \.isStale) ?? false)
            guard var client = digest, fresh, !nonces.isEmpty else {
                fail("registrar refused the credentials (\(code))", now: now)
                return
            }
            answeredNonces.formUnion(nonces)
            let branch = SIPRandom.branch(using: &generator)
            let cnonce = SIPRandom.hex(bytes: 8, using: &generator)
            do {
                let retry = try client.authorizedRequest(retrying: request, after: response, branch: branch, cnonce: cnonce)
                digest = client
                sequence = (try? retry.cseq())?.sequence ?? sequence &+ 1
                pending = retry
                output.append(.send(retry))
            } catch {
                fail("cannot answer the challenge: \(error.message)", now: now)
            }
        case 423:
            // Interval Too Brief: ask again with the registrar's minimum (section 10.2.8).
            if let text = response[.minExpires], let minimum = SIPDeltaSeconds.parse(text), minimum > requestedExpires {
                requestedExpires = minimum
                sendRegister(expires: requestedExpires)
            } else {
                fail("423 without a usable Min-Expires", now: now)
            }
        default:
            fail("registrar answered \(code)", now: now)
        }
    }

    private func grantedExpires(in response: SIPMessage) -> UInt32 {
        let ours = configuration.contact
        let contacts = (try? response.contacts()) ?? []
        if let match = contacts.first(where: { $0.address?.uri.host == ours.host && $0.address?.uri.user == ours.user
            && $0.address?.uri.port == ours.port }), let expires = match.expires {
            return expires
        }
        return ((try? response.expires()) ?? nil) ?? requestedExpires
    }

    private mutating func fail(_ reason: String, now: MonotonicInstant) {
        pending = nil
        failures += 1
        let delay = min(1800, 30 << min(failures - 1, 6))
        if unregistering {
            state = .stopped
        } else {
            state = .failed(reason: reason, retryAt: now + .seconds(delay))
        }
        output.append(.failed(reason: reason))
    }

    private mutating func sendRegister(expires: UInt32) {
        sequence &+= 1
        var via = configuration.via
        via.parameters.set("branch", SIPRandom.branch(using: &generator))
        if via.rport == nil, via.transport == "UDP" { via.rport = .requested }
        var request = SIPMessage.request(.register, uri: configuration.registrar)
        request.append(.via, via.description)
        request.append(.maxForwards, "70")
        request.append(.from, SIPNameAddress(uri: configuration.addressOfRecord, parameters: SIPParameters([.init(name: "tag", value: localTag)])).description)
        request.append(.to, SIPNameAddress(uri: configuration.addressOfRecord).description)
        request.append(.callID, callID.rawValue)
        request.append(.cseq, "\(sequence) REGISTER")
        request.append(.contact, "<\(configuration.contact)>")
        request.append(.expires, String(expires))
        if let userAgent = configuration.userAgent { request.append(.userAgent, userAgent) }
        request.append(.allow, "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO")
        pending = request
        state = .registering
        output.append(.send(request))
    }
}

/// The source of a SIP core's identifiers (tags, branches, cnonces). In production (`seed: nil`) it is the
/// system's cryptographic generator: SplitMix64's state can be read back from one output, so a seeded
/// generator would let anyone who sees one Call-ID or tag predict the next branches and tags. Tests give a
/// seed and get SplitMix64, deterministic.
public struct SIPSeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64
    private let seeded: Bool

    /// Deterministic from `seed`; the system's generator for nil.
    public init(seed: UInt64?) {
        state = seed ?? 0
        seeded = seed != nil
    }

    public mutating func next() -> UInt64 {
        guard seeded else {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
