import BridgeCore

/// The fields of the RTP fixed header (RFC 3550 section 5.1) that identify and order a packet: what a
/// viewer rewrites to give each browser its own stable stream. The flags and counts that describe the
/// packet's layout (P, X, CC) live in `RTPPacket`, which derives them from the bytes.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                           timestamp                           |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |           synchronization source (SSRC) identifier            |
/// +=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+=+
/// |            contributing source (CSRC) identifiers             |
/// |                             ....                              |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTPHeader: Sendable, Hashable {
    /// The fixed part is 12 bytes; CSRCs and the header extension follow.
    public static let fixedLength = 12

    public var marker: Bool
    public var payloadType: PayloadType
    public var sequenceNumber: SequenceNumber
    public var timestamp: RTPTimestamp
    public var ssrc: SSRC

    public init(marker: Bool = false, payloadType: PayloadType, sequenceNumber: SequenceNumber,
                timestamp: RTPTimestamp, ssrc: SSRC) {
        self.marker = marker
        self.payloadType = payloadType
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.ssrc = ssrc
    }
}

/// Changes to the fixed header of a packet already in a buffer, written in place: the fan-out copies a
/// source packet once into a viewer's buffer and gives it that viewer's SSRC, sequence and timestamp line
/// without parsing or allocating again. Fields left nil keep their bytes.
public struct RTPHeaderRewrite: Sendable, Hashable {
    public var ssrc: SSRC?
    public var sequenceNumber: SequenceNumber?
    public var timestamp: RTPTimestamp?
    public var payloadType: PayloadType?
    public var marker: Bool?

    public init(ssrc: SSRC? = nil, sequenceNumber: SequenceNumber? = nil, timestamp: RTPTimestamp? = nil,
                payloadType: PayloadType? = nil, marker: Bool? = nil) {
        self.ssrc = ssrc
        self.sequenceNumber = sequenceNumber
        self.timestamp = timestamp
        self.payloadType = payloadType
        self.marker = marker
    }

    /// Writes the fields over the fixed header at the start of `bytes`. Throws, leaving the bytes as they
    /// were, when they are shorter than 12 bytes or not RTP version 2.
    public func apply(to bytes: UnsafeMutableRawBufferPointer) throws(RTPError) {
        guard bytes.count >= RTPHeader.fixedLength else {
            throw RTPError(.shorterThanFixedHeader(length: bytes.count), at: 0)
        }
        let first = bytes.load(fromByteOffset: 0, as: UInt8.self)
        guard first >> 6 == 2 else { throw RTPError(.version(first >> 6), at: 0) }
        if payloadType != nil || marker != nil {
            let second = bytes.load(fromByteOffset: 1, as: UInt8.self)
            let markerBit = marker.map { $0 ? 0x80 : 0 } ?? (second & 0x80)
            let type = payloadType?.rawValue ?? (second & 0x7F)
            bytes.storeBytes(of: markerBit | type, toByteOffset: 1, as: UInt8.self)
        }
        if let sequenceNumber {
            bytes.storeBytes(of: sequenceNumber.rawValue.bigEndian, toByteOffset: 2, as: UInt16.self)
        }
        if let timestamp {
            bytes.storeBytes(of: timestamp.rawValue.bigEndian, toByteOffset: 4, as: UInt32.self)
        }
        if let ssrc {
            bytes.storeBytes(of: ssrc.rawValue.bigEndian, toByteOffset: 8, as: UInt32.self)
        }
    }

    /// `apply(to:)` on an array's bytes.
    public func apply(to bytes: inout [UInt8]) throws(RTPError) {
        try bytes.withMutableBytes { (buffer) throws(RTPError) in try apply(to: buffer) }
    }
}
