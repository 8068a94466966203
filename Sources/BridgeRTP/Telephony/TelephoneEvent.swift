import BridgeCore

/// An RFC 4733 telephone-event payload (DTMF digits and friends):
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |     event     |E|R| volume    |          duration             |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct TelephoneEvent: Sendable, Hashable {
    public var event: UInt8
    public var isEnd: Bool
    /// Power level in -dBm0, 0...63.
    public var volume: UInt8
    /// In RTP clock units since the event's timestamp.
    public var duration: UInt16

    public init(event: UInt8, isEnd: Bool = false, volume: UInt8 = 10, duration: UInt16) {
        self.event = event
        self.isEnd = isEnd
        self.volume = volume & 0x3F
        self.duration = duration
    }

    /// Reads the first event of a payload; nil when it is shorter than 4 bytes.
    public init?(payload: some Collection<UInt8>) {
        guard payload.count >= 4 else { return nil }
        let bytes = Array(payload.prefix(4))
        event = bytes[0]
        isEnd = bytes[1] & 0x80 != 0
        volume = bytes[1] & 0x3F
        duration = UInt16(bytes[2]) << 8 | UInt16(bytes[3])
    }

    public var payload: [UInt8] {
        [event, (isEnd ? 0x80 : 0) | volume, UInt8(duration >> 8), UInt8(duration & 0xFF)]
    }

    /// The event code for a DTMF character (0-9, *, #, A-D), as SIP INFO and `insertDTMF` name them.
    public static func code(for digit: Character) -> UInt8? {
        switch digit {
        case "0"..."9": digit.asciiValue.map { $0 - 48 }
        case "*": 10
        case "#": 11
        case "A", "a": 12
        case "B", "b": 13
        case "C", "c": 14
        case "D", "d": 15
        default: nil
        }
    }

    /// The DTMF character for an event code, nil for non-DTMF events.
    public static func digit(for code: UInt8) -> Character? {
        Array("0123456789*#ABCD").indices.contains(Int(code)) ? Array("0123456789*#ABCD")[Int(code)] : nil
    }

    /// The packets that carry one digit (RFC 4733 section 2.5): a first packet (marker set), updates every
    /// 50 ms while it lasts, then the end packet sent three times, all with the event's timestamp.
    public static func packets(code: UInt8, durationMilliseconds: Int, clockRate: Int = 8_000) -> [(marker: Bool, event: TelephoneEvent)] {
        // Counted in Int: the duration field is 16 bits, and a long digit at 48 kHz or a clock below 20 Hz
        // must neither wrap the running sum nor step by zero.
        let total = Int(UInt16(clamping: ClockScaling.rescale(Int64(durationMilliseconds), by: Int64(clockRate), over: 1000)))
        let step = max(1, Int(UInt16(clamping: ClockScaling.rescale(50, by: Int64(clockRate), over: 1000))))
        var packets: [(marker: Bool, event: TelephoneEvent)] = []
        packets.append((true, TelephoneEvent(event: code, duration: UInt16(min(step, total)))))
        for elapsed in stride(from: step + step, to: total, by: step) {
            packets.append((false, TelephoneEvent(event: code, duration: UInt16(elapsed))))
        }
        for _ in 0..<3 { packets.append((false, TelephoneEvent(event: code, isEnd: true, duration: UInt16(total)))) }
        return packets
    }
}
