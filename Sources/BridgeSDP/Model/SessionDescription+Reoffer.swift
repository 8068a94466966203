/// Answering a new offer in a session already negotiated (a re-INVITE for hold or resume) with the media
/// agreed before.
extension SessionDescription {
    /// The `o=` line's session version (RFC 8866 section 5.2); nil when the line is missing or malformed.
    /// Setting it rewrites only that field.
    public var sessionVersion: UInt64? {
        get {
            guard let fields = originFields, fields.count == 6 else { return nil }
            return UInt64(fields[2])
        }
        set {
            guard let newValue, var fields = originFields, fields.count == 6,
                  let index = sessionLines.firstIndex(where: { $0.type == "o" }) else { return }
            fields[2] = String(newValue)
            sessionLines[index] = SDPLine("o", fields.joined(separator: " "))
        }
    }

    private var originFields: [String]? {
        value(of: "o").map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    }

    /// `self` (our answer to the session's first offer) as the answer to `offer`, a later offer in the same
    /// session: each section's direction answers the offer's section at the same index (RFC 3264 section 8.4:
    /// `sendonly` or `c=0.0.0.0` for hold gets `recvonly`, `inactive` gets `inactive`, `sendrecv` resumes),
    /// never more than our first answer allowed. `previous`, the last answer we sent in the session, gives
    /// the `o=` version: the same when nothing changed, one more when something did (RFC 3264 section 8).
    public func answering(laterOffer offer: SessionDescription, previous: SessionDescription) -> SessionDescription {
        var answer = self
        for index in answer.media.indices where index < offer.media.count && !answer.media[index].isRejected {
            let direction = SIPMediaTranslator.effectiveDirection(of: offer.media[index], in: offer)
            let ours = self.direction(of: self.media[index])
            let answered = direction.answer(canSend: ours.sends, canReceive: ours.receives)
            guard answered != ours else { continue }
            answer.media[index].removeAttributes(named: Set(MediaDirection.allCases.map(\.rawValue)))
            answer.media[index].appendAttribute(answered.rawValue)
        }
        let version = previous.sessionVersion ?? sessionVersion ?? 0
        answer.sessionVersion = version
        if answer != previous { answer.sessionVersion = version &+ 1 }
        return answer
    }
}
