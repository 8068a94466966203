import BridgeCore

/// Writes STUN messages: attributes in order, then MESSAGE-INTEGRITY and FINGERPRINT when asked.
public struct STUNMessageBuilder: Sendable {
    private var bytes: [UInt8]

    public init(type: STUNMessageType, transactionID: STUNTransactionID) {
        bytes = [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), 0, 0, 0x21, 0x12, 0xA4, 0x42] + transactionID.bytes
    }

    /// Appends an attribute; `padding` fills it to a multiple of 4 (any value is allowed, RFC 8489 section 14).
    public mutating func append(_ type: STUNAttributeType, _ value: some Collection<UInt8>, padding: UInt8 = 0) {
        let length = value.count
        bytes += [UInt8(type.rawValue >> 8), UInt8(type.rawValue & 0xFF), UInt8(length >> 8), UInt8(length & 0xFF)]
        bytes += value
        bytes += [UInt8](repeating: padding, count: (4 - length % 4) % 4)
        setLength(bytes.count - STUNMessage.headerLength)
    }

    public mutating func appendUsername(_ username: String) { append(.username, Array(username.utf8)) }
    public mutating func appendSoftware(_ software: String) { append(.software, Array(software.utf8)) }

    public mutating func appendPriority(_ priority: UInt32) { append(.priority, Self.bigEndian(priority)) }

    public mutating func appendUseCandidate() { append(.useCandidate, [UInt8]()) }

    public mutating func appendICEControlling(_ tieBreaker: UInt64) { append(.iceControlling, Self.bigEndian(tieBreaker)) }
    public mutating func appendICEControlled(_ tieBreaker: UInt64) { append(.iceControlled, Self.bigEndian(tieBreaker)) }

    public mutating func appendErrorCode(_ code: Int, reason: String) {
        append(.errorCode, [0, 0, UInt8((code / 100) & 0x07), UInt8(code % 100)] + Array(reason.utf8))
    }

    public mutating func appendXORMappedAddress(_ address: TransportAddress) {
        let transactionID = STUNTransactionID(bytes: Array(bytes[8..<20]))
        let mask = STUNMessage.xorMask(transactionID: transactionID)
        let port = address.port ^ UInt16(STUNMessage.magicCookie >> 16)
        let family: UInt8 = address.family == .ipv4 ? 0x01 : 0x02
        let xored = address.addressBytes.enumerated().map { $1 ^ mask[$0] }
        append(.xorMappedAddress, [0, family, UInt8(port >> 8), UInt8(port & 0xFF)] + xored)
    }

    /// MESSAGE-INTEGRITY with the short-term key.
    public mutating func appendMessageIntegrity(key: [UInt8]) {
        appendMessageIntegrity(key: STUNShortTermKey(bytes: key))
    }

    public mutating func appendMessageIntegrity(key: STUNShortTermKey) {
        append(.messageIntegrity, STUNIntegrity.hmac(of: bytes, upTo: bytes.count, key: key))
    }

    public mutating func appendFingerprint() {
        let crc = STUNIntegrity.fingerprint(of: bytes, upTo: bytes.count)
        append(.fingerprint, Self.bigEndian(crc))
    }

    public var message: [UInt8] { bytes }

    private mutating func setLength(_ length: Int) {
        bytes[2] = UInt8(length >> 8)
        bytes[3] = UInt8(length & 0xFF)
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
