/// Received and expected RTP packets per SSRC from sequence numbers (wrap-aware, RFC 3550 appendix A.1
/// style): a jump forward adds the skipped numbers to `expected`; late or duplicate packets add nothing.
public struct LossCounter {
    public init() {}

    public private(set) var received = 0
    public private(set) var expected = 0
    /// Loss events: forward jumps of more than one.
    public private(set) var gaps = 0
    // One or two SSRCs per viewer (video, perhaps RTX): a linear search beats a dictionary.
    private var ssrcs: [UInt32] = []
    private var highest: [Int64] = []

    /// Counts one decrypted RTP packet; false when it is too short or not RTP version 2.
    public mutating func record(_ packet: [UInt8]) -> Bool {
        guard packet.count >= 12, packet[0] >> 6 == 2 else { return false }
        let sequence = UInt16(packet[2]) << 8 | UInt16(packet[3])
        let ssrc = UInt32(packet[8]) << 24 | UInt32(packet[9]) << 16 | UInt32(packet[10]) << 8 | UInt32(packet[11])
        received += 1
        guard let index = ssrcs.firstIndex(of: ssrc) else {
            ssrcs.append(ssrc)
            highest.append(Int64(sequence))
            expected += 1
            return true
        }
        let delta = Int64(Int16(bitPattern: sequence &- UInt16(truncatingIfNeeded: highest[index])))
        if delta > 0 {
            expected += Int(delta)
            if delta > 1 { gaps += 1 }
            highest[index] += delta
        }
        return true
    }
}
