import BridgeCore

/// One element of an RFC 8285 header extension, as offsets into the packet it was parsed from.
public struct RTPHeaderExtensionElement: Sendable, Hashable {
    /// The local identifier negotiated with `a=extmap` (1...14 one-byte form, 1...255 two-byte form).
    public let id: UInt8
    public let range: Range<Int>
}

/// An RTP header extension to write (RFC 3550 section 5.3.1), usually a list of RFC 8285 elements.
///
/// One-byte form (RFC 8285 section 4.2), profile 0xBEDE, ids 1...14, 1...16 data bytes each:
/// ```
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       0xBE    |    0xDE       |           length=3            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |  ID   | L=0   |     data      |  ID   |  L=1  |   data...
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
///       ...data   |    0 (pad)    |    0 (pad)    |  ID   | L=3   |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
/// L is the data length minus one. A zero byte is padding; id 15 ends the list.
///
/// Two-byte form (RFC 8285 section 4.3), profile 0x100 followed by 4 application bits, ids 1...255,
/// 0...255 data bytes each:
/// ```
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |         0x100         |appbits|           length=3            |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |      ID       |     L=0       |     ID        |     L=1       |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |       data    |    0 (pad)    |       ID      |      L=4      |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// ```
public struct RTPHeaderExtension: Sendable, Hashable {
    public static let oneByteProfile: UInt16 = 0xBEDE
    public static let twoByteProfile: UInt16 = 0x1000

    public struct Element: Sendable, Hashable {
        public var id: UInt8
        public var value: [UInt8]

        public init(id: UInt8, value: [UInt8]) {
            self.id = id
            self.value = value
        }
    }

    public var profile: UInt16
    /// The extension's data after its 4-byte header, a multiple of 4 bytes long.
    public private(set) var data: [UInt8]

    /// Raw extension data for any profile; zero-padded to a multiple of 4 bytes.
    public init(profile: UInt16, data: [UInt8]) throws(RTPError) {
        guard data.count <= Int(UInt16.max) * 4 else { throw RTPError(.extensionTooLong(data.count), at: 0) }
        self.profile = profile
        self.data = data
        self.data.append(contentsOf: repeatElement(0, count: (4 - data.count % 4) % 4))
    }

    /// RFC 8285 elements, in the one-byte form when every id is 1...14 and every value 1...16 bytes long,
    /// in the two-byte form otherwise (RFC 8285 section 4.1.2 leaves the choice to the sender).
    public init(elements: [Element]) throws(RTPError) {
        let fitsOneByte = elements.allSatisfy { (1...14).contains($0.id) && (1...16).contains($0.value.count) }
        var data: [UInt8] = []
        for element in elements {
            if fitsOneByte {
                data.append(element.id << 4 | UInt8(element.value.count - 1))
            } else {
                guard element.id != 0 else { throw RTPError(.elementID(0, form: "two-byte"), at: data.count) }
                guard element.value.count <= 255 else {
                    throw RTPError(.elementLength(element.value.count, form: "two-byte"), at: data.count)
                }
                data.append(element.id)
                data.append(UInt8(element.value.count))
            }
            data.append(contentsOf: element.value)
        }
        try self.init(profile: fitsOneByte ? Self.oneByteProfile : Self.twoByteProfile, data: data)
    }

    /// The extension of a parsed packet, copied as it is on the wire; nil when the packet has none.
    public init?(of packet: RTPPacket, in bytes: [UInt8]) {
        guard let profile = packet.extensionProfile, packet.extensionRange.upperBound <= bytes.count else { return nil }
        self.profile = profile
        data = Array(bytes[packet.extensionRange])
    }

    /// Appends the 4-byte extension header and the data.
    public func write(into output: inout [UInt8]) {
        output.appendBigEndian(profile)
        output.appendBigEndian(UInt16(truncatingIfNeeded: data.count / 4))
        output.append(contentsOf: data)
    }

    /// Calls `body` with each RFC 8285 element in `range` until it returns false; throws when an element runs
    /// past the range. Profiles other than the one-byte and two-byte forms have no elements.
    static func walk(_ reader: ByteReader, profile: UInt16, range: Range<Int>,
                     _ body: (RTPHeaderExtensionElement) -> Bool) throws(RTPError) {
        let oneByte = profile == oneByteProfile
        guard oneByte || profile & 0xFFF0 == twoByteProfile else { return }
        var offset = range.lowerBound
        while offset < range.upperBound, let first = reader.uint8(at: offset) {
            if first == 0 { offset += 1; continue }  // padding between elements
            let id: UInt8, length: Int, start: Int
            if oneByte {
                id = first >> 4
                if id == 15 { return }  // "processing of the entire extension should terminate"
                if id == 0 { offset += 1; continue }  // id 0 is reserved for padding, whatever its length
                length = Int(first & 0x0F) + 1
                start = offset + 1
            } else {
                id = first
                guard let lengthByte = reader.uint8(at: offset + 1), offset + 1 < range.upperBound else {
                    throw RTPError(.extensionElement(id: Int(id), needed: 2, left: range.upperBound - offset), at: offset)
                }
                length = Int(lengthByte)
                start = offset + 2
            }
            guard length <= range.upperBound - start else {
                throw RTPError(.extensionElement(id: Int(id), needed: length, left: range.upperBound - start), at: offset)
            }
            guard body(RTPHeaderExtensionElement(id: id, range: start ..< start + length)) else { return }
            offset = start + length
        }
    }
}

extension RTPPacket {
    /// Calls `body` with each RFC 8285 element of the header extension, in order. Nothing for packets
    /// without an extension or with another profile.
    public func forEachExtensionElement(in bytes: UnsafeRawBufferPointer, _ body: (RTPHeaderExtensionElement) -> Void) {
        guard let extensionProfile else { return }
        try? RTPHeaderExtension.walk(ByteReader(bytes), profile: extensionProfile, range: extensionRange) {
            body($0)
            return true
        }
    }

    /// The data of the element with `id` (the first, if repeated), or nil.
    public func extensionElement(id: UInt8, in bytes: UnsafeRawBufferPointer) -> Range<Int>? {
        guard let extensionProfile else { return nil }
        var found: Range<Int>?
        try? RTPHeaderExtension.walk(ByteReader(bytes), profile: extensionProfile, range: extensionRange) {
            if $0.id == id { found = $0.range }
            return found == nil
        }
        return found
    }

    /// Every element with a copy of its value (allocates: for tests and the control path).
    public func extensionElements(in bytes: [UInt8]) -> [RTPHeaderExtension.Element] {
        var elements: [RTPHeaderExtension.Element] = []
        bytes.withUnsafeBytes { buffer in
            forEachExtensionElement(in: buffer) { element in
                if element.range.upperBound <= bytes.count {
                    elements.append(RTPHeaderExtension.Element(id: element.id, value: Array(bytes[element.range])))
                }
            }
        }
        return elements
    }
}
