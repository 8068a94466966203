/// Parameter sets (H.264 SPS/PPS, H.265 VPS/SPS/PPS) a keyframe must carry so that a viewer joining at it,
/// or a decoder after a loss, can start there: shared by the depacketizers and the file reader.
public enum ParameterSets {
    /// `units` (one access unit) with every set of `sets` whose NAL type it lacks put just before its first
    /// slice, after an access unit delimiter or SEI, which must come first (H.264 7.4.1.2.3, H.265 7.4.2.4.4).
    public static func inserting(_ sets: [[UInt8]], into units: [[UInt8]], codec: MediaCodec) -> [[UInt8]] {
        let present = Set(units.compactMap { nalType(of: $0, codec: codec) })
        let missing = sets.filter { set in nalType(of: set, codec: codec).map { !present.contains($0) } ?? false }
        guard !missing.isEmpty else { return units }
        let position = units.firstIndex { nalType(of: $0, codec: codec).map { isSlice($0, codec: codec) } ?? false } ?? 0
        var result = units
        result.insert(contentsOf: missing, at: position)
        return result
    }

    /// The NAL unit type from the first header byte (H.264: 5 bits; H.265: 6 bits after the forbidden bit).
    public static func nalType(of unit: [UInt8], codec: MediaCodec) -> UInt8? {
        guard let first = unit.first else { return nil }
        return codec == .h265 ? (first >> 1) & 0x3F : first & 0x1F
    }

    static func isSlice(_ type: UInt8, codec: MediaCodec) -> Bool {
        codec == .h265 ? type < 32 : (1...5).contains(type)
    }
}
