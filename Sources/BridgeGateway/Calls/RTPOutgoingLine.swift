import BridgeCore

/// The sequence and timestamp line of one direction of a call. Forwarded packets keep their spacing
/// (their own number plus an offset); packets the gateway makes (transcoded audio, a digit from SIP INFO)
/// take the next number and shift the offset, so the receiver sees one gap-free line whatever the mix.
/// An SRTP receiver needs that: its rollover counter follows the sequence numbers (RFC 3711 section 3.3.1).
struct RTPOutgoingLine {
    private var offset = UInt16.random(in: 0...UInt16.max)
    private var last: SequenceNumber?
    /// The newest timestamp sent: where a made-up event (a SIP INFO digit) goes on the line.
    private(set) var lastTimestamp = UInt32.random(in: 0...0x7FFF_FFFF)

    /// The number for a forwarded packet that carried `sequence`.
    mutating func forwarded(_ sequence: UInt16, timestamp: UInt32) -> UInt16 {
        let number = sequence &+ offset
        note(number, timestamp: timestamp)
        return number
    }

    /// A packet that will not be forwarded (held, or a payload type the other leg does not take): the
    /// numbers after it close up, so the receiver sees no loss.
    mutating func skipped() {
        offset &-= 1
    }

    /// The number for a packet the gateway made.
    mutating func next(timestamp: UInt32) -> UInt16 {
        let number = last.map { $0.rawValue &+ 1 } ?? offset
        offset &+= 1
        note(number, timestamp: timestamp)
        return number
    }

    private mutating func note(_ number: UInt16, timestamp: UInt32) {
        guard last.map({ $0.distance(to: SequenceNumber(number)) > 0 }) ?? true else { return }
        last = SequenceNumber(number)
        lastTimestamp = timestamp
    }
}
