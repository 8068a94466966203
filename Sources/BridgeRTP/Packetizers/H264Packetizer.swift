/// H.264 NAL units to RTP payloads (RFC 6184, packetization-mode 1): a NAL unit that fits goes as a single
/// NAL unit packet; a larger one is split into FU-A fragments (type 28) whose header carries the NAL type
/// and the start and end bits.
enum H264Packetizer {
    static let fuA: UInt8 = 28

    static func append(_ nal: [UInt8], maxPayload: Int, to units: inout [RTPPayloadUnit], timestamp: Int64) {
        guard nal.count > maxPayload else {
            units.append(RTPPayloadUnit(payload: nal, marker: false, timestamp: timestamp))
            return
        }
        let header = nal[0]
        let indicator = (header & 0xE0) | fuA
        let type = header & 0x1F
        let chunk = max(maxPayload - 2, 1)
        var offset = 1
        while offset < nal.count {
            let end = min(offset + chunk, nal.count)
            var fuHeader = type
            if offset == 1 { fuHeader |= 0x80 }
            if end == nal.count { fuHeader |= 0x40 }
            var payload = [UInt8]()
            payload.reserveCapacity(end - offset + 2)
            payload.append(indicator)
            payload.append(fuHeader)
            payload.append(contentsOf: nal[offset..<end])
            units.append(RTPPayloadUnit(payload: payload, marker: false, timestamp: timestamp))
            offset = end
        }
    }
}

/// H.265 NAL units to RTP payloads (RFC 7798): single NAL unit packets, or fragmentation units (type 49)
/// with the two-byte payload header and the FU header.
enum H265Packetizer {
    static let fu: UInt8 = 49

    static func append(_ nal: [UInt8], maxPayload: Int, to units: inout [RTPPayloadUnit], timestamp: Int64) {
        guard nal.count > maxPayload else {
            units.append(RTPPayloadUnit(payload: nal, marker: false, timestamp: timestamp))
            return
        }
        let type = (nal[0] >> 1) & 0x3F
        let first = (nal[0] & 0x81) | (fu << 1)
        let second = nal[1]
        let chunk = max(maxPayload - 3, 1)
        var offset = 2
        while offset < nal.count {
            let end = min(offset + chunk, nal.count)
            var fuHeader = type
            if offset == 2 { fuHeader |= 0x80 }
            if end == nal.count { fuHeader |= 0x40 }
            var payload = [UInt8]()
            payload.reserveCapacity(end - offset + 3)
            payload += [first, second, fuHeader]
            payload.append(contentsOf: nal[offset..<end])
            units.append(RTPPayloadUnit(payload: payload, marker: false, timestamp: timestamp))
            offset = end
        }
    }
}
