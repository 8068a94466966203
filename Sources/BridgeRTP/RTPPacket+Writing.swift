import BridgeCore

extension RTPPacket {
    /// Appends an RTP packet (RFC 3550 section 5.1) to `output`: fixed header, CSRCs, header extension,
    /// payload and `paddingCount` padding bytes (the last one holding the count).
    ///
    /// At most 15 CSRCs and 255 padding bytes: more is a bug in the caller, and traps.
    public static func write(header: RTPHeader, csrcs: [SSRC] = [], headerExtension: RTPHeaderExtension? = nil,
                             payload: some Collection<UInt8>, paddingCount: Int = 0, into output: inout [UInt8]) {
        precondition(csrcs.count <= 15, "RTP allows at most 15 CSRCs")
        precondition((0...255).contains(paddingCount), "RTP padding is 0...255 bytes")
        output.reserveCapacity(output.count + RTPHeader.fixedLength + csrcs.count * 4
            + (headerExtension.map { 4 + $0.data.count } ?? 0) + payload.count + paddingCount)
        let flags: UInt8 = (paddingCount > 0 ? 0x20 : 0) | (headerExtension != nil ? 0x10 : 0)
        output.append(0x80 | flags | UInt8(csrcs.count))
        output.append((header.marker ? 0x80 : 0) | header.payloadType.rawValue)
        output.appendBigEndian(header.sequenceNumber.rawValue)
        output.appendBigEndian(header.timestamp.rawValue)
        output.appendBigEndian(header.ssrc.rawValue)
        for csrc in csrcs { output.appendBigEndian(csrc.rawValue) }
        headerExtension?.write(into: &output)
        output.append(contentsOf: payload)
        if paddingCount > 0 {
            output.append(contentsOf: repeatElement(0, count: paddingCount - 1))
            output.append(UInt8(paddingCount))
        }
    }

    /// Appends this packet with its current `header` values and the CSRCs, extension, payload and padding
    /// of `bytes`, the bytes it was parsed from: a copy for another viewer, or a re-serialization after
    /// changing `header`.
    public func write(from bytes: [UInt8], into output: inout [UInt8]) {
        guard byteCount <= bytes.count else { return }
        Self.write(header: header, csrcs: csrcs.elements(in: bytes), headerExtension: RTPHeaderExtension(of: self, in: bytes),
                   payload: bytes[payloadRange], paddingCount: paddingCount, into: &output)
    }
}

extension RTPPacket {
    /// Writes a packet with `header` (no CSRCs, extension or padding) and `payload` at the start of
    /// `output`, the socket buffer it leaves from, and returns its length; 0 if it does not fit.
    public static func write(header: RTPHeader, payload: [UInt8], into output: UnsafeMutableRawBufferPointer) -> Int {
        let length = RTPHeader.fixedLength + payload.count
        guard output.count >= length, let base = output.baseAddress else { return 0 }
        base.storeBytes(of: 0x80, toByteOffset: 0, as: UInt8.self)
        base.storeBytes(of: (header.marker ? 0x80 : 0) | header.payloadType.rawValue, toByteOffset: 1, as: UInt8.self)
        base.storeBytes(of: header.sequenceNumber.rawValue.bigEndian, toByteOffset: 2, as: UInt16.self)
        base.storeBytes(of: header.timestamp.rawValue.bigEndian, toByteOffset: 4, as: UInt32.self)
        base.storeBytes(of: header.ssrc.rawValue.bigEndian, toByteOffset: 8, as: UInt32.self)
        payload.withUnsafeBytes { bytes in
            if let source = bytes.baseAddress, bytes.count > 0 {
                (base + RTPHeader.fixedLength).copyMemory(from: source, byteCount: bytes.count)
            }
        }
        return length
    }
}
