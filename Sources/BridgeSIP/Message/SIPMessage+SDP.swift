import BridgeSDP

extension SIPMessage {
    /// The body as a session description when Content-Type says `application/sdp` (nil for no body or
    /// another type); SDP errors come back as a `SIPError` naming the body.
    public func sessionDescription() throws(SIPError) -> SessionDescription? {
        guard !body.isEmpty, let type = try contentType(), type.mediaType == SIPContentType.sdp.mediaType else { return nil }
        do {
            return try SessionDescription(parsing: body)
        } catch {
            throw .malformed("body", error.description)
        }
    }

    /// Sets the body to `description` with Content-Type `application/sdp`.
    public mutating func setSessionDescription(_ description: SessionDescription) {
        body = Array(description.write().utf8)
        set(.contentType, SIPContentType.sdp.description)
    }
}
