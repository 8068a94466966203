/// Reads fuzz-chosen numbers and choices off the front of an input; past its end every read is zero.
struct FuzzInput {
    private let bytes: [UInt8]
    private(set) var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    var remaining: ArraySlice<UInt8> { bytes[min(offset, bytes.count)...] }

    mutating func byte() -> UInt8 {
        guard offset < bytes.count else { return 0 }
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func uint16() -> UInt16 {
        UInt16(byte()) << 8 | UInt16(byte())
    }

    mutating func uint32() -> UInt32 {
        UInt32(uint16()) << 16 | UInt32(uint16())
    }

    /// A number in `range`, from as many bytes as it needs (at most four).
    mutating func int(in range: ClosedRange<Int>) -> Int {
        let span = UInt64(range.upperBound - range.lowerBound) + 1
        let raw = span <= 0x100 ? UInt64(byte()) : span <= 0x1_0000 ? UInt64(uint16()) : UInt64(uint32())
        return range.lowerBound + Int(raw % span)
    }

    /// The next `count` bytes (fewer at the end).
    mutating func take(_ count: Int) -> ArraySlice<UInt8> {
        let start = min(offset, bytes.count)
        let end = min(start + max(0, count), bytes.count)
        offset = end
        return bytes[start..<end]
    }

    /// Hands a stream decoder `bytes` in two pieces, cut where the first byte says, and takes up to `limit`
    /// messages after each piece (`next` says whether it got one).
    static func feedInTwoPieces(_ bytes: [UInt8], limit: Int, append: (ArraySlice<UInt8>) -> Void, next: () -> Bool) {
        let cut = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
        var messages = 0
        append(bytes[..<cut])
        while messages < limit, next() { messages += 1 }
        append(bytes[cut...])
        while messages < 2 * limit, next() { messages += 1 }
    }
}
