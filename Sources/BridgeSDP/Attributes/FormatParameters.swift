/// `a=fmtp:<payload type> <parameters>` (RFC 8866 section 6.15), read as `key=value` pairs separated by `;`.
///
/// Tolerates what cameras write: spaces around `;` and `=`, a trailing `;`, upper-case keys. Parameters
/// without `=` (telephone-event's `0-16`) keep their text as the key with a nil value.
public struct FormatParameters: Sendable, Hashable {
    public var payloadType: UInt8
    /// In written order.
    public var parameters: [(key: String, value: String?)]

    public init(payloadType: UInt8, parameters: [(key: String, value: String?)]) {
        self.payloadType = payloadType
        self.parameters = parameters
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard let first = parts.first, let payloadType = PayloadTypes.parse(first) else { return nil }
        self.payloadType = payloadType
        parameters = []
        guard parts.count == 2 else { return }
        for item in parts[1].split(separator: ";") {
            let trimmed = item.trimmingSpaces
            if trimmed.isEmpty { continue }
            if let equals = trimmed.firstIndex(of: "=") {
                parameters.append((String(trimmed[..<equals].trimmingSpaces), String(trimmed[trimmed.index(after: equals)...].trimmingSpaces)))
            } else {
                parameters.append((String(trimmed), nil))
            }
        }
    }

    /// The value of a parameter, keys compared without case (`profile-level-id`, `Profile-Level-ID`).
    public subscript(key: String) -> String? {
        let lowered = key.lowercased()
        guard let parameter = parameters.first(where: { $0.key.lowercased() == lowered }) else { return nil }
        return parameter.value ?? ""
    }

    /// Sets (or adds) a parameter, keeping the others in their order.
    public mutating func set(_ key: String, to value: String) {
        let lowered = key.lowercased()
        if let index = parameters.firstIndex(where: { $0.key.lowercased() == lowered }) {
            parameters[index].value = value
        } else {
            parameters.append((key, value))
        }
    }

    public var attributeValue: String {
        let text = parameters.map { parameter in parameter.value.map { "\(parameter.key)=\($0)" } ?? parameter.key }
        return "\(payloadType) " + text.joined(separator: ";")
    }

    public static func == (lhs: FormatParameters, rhs: FormatParameters) -> Bool {
        lhs.payloadType == rhs.payloadType && lhs.parameters.map(\.key) == rhs.parameters.map(\.key)
            && lhs.parameters.map(\.value) == rhs.parameters.map(\.value)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(payloadType)
        for parameter in parameters {
            hasher.combine(parameter.key)
            hasher.combine(parameter.value)
        }
    }
}
