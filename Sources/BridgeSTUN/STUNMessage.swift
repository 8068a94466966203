import BridgeCore

/// A STUN message (RFC 8489 section 5) read from a datagram, attributes referenced in place.
///
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Transaction ID (96 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct STUNMessage: Sendable, Hashable {
    public static let magicCookie: UInt32 = 0x2112_A442
    public static let headerLength = 20
    /// Attributes beyond this count are refused: ICE checks carry about eight.
    public static let maximumAttributes = 32

    /// The whole datagram.
    public let bytes: [UInt8]
    public let type: STUNMessageType
    public let transactionID: STUNTransactionID
    /// Attribute types and the ranges of their values in `bytes`, in order. They are walked from the bytes
    /// each time rather than kept in an array, so that parsing allocates nothing.
    public var attributes: STUNAttributes { STUNAttributes(bytes: bytes) }

    /// Whether a datagram could be STUN (RFC 7983: first byte 0...3, and the magic cookie).
    public static func isSTUN(_ bytes: [UInt8]) -> Bool {
        bytes.count >= headerLength && bytes[0] < 4 && readUInt32(bytes, at: 4) == magicCookie
    }

    public init(parsing bytes: [UInt8]) throws(STUNError) {
        guard bytes.count >= Self.headerLength else { throw STUNError(.truncated, "\(bytes.count) bytes, shorter than a header") }
        guard bytes[0] & 0xC0 == 0, Self.readUInt32(bytes, at: 4) == Self.magicCookie else {
            throw STUNError(.notSTUN, "no magic cookie")
        }
        let length = Int(Self.readUInt16(bytes, at: 2))
        guard length % 4 == 0 else { throw STUNError(.notSTUN, "length \(length) is not a multiple of 4") }
        guard Self.headerLength + length == bytes.count else {
            throw STUNError(.truncated, "length field says \(length) bytes of attributes, datagram has \(bytes.count - Self.headerLength)")
        }
        var count = 0
        var offset = Self.headerLength
        while offset < bytes.count {
            guard offset + 4 <= bytes.count else { throw STUNError(.malformedAttribute, "attribute header cut at byte \(offset)") }
            let type = Self.readUInt16(bytes, at: offset)
            let valueLength = Int(Self.readUInt16(bytes, at: offset + 2))
            let start = offset + 4
            guard start + valueLength <= bytes.count else {
                throw STUNError(.malformedAttribute, "attribute 0x\(String(type, radix: 16)) at byte \(offset) runs past the end")
            }
            guard count < Self.maximumAttributes else {
                throw STUNError(.tooManyAttributes, "more than \(Self.maximumAttributes) attributes")
            }
            count += 1
            offset = start + (valueLength + 3) & ~3
        }
        self.bytes = bytes
        type = STUNMessageType(rawValue: Self.readUInt16(bytes, at: 0))
        transactionID = STUNTransactionID(high: UInt64(Self.readUInt32(bytes, at: 8)) << 32 | UInt64(Self.readUInt32(bytes, at: 12)),
                                          low: Self.readUInt32(bytes, at: 16))
    }

    /// The value of the first attribute of a type.
    public func value(of type: STUNAttributeType) -> ArraySlice<UInt8>? {
        attributes.first { $0.type == type.rawValue }.map { bytes[$0.range] }
    }

    public func has(_ type: STUNAttributeType) -> Bool {
        attributes.contains { $0.type == type.rawValue }
    }

    /// Comprehension-required attributes (type below 0x8000) the gateway does not know (RFC 8489 section 14).
    public var unknownRequiredAttributes: [UInt16] {
        attributes.map(\.type).filter { $0 < 0x8000 && STUNAttributeType(rawValue: $0).isKnown == false }
    }

    /// The last attribute, which is FINGERPRINT when there is one.
    var lastAttribute: STUNAttributes.Element? {
        var last: STUNAttributes.Element?
        for attribute in attributes { last = attribute }
        return last
    }

    public static func == (lhs: STUNMessage, rhs: STUNMessage) -> Bool { lhs.bytes == rhs.bytes }
    public func hash(into hasher: inout Hasher) { hasher.combine(bytes) }

    static func readUInt16(_ bytes: [UInt8], at offset: Int) -> UInt16 {
        UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
    }

    static func readUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }
}

/// The attributes of a parsed message, walked in place (the parser checked that every header and value fits).
public struct STUNAttributes: Sequence, Sendable {
    public typealias Element = (type: UInt16, range: Range<Int>)

    let bytes: [UInt8]

    public func makeIterator() -> Iterator { Iterator(bytes: bytes) }

    public struct Iterator: IteratorProtocol {
        let bytes: [UInt8]
        var offset = STUNMessage.headerLength

        public mutating func next() -> Element? {
            guard offset + 4 <= bytes.count else { return nil }
            let type = STUNMessage.readUInt16(bytes, at: offset)
            let start = offset + 4
            let end = Swift.min(start + Int(STUNMessage.readUInt16(bytes, at: offset + 2)), bytes.count)
            offset = start + (end - start + 3) & ~3
            return (type, start..<end)
        }
    }
}

/// Method and class packed as RFC 8489 section 5 shows (class bits C1 C0 spread over the method bits).
public struct STUNMessageType: Sendable, Hashable, CustomStringConvertible {
    public enum Class: UInt16, Sendable {
        case request = 0b00, indication = 0b01, successResponse = 0b10, errorResponse = 0b11
    }

    public let rawValue: UInt16

    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public init(method: UInt16, class messageClass: Class) {
        let m = method & 0x0FFF
        let c = messageClass.rawValue
        rawValue = (m & 0x000F) | ((m & 0x0070) << 1) | ((m & 0x0F80) << 2) | ((c & 0b01) << 4) | ((c & 0b10) << 7)
    }

    public var method: UInt16 { (rawValue & 0x000F) | ((rawValue & 0x00E0) >> 1) | ((rawValue & 0x3E00) >> 2) }
    public var messageClass: Class { Class(rawValue: ((rawValue >> 4) & 0b01) | ((rawValue >> 7) & 0b10)) ?? .request }

    public static let bindingMethod: UInt16 = 0x001
    public static let bindingRequest = STUNMessageType(method: bindingMethod, class: .request)
    public static let bindingSuccess = STUNMessageType(method: bindingMethod, class: .successResponse)
    public static let bindingError = STUNMessageType(method: bindingMethod, class: .errorResponse)
    public static let bindingIndication = STUNMessageType(method: bindingMethod, class: .indication)

    public var description: String { "0x" + String(rawValue, radix: 16) }
}

/// The 96-bit transaction ID, held as two integers so that parsing allocates nothing.
public struct STUNTransactionID: Sendable, Hashable {
    public let high: UInt64
    public let low: UInt32

    public init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    public init(bytes: [UInt8]) {
        precondition(bytes.count == 12, "a transaction ID is 12 bytes")
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<12].reduce(0) { $0 << 8 | UInt32($1) }
    }

    public var bytes: [UInt8] {
        (0..<8).reversed().map { UInt8(truncatingIfNeeded: high >> ($0 * 8)) } + (0..<4).reversed().map { UInt8(truncatingIfNeeded: low >> ($0 * 8)) }
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> STUNTransactionID {
        STUNTransactionID(high: generator.next(), low: UInt32(truncatingIfNeeded: generator.next()))
    }

    public static func random() -> STUNTransactionID {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }
}
