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
        hasValidIntegrity(message, key: SymmetricKey(data: key))
    }

    /// The same with a key made once (the agent keeps its password's key).
    public static func hasValidIntegrity(_ message: STUNMessage, key: STUNShortTermKey) -> Bool {
        hasValidIntegrity(message, key: key.key)
    }

    static func hasValidIntegrity(_ message: STUNMessage, key: SymmetricKey) -> Bool {
        guard let index = message.attributes.firstIndex(where: { $0.type == STUNAttributeType.messageIntegrity.rawValue }) else {
            return false
        }
        let attribute = message.attributes[index]
        guard attribute.range.count == integrityLength else { return false }
        let after = message.attributes[(index + 1)...]
        guard after.allSatisfy({ $0.type == STUNAttributeType.fingerprint.rawValue }), after.count <= 1 else { return false }
        let mac = authenticationCode(of: message.bytes, upTo: attribute.range.lowerBound - 4, key: key)
        return mac.withUnsafeBytes { computed in
            guard computed.count == attribute.range.count else { return false }
            var difference: UInt8 = 0
            for (offset, index) in attribute.range.enumerated() { difference |= computed[offset] ^ message.bytes[index] }
            return difference == 0
        }
    }

    /// HMAC-SHA1 over `bytes[..<end]` with the length field patched to end after a 24-byte MI attribute.
    static func hmac(of bytes: [UInt8], upTo end: Int, key: [UInt8]) -> [UInt8] {
        Array(authenticationCode(of: bytes, upTo: end, key: SymmetricKey(data: key)))
    }

    /// The header goes in three pieces (type, patched length, cookie and transaction ID): nothing copied.
    static func authenticationCode(of bytes: [UInt8], upTo end: Int, key: SymmetricKey) -> HashedAuthenticationCode<Insecure.SHA1> {
        let length = end - STUNMessage.headerLength + 4 + integrityLength
        var authenticator = HMAC<Insecure.SHA1>(key: key)
        bytes.withUnsafeBytes { raw in
            var header: (UInt64, UInt64, UInt32) = (0, 0, 0)
            withUnsafeMutableBytes(of: &header) { copy in
                copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<STUNMessage.headerLength]))
                copy[2] = UInt8(truncatingIfNeeded: length >> 8)
                copy[3] = UInt8(truncatingIfNeeded: length)
                authenticator.update(data: UnsafeRawBufferPointer(rebasing: copy[0..<STUNMessage.headerLength]))
            }
            authenticator.update(data: UnsafeRawBufferPointer(rebasing: raw[STUNMessage.headerLength..<end]))
        }
        return authenticator.finalize()
    }

    /// CRC-32 over `bytes[..<end]` with the length field patched to end after the 8-byte FINGERPRINT attribute.
    static func fingerprint(of bytes: [UInt8], upTo end: Int) -> UInt32 {
        let length = end - STUNMessage.headerLength + 8
        var crc = CRC32.Running()
        bytes.withUnsafeBytes { raw in
            crc.update(UnsafeRawBufferPointer(rebasing: raw[0..<2]))
            crc.update(byte: UInt8(truncatingIfNeeded: length >> 8))
            crc.update(byte: UInt8(truncatingIfNeeded: length))
            crc.update(UnsafeRawBufferPointer(rebasing: raw[4..<end]))
        }
        return crc.value ^ fingerprintXOR
    }
}

/// An ICE password as an HMAC key, made once per session rather than once per check.
public struct STUNShortTermKey: Sendable {
    let key: SymmetricKey

    public init(password: String) {
        key = SymmetricKey(data: Array(password.utf8))
    }
}
