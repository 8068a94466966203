import BridgeCore

/// Attribute types ICE needs (RFC 8489 section 18.3, RFC 8445 section 16.1).
public struct STUNAttributeType: Sendable, Hashable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let mappedAddress = Self(rawValue: 0x0001)
    public static let username = Self(rawValue: 0x0006)
    public static let messageIntegrity = Self(rawValue: 0x0008)
    public static let errorCode = Self(rawValue: 0x0009)
    public static let unknownAttributes = Self(rawValue: 0x000A)
    public static let realm = Self(rawValue: 0x0014)
    public static let nonce = Self(rawValue: 0x0015)
    public static let xorMappedAddress = Self(rawValue: 0x0020)
    public static let priority = Self(rawValue: 0x0024)
    public static let useCandidate = Self(rawValue: 0x0025)
    public static let software = Self(rawValue: 0x8022)
    public static let fingerprint = Self(rawValue: 0x8028)
    public static let iceControlled = Self(rawValue: 0x8029)
    public static let iceControlling = Self(rawValue: 0x802A)
    /// Chromium's GOOG-NETWORK-INFO (comprehension-optional).
    public static let googNetworkInfo = Self(rawValue: 0xC057)

    var isKnown: Bool {
        [0x0001, 0x0006, 0x0008, 0x0009, 0x000A, 0x0014, 0x0015, 0x0020, 0x0024, 0x0025].contains(rawValue)
    }
}

extension STUNMessage {
    public var username: String? {
        value(of: .username).flatMap { String(validating: $0, as: UTF8.self) }
    }

    public var software: String? {
        value(of: .software).flatMap { String(validating: $0, as: UTF8.self) }
    }

    public var priority: UInt32? {
        guard let value = value(of: .priority), value.count == 4 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// ICE-CONTROLLING / ICE-CONTROLLED tie-breaker.
    public var iceControlling: UInt64? { tieBreaker(.iceControlling) }
    public var iceControlled: UInt64? { tieBreaker(.iceControlled) }

    private func tieBreaker(_ type: STUNAttributeType) -> UInt64? {
        guard let value = value(of: type), value.count == 8 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt64($1) }
    }

    /// ERROR-CODE (RFC 8489 section 14.8): class * 100 + number, and the reason phrase.
    public var errorCode: (code: Int, reason: String)? {
        guard let value = value(of: .errorCode), value.count >= 4 else { return nil }
        let start = value.startIndex
        let code = Int(value[start + 2] & 0x07) * 100 + Int(value[start + 3])
        return (code, String(decoding: value.dropFirst(4), as: UTF8.self))
    }

    /// XOR-MAPPED-ADDRESS (RFC 8489 section 14.2), un-XORed.
    public var xorMappedAddress: TransportAddress? {
        guard let value = value(of: .xorMappedAddress), value.count >= 8 else { return nil }
        let v = Array(value)
        let port = (UInt16(v[2]) << 8 | UInt16(v[3])) ^ UInt16(Self.magicCookie >> 16)
        let mask = Self.xorMask(transactionID: transactionID)
        switch v[1] {
        case 0x01 where v.count == 8:
            return TransportAddress(addressBytes: (0..<4).map { v[4 + $0] ^ mask[$0] }, port: port)
        case 0x02 where v.count == 20:
            return TransportAddress(addressBytes: (0..<16).map { v[4 + $0] ^ mask[$0] }, port: port)
        default:
            return nil
        }
    }

    /// Magic cookie followed by the transaction ID: what addresses are XORed with.
    static func xorMask(transactionID: STUNTransactionID) -> [UInt8] {
        [0x21, 0x12, 0xA4, 0x42] + transactionID.bytes
    }
}
