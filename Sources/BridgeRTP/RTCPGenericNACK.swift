import BridgeCore

/// Generic NACK (RFC 4585 section 6.2.1): RTPFB with FMT 1, the receiver asking for lost packets again.
///
/// Each FCI entry names a lost packet (PID) and, in the bitmask of following lost packets (BLP), which of
/// the 16 after it are lost too (bit i set: PID + i + 1 is lost):
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |            PID                |             BLP               |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTCPGenericNACK: RTCPTypedPacket {
    public static let format: UInt8 = 1

    /// One PID+BLP entry; iterating it gives the lost sequence numbers it names, in order.
    public struct Item: Sequence, FixedSizeWireValue {
        public static var wireLength: Int { 4 }

        public var packetID: SequenceNumber
        public var bitmask: UInt16

        public init(packetID: SequenceNumber, bitmask: UInt16 = 0) {
            self.packetID = packetID
            self.bitmask = bitmask
        }

        public struct Iterator: IteratorProtocol {
            let item: Item
            var bit = -1

            public mutating func next() -> SequenceNumber? {
                while bit < 16 {
                    defer { bit += 1 }
                    if bit < 0 { return item.packetID }
                    if item.bitmask & (1 << UInt16(bit)) != 0 { return item.packetID.advanced(by: bit + 1) }
                }
                return nil
            }
        }

        public init?(_ reader: ByteReader, at offset: Int) {
            guard let packetID = reader.uint16(at: offset), let bitmask = reader.uint16(at: offset + 2) else { return nil }
            self.init(packetID: SequenceNumber(packetID), bitmask: bitmask)
        }

        public func makeIterator() -> Iterator { Iterator(item: self) }
        public var underestimatedCount: Int { 1 + bitmask.nonzeroBitCount }
    }

    public var senderSSRC: SSRC
    public var mediaSSRC: SSRC
    public let items: WireList<Item>

    public init(parsing bytes: UnsafeRawBufferPointer, view: RTCPPacketView) throws(RTCPError) {
        let header = try RTCPFeedbackHeader(bytes, view: view, type: .transportFeedback, format: Self.format,
                                            fciMinimum: 4, part: .nack)
        senderSSRC = header.senderSSRC
        mediaSSRC = header.mediaSSRC
        items = WireList(count: header.fciRange.count / Item.wireLength, offset: header.fciRange.lowerBound)
    }

    /// Calls `body` with every lost sequence number, item by item.
    public func forEachLostPacket(in bytes: UnsafeRawBufferPointer, _ body: (SequenceNumber) -> Void) {
        items.forEach(in: bytes) { item in
            for sequenceNumber in item { body(sequenceNumber) }
        }
    }

    /// Every lost sequence number (allocates: for tests and the control path).
    public func lostPackets(in bytes: [UInt8]) -> [SequenceNumber] {
        var lost: [SequenceNumber] = []
        bytes.withUnsafeBytes { forEachLostPacket(in: $0) { lost.append($0) } }
        return lost
    }

    /// The fewest items naming `lost`, given oldest first: each number within 16 after an item's PID joins
    /// that item's bitmask, any other starts a new item. Duplicates of a PID are dropped.
    public static func items(for lost: some Sequence<SequenceNumber>) -> [Item] {
        var items: [Item] = []
        for sequenceNumber in lost {
            if let last = items.last {
                let distance = last.packetID.distance(to: sequenceNumber)
                if distance == 0 { continue }
                if (1...16).contains(distance) {
                    items[items.count - 1].bitmask |= 1 << UInt16(distance - 1)
                    continue
                }
            }
            items.append(Item(packetID: sequenceNumber))
        }
        return items
    }

    /// Appends a generic NACK for `lost` (oldest first). Nothing is written when `lost` is empty: a NACK
    /// needs at least one item.
    public static func write(senderSSRC: SSRC, mediaSSRC: SSRC, lost: some Sequence<SequenceNumber>,
                             into output: inout [UInt8]) {
        let items = items(for: lost)
        guard !items.isEmpty else { return }
        let start = RTCPFeedbackHeader.begin(.transportFeedback, format: format, sender: senderSSRC, media: mediaSSRC,
                                             into: &output)
        for item in items {
            output.appendBigEndian(item.packetID.rawValue)
            output.appendBigEndian(item.bitmask)
        }
        RTCPWriter.finish(startingAt: start, into: &output)
    }
}
