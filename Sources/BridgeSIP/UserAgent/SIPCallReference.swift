/// Names one call of a `SIPUserAgent`, in either direction, from its start: the Call-ID and our tag (we
/// choose the tag when the INVITE arrives or leaves, so the pair is unique before the far end's tag is
/// known).
public struct SIPCallReference: Sendable, Hashable, CustomStringConvertible {
    public let callID: String
    public let localTag: String

    public init(callID: String, localTag: String) {
        self.callID = callID
        self.localTag = localTag
    }

    /// The call an in-dialog request belongs to (our tag is in To).
    init?(incomingRequest request: SIPMessage) {
        guard let callID = request[.callID], let tag = (try? request.to())?.tag else { return nil }
        self.init(callID: callID, localTag: tag)
    }

    /// The call a response belongs to (our tag is in From).
    init?(incomingResponse response: SIPMessage) {
        guard let callID = response[.callID], let tag = (try? response.from())?.tag else { return nil }
        self.init(callID: callID, localTag: tag)
    }

    public var description: String { "\(callID);tag=\(localTag)" }
}
