/// Splits H.264/H.265 access units as containers store them into bare NAL units.
public enum NALUnitSplitter {
    /// Length-prefixed NAL units (MP4/MKV, `lengthSize` 1, 2 or 4 bytes each). A length running past the
    /// end stops the split: the units before it are kept.
    public static func lengthPrefixed(_ bytes: UnsafeRawBufferPointer, lengthSize: Int) -> [[UInt8]] {
        var units: [[UInt8]] = []
        var offset = 0
        while offset + lengthSize <= bytes.count {
            var length = 0
            for index in 0..<lengthSize { length = length << 8 | Int(bytes[offset + index]) }
            offset += lengthSize
            guard length > 0, length <= bytes.count - offset else { break }
            units.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        return units
    }

    /// Annex B byte stream (start codes 00 00 01 or 00 00 00 01), as in MPEG-TS or raw .h264 files.
    public static func annexB(_ bytes: UnsafeRawBufferPointer) -> [[UInt8]] {
        var units: [[UInt8]] = []
        var start: Int?
        var index = 0
        let count = bytes.count
        while index + 2 < count {
            if bytes[index] == 0, bytes[index + 1] == 0, bytes[index + 2] == 1 {
                if let begin = start { units.append(trimmed(bytes, begin, index)) }
                index += 3
                start = index
            } else {
                index += 1
            }
        }
        if let begin = start, begin < count { units.append(trimmed(bytes, begin, count)) }
        return units.filter { !$0.isEmpty }
    }

    /// Whether the bytes begin with an Annex B start code.
    public static func startsWithStartCode(_ bytes: UnsafeRawBufferPointer) -> Bool {
        (bytes.count >= 3 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 1)
            || (bytes.count >= 4 && bytes[0] == 0 && bytes[1] == 0 && bytes[2] == 0 && bytes[3] == 1)
    }

    /// The bytes between two start codes without the zero byte of a following 4-byte start code.
    private static func trimmed(_ bytes: UnsafeRawBufferPointer, _ begin: Int, _ end: Int) -> [UInt8] {
        var last = end
        while last > begin, bytes[last - 1] == 0 { last -= 1 }
        return Array(bytes[begin..<last])
    }

    /// SPS and PPS from an `avcC` box (ISO 14496-15), and its NAL length size.
    public static func avcConfiguration(_ bytes: [UInt8]) -> (lengthSize: Int, parameterSets: [[UInt8]])? {
        guard bytes.count >= 7, bytes[0] == 1 else { return nil }
        let lengthSize = Int(bytes[4] & 0x03) + 1
        var sets: [[UInt8]] = []
        var offset = 5
        for group in 0..<2 {
            guard offset < bytes.count else { return nil }
            let count = group == 0 ? Int(bytes[offset] & 0x1F) : Int(bytes[offset])
            offset += 1
            guard appendSets(count, from: bytes, at: &offset, to: &sets) else { return nil }
        }
        return (lengthSize, sets)
    }

    /// VPS, SPS and PPS from an `hvcC` box, and its NAL length size.
    public static func hevcConfiguration(_ bytes: [UInt8]) -> (lengthSize: Int, parameterSets: [[UInt8]])? {
        guard bytes.count >= 23, bytes[0] == 1 else { return nil }
        let lengthSize = Int(bytes[21] & 0x03) + 1
        var sets: [[UInt8]] = []
        var offset = 23
        let arrays = Int(bytes[22])
        for _ in 0..<arrays {
            guard offset + 3 <= bytes.count else { return nil }
            let count = Int(bytes[offset + 1]) << 8 | Int(bytes[offset + 2])
            offset += 3
            guard appendSets(count, from: bytes, at: &offset, to: &sets) else { return nil }
        }
        return (lengthSize, sets)
    }

    /// `count` parameter sets, each behind a 16-bit length, as both boxes store them; false when one runs
    /// past the end.
    private static func appendSets(_ count: Int, from bytes: [UInt8], at offset: inout Int, to sets: inout [[UInt8]]) -> Bool {
        for _ in 0..<count {
            guard offset + 2 <= bytes.count else { return false }
            let length = Int(bytes[offset]) << 8 | Int(bytes[offset + 1])
            offset += 2
            guard length <= bytes.count - offset else { return false }
            sets.append(Array(bytes[offset..<(offset + length)]))
            offset += length
        }
        return true
    }
}
