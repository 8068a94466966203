import BridgeCore
import Crypto

/// MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5) and FINGERPRINT (CRC-32, section 14.7).
///
/// Both cover the message up to the attribute, with the header's length field set as if the message ended
/// right after the attribute. They are checked before any other attribute is trusted.
public enum STUNIntegrity {
    static let fingerprintXOR: UInt32 = 0x5354_554E
    static let integrityLength = 20

    /// Checks FINGERPRINT, which must be the last attribute when present. Returns false when absent.
    public static func hasValidFingerprint(_ message: STUNMessage) -> Bool {
        guard let last = message.attributes.last, last.type == STUNAttributeType.fingerprint.rawValue, last.range.count == 4 else {
            return false
        }
        let attributeStart = last.range.lowerBound - 4
        let expected = STUNMessage.readUInt32(message.bytes, at: last.range.lowerBound)
        return fingerprint(of: message.bytes, upTo: attributeStart) == expected
    }

    /// Checks MESSAGE-INTEGRITY with a short-term key (the ICE password). Attributes after it other than
    /// FINGERPRINT make the message invalid (RFC 8489 section 14.5).
    public static func hasValidIntegrity(_ message: STUNMessage, key: [UInt8]) -> Bool {
        guard let index = message.attributes.firstIndex(where: { $0.type == STUNAttributeType.messageIntegrity.rawValue }) else {
            return false
        }
        let attribute = message.attributes[index]
        guard attribute.range.count == integrityLength else { return false }
        let after = message.attributes[(index + 1)...]
        guard after.allSatisfy({ $0.type == STUNAttributeType.fingerprint.rawValue }), after.count <= 1 else { return false }
        let mac = hmac(of: message.bytes, upTo: attribute.range.lowerBound - 4, key: key)
        return constantTimeEqual(mac, message.bytes[attribute.range])
    }

    /// HMAC-SHA1 over `bytes[..<end]` with the length field patched to end after a 24-byte MI attribute.
    static func hmac(of bytes: [UInt8], upTo end: Int, key: [UInt8]) -> [UInt8] {
        var header = Array(bytes[0..<STUNMessage.headerLength])
        let length = end - STUNMessage.headerLength + 4 + integrityLength
        header[2] = UInt8(length >> 8)
        header[3] = UInt8(length & 0xFF)
        var authenticator = HMAC<Insecure.SHA1>(key: SymmetricKey(data: key))
        authenticator.update(data: header)
        authenticator.update(data: bytes[STUNMessage.headerLength..<end])
        return Array(authenticator.finalize())
    }

    /// CRC-32 over `bytes[..<end]` with the length field patched to end after the 8-byte FINGERPRINT attribute.
    static func fingerprint(of bytes: [UInt8], upTo end: Int) -> UInt32 {
        var header = Array(bytes[0..<STUNMessage.headerLength])
        let length = end - STUNMessage.headerLength + 8
        header[2] = UInt8(length >> 8)
        header[3] = UInt8(length & 0xFF)
        return CRC32.checksum(header + bytes[STUNMessage.headerLength..<end]) ^ fingerprintXOR
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: ArraySlice<UInt8>) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
