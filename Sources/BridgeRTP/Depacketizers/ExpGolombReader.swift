/// Bit and Exp-Golomb reads (H.264 section 9.1) over NAL unit bytes; nil past the end. Emulation prevention
/// bytes are the caller's: the slice-type check reads only the first fields, before any can occur; the SPS
/// reader removes them first.
struct ExpGolombReader {
    private let bytes: ArraySlice<UInt8>
    private var bit = 0

    init(_ bytes: ArraySlice<UInt8>) {
        self.bytes = bytes
    }

    mutating func readBit() -> UInt32? {
        let index = bytes.startIndex + bit / 8
        guard index < bytes.endIndex else { return nil }
        let value = UInt32(bytes[index] >> (7 - UInt8(bit % 8)) & 1)
        bit += 1
        return value
    }

    mutating func readUnsigned() -> UInt32? {
        var zeros = 0
        while true {
            guard let next = readBit() else { return nil }
            if next == 1 { break }
            zeros += 1
            guard zeros < 32 else { return nil }
        }
        var value: UInt32 = 0
        for _ in 0..<zeros {
            guard let next = readBit() else { return nil }
            value = value << 1 | next
        }
        return (UInt32(1) << zeros) - 1 + value
    }
}

extension ExpGolombReader {
    mutating func readBits(_ count: Int) -> UInt32? {
        var value: UInt32 = 0
        for _ in 0..<count {
            guard let bit = readBit() else { return nil }
            value = value << 1 | bit
        }
        return value
    }

    /// se(v) (H.264 section 9.1.1).
    mutating func readSigned() -> Int32? {
        guard let code = readUnsigned() else { return nil }
        let magnitude = Int32(truncatingIfNeeded: (Int64(code) + 1) / 2)
        return code % 2 == 1 ? magnitude : -magnitude
    }
}
