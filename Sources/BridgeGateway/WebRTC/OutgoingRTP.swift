import BridgeRTP

/// One RTP packet on its way to a viewer: the viewer's header and the route's shared payload. Its bytes
/// are written straight into the socket's buffer, where SRTP protects them in place, so the hot path makes
/// no array per packet.
struct OutgoingRTP {
    var header: RTPHeader
    var payload: [UInt8]

    var byteCount: Int { RTPHeader.fixedLength + payload.count }

    /// Writes the packet at the start of `raw`; returns its length, 0 if it does not fit.
    func write(into raw: UnsafeMutableRawBufferPointer) -> Int {
        RTPPacket.write(header: header, payload: payload, into: raw)
    }

    /// The packet as an array with room for `spare` more bytes (an SRTP tag), for paths that need one.
    func bytes(spare: Int = 16) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(byteCount + spare)
        RTPPacket.write(header: header, payload: payload, into: &bytes)
        return bytes
    }
}
