import BridgeCore
import BridgeRTP

/// Builds RTP packets by hand for the depacketizer tests and feeds them through.
enum DepacketizerFixtures {
    static func packet(sequence: UInt16, timestamp: UInt32, marker: Bool = false, payloadType: UInt8 = 96,
                       payload: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        let header = RTPHeader(marker: marker, payloadType: PayloadType(maskingHeaderByte: payloadType),
                               sequenceNumber: SequenceNumber(sequence), timestamp: RTPTimestamp(timestamp),
                               ssrc: 0x1234_5678)
        RTPPacket.write(header: header, payload: payload, into: &bytes)
        return bytes
    }

    /// Feeds every packet; returns all frames. Packets that do not parse as RTP are skipped.
    static func feed<D: RTPDepacketizer>(_ depacketizer: inout D, _ packets: [[UInt8]]) -> [MediaFrame] {
        var frames: [MediaFrame] = []
        for bytes in packets {
            guard let packet = try? RTPPacket(parsing: bytes) else { continue }
            frames += depacketizer.handle(packet, in: bytes)
        }
        return frames
    }

    static let sps: [UInt8] = [0x67, 0x42, 0xC0, 0x1F, 0xDA, 0x01]
    static let pps: [UInt8] = [0x68, 0xCE, 0x3C, 0x80]
    /// An IDR slice of 3000 bytes: too big for one packet.
    static let idr: [UInt8] = [0x65] + (0..<2999).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    /// A P slice: first_mb_in_slice 0 (bit 1), slice_type 0 (bit 1) -> 0b11xx_xxxx.
    static let pSlice: [UInt8] = [0x41, 0xC0, 0x11, 0x22]
    /// A B slice: first_mb_in_slice 0 (1), slice_type 1 (010) -> 0b1010_xxxx.
    static let bSlice: [UInt8] = [0x01, 0xA0, 0x33]

    /// FU-A packets for one NAL unit, `chunk` bytes of it per packet.
    static func fuA(_ nal: [UInt8], chunk: Int, firstSequence: UInt16, timestamp: UInt32, marker: Bool = true) -> [[UInt8]] {
        let indicator = (nal[0] & 0xE0) | 28
        let type = nal[0] & 0x1F
        let body = Array(nal.dropFirst())
        let pieces = stride(from: 0, to: body.count, by: chunk).map { Array(body[$0..<min($0 + chunk, body.count)]) }
        return pieces.enumerated().map { index, piece in
            let isFirst = index == 0, isLast = index == pieces.count - 1
            let header = (isFirst ? 0x80 : 0) | (isLast ? 0x40 : 0) | type
            return packet(sequence: firstSequence &+ UInt16(index), timestamp: timestamp, marker: isLast && marker,
                          payload: [indicator, header] + piece)
        }
    }

    static func stapA(_ units: [[UInt8]]) -> [UInt8] {
        var payload: [UInt8] = [0x18]
        for unit in units {
            payload.appendBigEndian(UInt16(unit.count))
            payload += unit
        }
        return payload
    }
}
