import BridgeCore

/// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
/// section 3.1): RTPFB with FMT 15, the arrival time of every packet numbered by the transport-wide
/// sequence number header extension. Parsed only.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|  FMT=15 |    PT=205     |           length              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     SSRC of packet sender                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                      SSRC of media source                     |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      base sequence number     |      packet status count      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                 reference time                | fb pkt. count |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |          packet chunk         |         packet chunk          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                                                               .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         packet chunk          |  recv delta   |  recv delta   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// .                                                               .
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           recv delta          |  recv delta   | zero padding  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
///
/// Packet chunks (section 3.1.3, 3.1.4), 16 bits each:
/// ```
/// run length:     |T=0| S |       run length (13 bits)       |   S repeated run-length times
/// status vector:  |T=1|S=0| 14 one-bit symbols               |   0 not received, 1 small delta
///                 |T=1|S=1| 7 two-bit symbols                |   0 not received, 1 small, 2 large delta
/// ```
/// A small delta is one unsigned byte, a large one two signed bytes, both in 250 µs units (section 3.1.5).
public struct RTCPTransportFeedback: RTCPTypedPacket {
    public static let format: UInt8 = 15

    public enum Symbol: UInt8, Sendable, Hashable {
        case notReceived = 0
        case smallDelta = 1
        case largeOrNegativeDelta = 2
    }

    /// One packet's fate: its transport-wide sequence number and, when received, its delta.
    public struct PacketStatus: Sendable, Hashable {
        public let sequenceNumber: SequenceNumber
        public let symbol: Symbol
        /// Arrival time minus the previous received packet's (or the reference time, for the first), in
        /// 250 µs units; nil when not received.
        public let receiveDelta: Int16?

        public init(sequenceNumber: SequenceNumber, symbol: Symbol, receiveDelta: Int16?) {
            self.sequenceNumber = sequenceNumber
            self.symbol = symbol
            self.receiveDelta = receiveDelta
        }

        public var receiveDeltaMicroseconds: Int? { receiveDelta.map { Int($0) * 250 } }
    }

    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC
    public let baseSequenceNumber: SequenceNumber
    public let packetStatusCount: Int
    /// Signed 24 bits, in multiples of 64 ms.
    public let referenceTime: Int32
    /// Counts feedback packets, to detect lost ones.
    public let feedbackPacketCount: UInt8
    let chunksOffset: Int
    let deltasOffset: Int

    public var referenceTimeMicroseconds: Int64 { Int64(referenceTime) * 64_000 }

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let header = try RTCPFeedbackHeader(bytes, view: view, type: .transportFeedback, format: Self.format,
                                            fciMinimum: 8, part: .transportFeedback)
        let reader = ByteReader(bytes), fci = header.fciRange.lowerBound
        guard let base = reader.uint16(at: fci), let count = reader.uint16(at: fci + 2),
              let reference = reader.uint24(at: fci + 4), let feedbackCount = reader.uint8(at: fci + 7)
        else { throw view.error(.body(needed: 8, available: header.fciRange.count, what: .transportFeedback), at: fci) }
        senderSSRC = header.senderSSRC
        mediaSSRC = header.mediaSSRC
        baseSequenceNumber = SequenceNumber(base)
        packetStatusCount = Int(count)
        referenceTime = Int32(bitPattern: reference << 8) >> 8
        feedbackPacketCount = feedbackCount
        chunksOffset = fci + 8

        var deltaBytes = 0
        let end = header.fciRange.upperBound
        deltasOffset = try Self.walkSymbols(reader, from: chunksOffset, end: end, count: packetStatusCount,
                                            view: view) { (symbol) throws(RTCPError) in
            deltaBytes += symbol == .largeOrNegativeDelta ? 2 : symbol == .smallDelta ? 1 : 0
        }
        guard deltaBytes <= end - deltasOffset else {
            throw view.error(.twccDeltas(needed: deltaBytes, left: end - deltasOffset), at: deltasOffset)
        }
    }

    /// Calls `body` with each of the `packetStatusCount` packets, in sequence order.
    public func forEachPacketStatus(in bytes: UnsafeRawBufferPointer, _ body: (PacketStatus) -> Void) {
        let reader = ByteReader(bytes)
        var index = 0, deltaOffset = deltasOffset
        _ = try? Self.walkSymbols(reader, from: chunksOffset, end: bytes.count, count: packetStatusCount,
                                  view: nil) { (symbol) throws(RTCPError) in
            var delta: Int16?
            switch symbol {
            case .notReceived: break
            case .smallDelta:
                delta = reader.uint8(at: deltaOffset).map { Int16($0) }
                deltaOffset += 1
            case .largeOrNegativeDelta:
                delta = reader.uint16(at: deltaOffset).map { Int16(bitPattern: $0) }
                deltaOffset += 2
            }
            body(PacketStatus(sequenceNumber: baseSequenceNumber.advanced(by: index), symbol: symbol, receiveDelta: delta))
            index += 1
        }
    }

    /// Every packet status (allocates: for tests and the control path).
    public func packetStatuses(in bytes: [UInt8]) -> [PacketStatus] {
        var statuses: [PacketStatus] = []
        statuses.reserveCapacity(packetStatusCount)
        bytes.withUnsafeBytes { forEachPacketStatus(in: $0) { statuses.append($0) } }
        return statuses
    }

    /// Reads chunks from `offset` until `count` symbols are out, calling `body` with each; returns where
    /// the chunks end (where the receive deltas start). Symbols past `count` in the last chunk are ignored.
    static func walkSymbols(_ reader: ByteReader, from offset: Int, end: Int, count: Int, view: RTCPPacketView?,
                            _ body: (Symbol) throws(RTCPError) -> Void) throws(RTCPError) -> Int {
        var offset = offset, emitted = 0
        func emit(_ raw: UInt16) throws(RTCPError) {
            guard let symbol = Symbol(rawValue: UInt8(truncatingIfNeeded: raw)) else {
                throw RTCPError(.twccReservedSymbol, at: offset - 2, packetType: view?.type.rawValue)
            }
            try body(symbol)
            emitted += 1
        }
        while emitted < count {
            guard offset + 2 <= end, let chunk = reader.uint16(at: offset) else {
                throw RTCPError(.twccChunks(covered: emitted, expected: count), at: offset, packetType: view?.type.rawValue)
            }
            offset += 2
            if chunk & 0x8000 == 0 {
                let symbol = chunk >> 13 & 0x3, run = Int(chunk & 0x1FFF)
                for _ in 0..<min(run, count - emitted) { try emit(symbol) }
            } else if chunk & 0x4000 == 0 {
                for bit in 0..<min(14, count - emitted) { try emit(chunk >> UInt16(13 - bit) & 0x1) }
            } else {
                for pair in 0..<min(7, count - emitted) { try emit(chunk >> UInt16(12 - 2 * pair) & 0x3) }
            }
        }
        return offset
    }
}
