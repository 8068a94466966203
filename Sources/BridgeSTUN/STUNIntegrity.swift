import BridgeCore
import CBridgeShim

/// MESSAGE-INTEGRITY (HMAC-SHA1, RFC 8489 section 14.5) and FINGERPRINT (CRC-32, section 14.7).
///
/// Both cover the message up to the attribute, with the header's length field set as if the message ended
/// right after the attribute. They are checked before any other attribute is trusted.
public enum STUNIntegrity {
    static let fingerprintXOR: UInt32 = 0x5354_554E
    static let integrityLength = 20

    /// Checks FINGERPRINT, which must be the last attribute when present. Returns false when absent.
    public static func hasValidFingerprint(_ message: STUNMessage) -> Bool {
        guard let last = message.lastAttribute, last.type == STUNAttributeType.fingerprint.rawValue, last.range.count == 4 else {
            return false
        }
        let attributeStart = last.range.lowerBound - 4
        let expected = STUNMessage.readUInt32(message.bytes, at: last.range.lowerBound)
        return fingerprint(of: message.bytes, upTo: attributeStart) == expected
    }

    /// Checks MESSAGE-INTEGRITY with a short-term key (the ICE password). Attributes after it other than
    /// FINGERPRINT make the message invalid (RFC 8489 section 14.5).
    public static func hasValidIntegrity(_ message: STUNMessage, key: [UInt8]) -> Bool {
        hasValidIntegrity(message, key: STUNShortTermKey(bytes: key))
    }

    /// The same with a key made once (the agent keeps its password's key): no allocation.
    public static func hasValidIntegrity(_ message: STUNMessage, key: STUNShortTermKey) -> Bool {
        var integrity: Range<Int>?
        var after = 0
        for attribute in message.attributes {
            if integrity != nil {
                guard attribute.type == STUNAttributeType.fingerprint.rawValue, after == 0 else { return false }
                after += 1
            } else if attribute.type == STUNAttributeType.messageIntegrity.rawValue {
                integrity = attribute.range
            }
        }
        guard let integrity, integrity.count == integrityLength else { return false }
        let mac = authenticationCode(of: message.bytes, upTo: integrity.lowerBound - 4, key: key)
        return withUnsafeBytes(of: mac) { computed in
            var difference: UInt8 = 0
            for (offset, index) in integrity.enumerated() { difference |= computed[offset] ^ message.bytes[index] }
            return difference == 0
        }
    }

    /// HMAC-SHA1 over `bytes[..<end]` with the length field patched to end after a 24-byte MI attribute.
    static func hmac(of bytes: [UInt8], upTo end: Int, key: STUNShortTermKey) -> [UInt8] {
        withUnsafeBytes(of: authenticationCode(of: bytes, upTo: end, key: key)) { Array($0) }
    }

    /// The header is copied to the stack to patch its length; the rest is hashed in place.
    static func authenticationCode(of bytes: [UInt8], upTo end: Int, key: STUNShortTermKey) -> STUNShortTermKey.MAC {
        let length = end - STUNMessage.headerLength + 4 + integrityLength
        var mac: STUNShortTermKey.MAC = (0, 0, 0)
        bytes.withUnsafeBytes { raw in
            var header: (UInt64, UInt64, UInt32) = (0, 0, 0)
            withUnsafeMutableBytes(of: &header) { copy in
                copy.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<STUNMessage.headerLength]))
                copy[2] = UInt8(truncatingIfNeeded: length >> 8)
                copy[3] = UInt8(truncatingIfNeeded: length)
                let body = UnsafeRawBufferPointer(rebasing: raw[STUNMessage.headerLength..<end])
                withUnsafeMutableBytes(of: &mac) { digest in
                    withUnsafePointer(to: key.pads) { pads in
                        mb_hmac_sha1(pads, copy.baseAddress, STUNMessage.headerLength, body.baseAddress, body.count,
                                     digest.baseAddress?.assumingMemoryBound(to: UInt8.self))
                    }
                }
            }
        }
        return mac
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

/// An ICE password as an HMAC-SHA1 key, its padded blocks hashed once per session rather than once per check.
public struct STUNShortTermKey: Sendable {
    /// The 20-byte MAC, held on the stack.
    typealias MAC = (UInt64, UInt64, UInt32)

    let pads: mb_hmac_sha1_key

    public init(password: String) {
        self.init(bytes: Array(password.utf8))
    }

    public init(bytes: [UInt8]) {
        var pads = mb_hmac_sha1_key()
        mb_hmac_sha1_key_init(&pads, bytes, bytes.count)
        self.pads = pads
    }
}
