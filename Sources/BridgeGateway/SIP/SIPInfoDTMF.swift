import BridgeSIP

/// DTMF in SIP INFO bodies: `application/dtmf-relay` (`Signal=5\r\nDuration=160`, Cisco and most phones)
/// and `application/dtmf` (the digit alone).
package enum SIPInfoDTMF {
    static let digits = Set("0123456789*#ABCD")

    /// The digit and its duration in milliseconds (default 160), or nil when the INFO is not DTMF.
    package static func parse(_ message: SIPMessage) -> (digit: Character, durationMilliseconds: Int)? {
        guard let type = try? message.contentType(), message.body.count <= 512 else { return nil }
        let text = String(decoding: message.body, as: UTF8.self)
        switch type.mediaType {
        case "application/dtmf-relay":
            var digit: Character?
            var duration = 160
            // `\r\n` is one Character: split on every kind of line break.
            for line in text.split(whereSeparator: \.isNewline) {
                let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingWhitespace() }
                guard parts.count == 2 else { continue }
                switch parts[0].lowercased() {
                case "signal": digit = Self.digit(parts[1])
                case "duration": duration = Int(parts[1]).map { min(max($0, 1), 10_000) } ?? duration
                default: break
                }
            }
            return digit.map { ($0, duration) }
        case "application/dtmf":
            return Self.digit(text.trimmingWhitespace()).map { ($0, 160) }
        default:
            return nil
        }
    }

    /// `application/dtmf-relay` body for a digit.
    static func body(digit: Character, durationMilliseconds: Int) -> [UInt8] {
        Array("Signal=\(digit)\r\nDuration=\(durationMilliseconds)\r\n".utf8)
    }

    private static func digit(_ text: Substring) -> Character? {
        // Event codes 10 and 11 stand for * and # in some phones (RFC 4733 numbering).
        switch text {
        case "10": return "*"
        case "11": return "#"
        default:
            guard text.count == 1, let character = text.uppercased().first, digits.contains(character) else { return nil }
            return character
        }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> Substring {
        let scalars = Substring(self)
        guard let start = scalars.firstIndex(where: { !$0.isWhitespace }),
              let end = scalars.lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return scalars[start...end]
    }
}
