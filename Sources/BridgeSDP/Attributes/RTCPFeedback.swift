/// `a=rtcp-fb:<payload type or *> <type> [<parameter>]` (RFC 4585 section 4.2).
public struct RTCPFeedback: Sendable, Hashable {
    /// nil for `*` (all payload types).
    public var payloadType: UInt8?
    public var type: String
    public var parameter: String?

    public init(payloadType: UInt8?, type: String, parameter: String? = nil) {
        self.payloadType = payloadType
        self.type = type
        self.parameter = parameter
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        if parts[0] == "*" {
            payloadType = nil
        } else {
            guard let payloadType = PayloadTypes.parse(parts[0]) else { return nil }
            self.payloadType = payloadType
        }
        type = String(parts[1])
        parameter = parts.count == 3 ? String(parts[2].trimmingSpaces) : nil
    }

    public var attributeValue: String {
        let pt = payloadType.map(String.init) ?? "*"
        return "\(pt) \(type)" + (parameter.map { " \($0)" } ?? "")
    }
}
