/// Hold and resume started by the browser: the gateway re-offers to the phone (RFC 3264 section 8.4).
extension SIPMediaTranslator {
    /// The SIP description the gateway sent last, again as a re-offer with every live section's direction
    /// set to `direction` (`sendonly` to hold, `sendrecv` to resume) and the next `o=` version. Payload types,
    /// ports and keys are kept, so that nothing else in the session changes.
    public mutating func sipReoffer(from last: SessionDescription, direction: MediaDirection) -> SessionDescription {
        sipVersion += 1
        var reoffer = last
        reoffer.sessionLines = SIPSectionWriter.sessionHeader(sessionID: sessionID, version: sipVersion, address: sipLeg.address)
        let directions = Set(MediaDirection.allCases.map(\.rawValue))
        for index in reoffer.media.indices where !reoffer.media[index].isRejected {
            reoffer.media[index].removeAttributes(named: directions)
            reoffer.media[index].appendAttribute(direction.rawValue)
        }
        return reoffer
    }
}
