/// Names a dialog from this side (RFC 3261 section 12): Call-ID, local tag, remote tag.
public struct SIPDialogID: Sendable, Hashable, CustomStringConvertible {
    public let callID: String
    public let localTag: String
    public let remoteTag: String

    public init(callID: String, localTag: String, remoteTag: String) {
        self.callID = callID
        self.localTag = localTag
        self.remoteTag = remoteTag
    }

    /// The dialog an incoming request belongs to (our tag is in To).
    public init?(incomingRequest request: SIPMessage) {
        guard let callID = request[.callID], let local = (try? request.to())?.tag,
              let remote = (try? request.from())?.tag else { return nil }
        self.init(callID: callID, localTag: local, remoteTag: remote)
    }

    /// The dialog an incoming response belongs to (our tag is in From).
    public init?(incomingResponse response: SIPMessage) {
        guard let callID = response[.callID], let local = (try? response.from())?.tag,
              let remote = (try? response.to())?.tag else { return nil }
        self.init(callID: callID, localTag: local, remoteTag: remote)
    }

    public var description: String { "\(callID);local=\(localTag);remote=\(remoteTag)" }
}

/// The state two user agents share for one INVITE-created session (RFC 3261 section 12): identifiers,
/// both CSeq spaces, the remote target from Contact, the route set from Record-Route. Builds in-dialog
/// requests (ACK for a 2xx, BYE, re-INVITE, INFO…) and checks incoming ones.
public struct SIPDialog: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        /// We sent the INVITE.
        case uac
        /// We received it.
        case uas
    }

    public enum State: Sendable, Hashable {
        /// Created by a 1xx with a To tag.
        case early
        case confirmed
        case terminated
    }

    public let role: Role
    public private(set) var state: State
    public let id: SIPDialogID
    /// Our From (UAC) or To (UAS), with our tag.
    public let localAddress: SIPNameAddress
    /// Theirs, with their tag.
    public let remoteAddress: SIPNameAddress
    /// The CSeq number of our last request in the dialog; nil until we send one (UAS).
    public private(set) var localSequence: UInt32?
    /// The CSeq number of their last request; nil until they send one (UAC).
    public private(set) var remoteSequence: UInt32?
    /// Where our requests go: their Contact (section 12.1.1, 12.1.2), refreshed by re-INVITE and UPDATE.
    public private(set) var remoteTarget: SIPURI
    /// Record-Route as our requests must list it: reversed for the UAC, in order for the UAS.
    public private(set) var routeSet: [SIPNameAddress]
    /// The Contact we put in requests that need one (INVITE, UPDATE, re-INVITE).
    public var localContact: SIPNameAddress?
    /// True when the dialog was made over `sips:` (section 12.1.1).
    public let isSecure: Bool

    /// The UAC side, from the INVITE we sent and a 2xx, or a 1xx with a To tag (an early dialog).
    public init(uacRequest request: SIPMessage, response: SIPMessage) throws(SIPError) {
        guard let code = response.statusCode, (101...299).contains(code) else {
            throw .state("dialog", "only a 101-299 response creates a dialog")
        }
        guard let from = try request.from(), let localTag = from.tag else { throw .malformed("From", "no tag") }
        guard let to = try response.to(), let remoteTag = to.tag else { throw .malformed("To", "no tag in the response") }
        guard let callID = try request.callID(), let cseq = try request.cseq() else { throw .malformed("CSeq", "missing") }
        role = .uac
        state = code >= 200 ? .confirmed : .early
        id = SIPDialogID(callID: callID.rawValue, localTag: localTag, remoteTag: remoteTag)
        localAddress = from
        remoteAddress = to
        localSequence = cseq.sequence
        remoteSequence = nil
        if let target = try Self.target(of: response) {
            remoteTarget = target
        } else {
            remoteTarget = try request.requestURI() ?? to.uri
        }
        routeSet = try response.recordRoutes().reversed()
        localContact = try request.contacts().first?.address
        isSecure = (try? request.requestURI())?.isSecure ?? false
    }

    /// The UAS side, from the INVITE we received and the response we send in it (which carries our To tag).
    public init(uasRequest request: SIPMessage, response: SIPMessage) throws(SIPError) {
        guard let code = response.statusCode, (101...299).contains(code) else {
            throw .state("dialog", "only a 101-299 response creates a dialog")
        }
        guard let from = try request.from(), let remoteTag = from.tag else { throw .malformed("From", "no tag") }
        guard let to = try response.to(), let localTag = to.tag else { throw .malformed("To", "no tag in our response") }
        guard let callID = try request.callID(), let cseq = try request.cseq() else { throw .malformed("CSeq", "missing") }
        guard let target = try Self.target(of: request) else { throw .malformed("Contact", "missing in the INVITE") }
        role = .uas
        state = code >= 200 ? .confirmed : .early
        id = SIPDialogID(callID: callID.rawValue, localTag: localTag, remoteTag: remoteTag)
        localAddress = to
        remoteAddress = from
        localSequence = nil
        remoteSequence = cseq.sequence
        remoteTarget = target
        routeSet = try request.recordRoutes()
        localContact = try response.contacts().first?.address
        isSecure = (try? request.requestURI())?.isSecure ?? false
    }

    private static func target(of message: SIPMessage) throws(SIPError) -> SIPURI? {
        try message.contacts().first?.address?.uri
    }

    public var isTerminated: Bool { state == .terminated }

    public mutating func terminate() {
        state = .terminated
    }

    /// A later response to our INVITE (UAC): a 2xx confirms an early dialog and (section 12.1.2) its
    /// Record-Route and Contact replace what the 1xx said; a target refresh's 2xx updates the target.
    public mutating func handle(response: SIPMessage) throws(SIPError) {
        guard let code = response.statusCode, role == .uac, state != .terminated else { return }
        if (200...299).contains(code), state == .early {
            state = .confirmed
            routeSet = try response.recordRoutes().reversed()
        }
        if (200...299).contains(code), let target = try Self.target(of: response) {
            remoteTarget = target
        }
        if code >= 300, state == .early { state = .terminated }
    }

    /// Checks an incoming in-dialog request (section 12.2.2): its CSeq must be above the last one (else
    /// answer 500), and a re-INVITE or UPDATE with a Contact refreshes the remote target. ACK and CANCEL
    /// reuse an INVITE's number and are not checked.
    public mutating func handle(request: SIPMessage) throws(SIPError) {
        guard let method = request.method, let cseq = try request.cseq() else { throw .malformed("CSeq", "missing") }
        guard SIPDialogID(incomingRequest: request) == id else { throw .state("dialog", "request is not in dialog \(id)") }
        guard method != .ack, method != .cancel else { return }
        if let remoteSequence, cseq.sequence <= remoteSequence {
            throw .state("CSeq", "\(cseq.sequence) is not above the dialog's \(remoteSequence)")
        }
        remoteSequence = cseq.sequence
        if method == .invite || method == .update, let target = try Self.target(of: request) {
            remoteTarget = target
        }
        if method == .bye { state = .terminated }
    }

    /// A request in the dialog (section 12.2.1.1) with the next CSeq: To, From, Call-ID, Request-URI and
    /// Route from the dialog, `via` on top. Use `makeACK` for ACK.
    public mutating func makeRequest(_ method: SIPMethod, via: SIPVia, headers: [SIPHeaderField] = [],
                                     body: [UInt8] = [], contentType: SIPContentType? = nil) -> SIPMessage {
        let sequence = (localSequence ?? 0) &+ 1
        localSequence = sequence
        return build(method, sequence: sequence, via: via, headers: headers, body: body, contentType: contentType)
    }

    /// The ACK for a 2xx to the INVITE with CSeq number `inviteSequence` (section 13.2.2.4): same CSeq
    /// number, its own branch, the dialog's route set.
    public func makeACK(inviteSequence: UInt32, via: SIPVia, body: [UInt8] = [],
                        contentType: SIPContentType? = nil) -> SIPMessage {
        build(.ack, sequence: inviteSequence, via: via, headers: [], body: body, contentType: contentType)
    }

    /// Request-URI and Route headers (section 12.2.1.1): loose routing keeps the remote target as
    /// Request-URI; a strict first route becomes the Request-URI and the target goes last.
    public var requestURIAndRoutes: (SIPURI, [String]) {
        guard let first = routeSet.first else { return (remoteTarget, []) }
        if first.uri.isLooseRouter {
            return (remoteTarget, routeSet.map(\.description))
        }
        var uri = first.uri
        // Not allowed in a Request-URI (section 19.1.1, table 1).
        uri.headers = []
        uri.parameters.remove("method")
        let rest = routeSet.dropFirst().map(\.description) + ["<\(remoteTarget)>"]
        return (uri, rest)
    }

    private func build(_ method: SIPMethod, sequence: UInt32, via: SIPVia, headers: [SIPHeaderField],
                       body: [UInt8], contentType: SIPContentType?) -> SIPMessage {
        let (uri, routes) = requestURIAndRoutes
        var request = SIPMessage.request(method, uri: uri)
        request.append(.via, via.description)
        request.append(.maxForwards, "70")
        for route in routes { request.append(.route, route) }
        request.append(.from, localAddress.description)
        request.append(.to, remoteAddress.description)
        request.append(.callID, id.callID)
        request.append(.cseq, "\(sequence) \(method)")
        if method == .invite || method == .update, let localContact {
            request.append(.contact, localContact.description)
        }
        request.headers.append(contentsOf: headers)
        if let contentType, !body.isEmpty { request.append(.contentType, contentType.description) }
        request.body = body
        return request
    }
}
