/// Bounds-checked big-endian reads over bytes from the network. Every read returns nil instead of trapping
/// when the bytes run out, so parsers of outside data never index past the end (raw pointer subscripts
/// are only checked in debug builds).
///
/// A plain value over borrowed memory: no allocation, no reference counting. Do not keep it past the
/// `withUnsafeBytes` call that produced `bytes`.
public struct ByteReader {
    public let bytes: UnsafeRawBufferPointer
    /// Where the next read starts, from the start of `bytes`.
    public var offset: Int

    @inlinable public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// Bytes left from `offset` to the end (0 when `offset` is past the end).
    @inlinable public var remaining: Int { offset >= 0 && offset < bytes.count ? bytes.count - offset : 0 }

    /// True when `count` bytes can be read from `position`.
    @inlinable public func has(_ count: Int, at position: Int) -> Bool {
        position >= 0 && count >= 0 && position <= bytes.count && count <= bytes.count - position
    }

    @inlinable public func uint8(at position: Int) -> UInt8? {
        has(1, at: position) ? bytes.load(fromByteOffset: position, as: UInt8.self) : nil
    }

    @inlinable public func uint16(at position: Int) -> UInt16? {
        has(2, at: position) ? UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt16.self)) : nil
    }

    /// A 24-bit big-endian value (RTCP cumulative loss, TWCC reference time).
    @inlinable public func uint24(at position: Int) -> UInt32? {
        guard let high = uint8(at: position), let low = uint16(at: position + 1) else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }

    @inlinable public func uint32(at position: Int) -> UInt32? {
        has(4, at: position) ? UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt32.self)) : nil
    }

    @inlinable public func uint64(at position: Int) -> UInt64? {
        has(8, at: position) ? UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)) : nil
    }

    @inlinable public mutating func readUInt8() -> UInt8? { advance(1, uint8(at: offset)) }
    @inlinable public mutating func readUInt16() -> UInt16? { advance(2, uint16(at: offset)) }
    @inlinable public mutating func readUInt24() -> UInt32? { advance(3, uint24(at: offset)) }
    @inlinable public mutating func readUInt32() -> UInt32? { advance(4, uint32(at: offset)) }
    @inlinable public mutating func readUInt64() -> UInt64? { advance(8, uint64(at: offset)) }

    /// Moves past `count` bytes; false (and no move) when fewer are left.
    @inlinable public mutating func skip(_ count: Int) -> Bool {
        guard has(count, at: offset) else { return false }
        offset += count
        return true
    }

    @inlinable mutating func advance<Value>(_ count: Int, _ value: Value?) -> Value? {
        if value != nil { offset += count }
        return value
    }
}

extension Array where Element == UInt8 {
    /// Appends `value` in network byte order.
    @inlinable public mutating func appendBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        Swift.withUnsafeBytes(of: value.bigEndian) { append(contentsOf: $0) }
    }

    /// Appends the low 24 bits of `value` in network byte order.
    @inlinable public mutating func appendBigEndian24(_ value: UInt32) {
        append(UInt8(truncatingIfNeeded: value >> 16))
        append(UInt8(truncatingIfNeeded: value >> 8))
        append(UInt8(truncatingIfNeeded: value))
    }

    /// Overwrites two bytes at `position` with `value` in network byte order (for length fields written
    /// after their content). `position` is our own offset, so a bad one is a bug: it traps.
    @inlinable public mutating func setBigEndian(_ value: UInt16, at position: Int) {
        self[position] = UInt8(truncatingIfNeeded: value >> 8)
        self[position + 1] = UInt8(truncatingIfNeeded: value)
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` that keeps a typed error: the standard one `rethrows`, which widens it to `any Error`.
    @inlinable public func withBytes<Value, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let result = withUnsafeBytes { buffer in Result { () throws(Failure) in try body(buffer) } }
        return try result.get()
    }

    /// `withUnsafeMutableBytes` that keeps a typed error.
    @inlinable public mutating func withMutableBytes<Value, Failure: Error>(
        _ body: (UnsafeMutableRawBufferPointer) throws(Failure) -> Value
    ) throws(Failure) -> Value {
        let result = withUnsafeMutableBytes { buffer in Result { () throws(Failure) in try body(buffer) } }
        return try result.get()
    }
}
