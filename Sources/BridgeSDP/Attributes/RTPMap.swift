import BridgeCore

/// `a=rtpmap:<payload type> <encoding name>/<clock rate>[/<channels>]` (RFC 8866 section 6.6).
/// Clock rates and channel counts outside `MediaLimits` do not parse: such a map is refused, not trusted.
public struct RTPMap: Sendable, Hashable {
    public var payloadType: UInt8
    public var encodingName: String
    public var clockRate: Int
    /// Audio channels; nil when not written (one channel).
    public var channels: Int?

    public init(payloadType: UInt8, encodingName: String, clockRate: Int, channels: Int? = nil) {
        self.payloadType = payloadType
        self.encodingName = encodingName
        self.clockRate = clockRate
        self.channels = channels
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let payloadType = PayloadTypes.parse(parts[0]) else { return nil }
        let encoding = parts[1].trimmingSpaces.split(separator: "/", omittingEmptySubsequences: false)
        guard encoding.count >= 2, encoding.count <= 3, !encoding[0].isEmpty,
              let clockRate = Int(encoding[1]), MediaLimits.clockRates.contains(clockRate) else { return nil }
        var channels: Int?
        if encoding.count == 3 {
            guard let parsed = Int(encoding[2]), MediaLimits.channelCounts.contains(parsed) else { return nil }
            channels = parsed
        }
        self.init(payloadType: payloadType, encodingName: String(encoding[0]), clockRate: clockRate, channels: channels)
    }

    public var attributeValue: String {
        "\(payloadType) \(encodingName)/\(clockRate)" + (channels.map { "/\($0)" } ?? "")
    }

    /// The rtpmap of a static payload type (RFC 3551 table 4 and 5) for descriptions that omit it.
    public static func staticPayloadType(_ payloadType: UInt8) -> RTPMap? {
        let table: [UInt8: (String, Int, Int?)] = [
            0: ("PCMU", 8000, 1), 3: ("GSM", 8000, 1), 4: ("G723", 8000, 1), 5: ("DVI4", 8000, 1),
            6: ("DVI4", 16000, 1), 7: ("LPC", 8000, 1), 8: ("PCMA", 8000, 1), 9: ("G722", 8000, 1),
            10: ("L16", 44100, 2), 11: ("L16", 44100, 1), 12: ("QCELP", 8000, 1), 13: ("CN", 8000, 1),
            14: ("MPA", 90000, nil), 15: ("G728", 8000, 1), 16: ("DVI4", 11025, 1), 17: ("DVI4", 22050, 1),
            18: ("G729", 8000, 1), 25: ("CelB", 90000, nil), 26: ("JPEG", 90000, nil), 28: ("nv", 90000, nil),
            31: ("H261", 90000, nil), 32: ("MPV", 90000, nil), 33: ("MP2T", 90000, nil), 34: ("H263", 90000, nil),
        ]
        guard let (name, rate, channels) = table[payloadType] else { return nil }
        return RTPMap(payloadType: payloadType, encodingName: name, clockRate: rate, channels: channels)
    }
}

enum PayloadTypes {
    /// A payload type 0...127 (RFC 3550 section 5.1).
    static func parse(_ text: Substring) -> UInt8? {
        guard let value = UInt8(text.trimmingSpaces), value <= 127 else { return nil }
        return value
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs (Foundation-free).
    var trimmingSpaces: Substring {
        let scalars = self[...]
        let start = scalars.firstIndex { $0 != " " && $0 != "\t" } ?? scalars.endIndex
        let end = scalars.lastIndex { $0 != " " && $0 != "\t" }.map { scalars.index(after: $0) } ?? start
        return Substring(scalars[start..<Swift.max(start, end)])
    }
}
