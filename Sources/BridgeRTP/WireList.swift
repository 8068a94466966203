import BridgeCore

/// A value with a fixed size on the wire: a CSRC, a report block, a NACK item, a FIR entry.
public protocol FixedSizeWireValue: Sendable, Hashable {
    static var wireLength: Int { get }
    /// Reads the value at `offset`; nil when the bytes end first.
    init?(_ reader: ByteReader, at offset: Int)
}

/// `count` values of one fixed size back to back in a datagram: where a parsed packet's list is, not a copy
/// of it. Read it with the bytes the packet was parsed from; the parser has checked that the list fits.
public struct WireList<Element: FixedSizeWireValue>: Sendable, Hashable {
    public let count: Int
    /// Where the first value starts in the datagram.
    public let offset: Int

    init(count: Int, offset: Int) {
        self.count = count
        self.offset = offset
    }

    static var empty: WireList { WireList(count: 0, offset: 0) }

    /// The value at `index`, or nil outside the list or the bytes.
    public func element(at index: Int, in bytes: UnsafeRawBufferPointer) -> Element? {
        guard (0..<count).contains(index) else { return nil }
        return Element(ByteReader(bytes), at: offset + index * Element.wireLength)
    }

    /// Calls `body` with each value in order.
    public func forEach(in bytes: UnsafeRawBufferPointer, _ body: (Element) -> Void) {
        for index in 0..<count {
            guard let element = element(at: index, in: bytes) else { return }
            body(element)
        }
    }

    /// Every value (allocates: for tests and the control path).
    public func elements(in bytes: [UInt8]) -> [Element] {
        bytes.withUnsafeBytes { buffer in (0..<count).compactMap { element(at: $0, in: buffer) } }
    }
}

extension SSRC: FixedSizeWireValue {
    public static var wireLength: Int { 4 }

    public init?(_ reader: ByteReader, at offset: Int) {
        guard let value = reader.uint32(at: offset) else { return nil }
        self.init(value)
    }
}
