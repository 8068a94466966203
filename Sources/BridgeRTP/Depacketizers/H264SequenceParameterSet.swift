import BridgeCore

/// The picture size and profile from an H.264 sequence parameter set (H.264 section 7.3.2.1.1), read as far
/// as the frame cropping fields. Nil for anything that does not read as an SPS: it comes from a camera.
public struct H264SequenceParameterSet: Sendable, Hashable {
    public var profileIDC: UInt8
    public var levelIDC: UInt8
    public var width: Int
    public var height: Int

    public init?(nal: [UInt8]) {
        guard nal.count >= 4, nal[0] & 0x1F == 7 else { return nil }
        let rbsp = Self.removingEmulationPrevention(nal.dropFirst())
        var reader = ExpGolombReader(rbsp[...])
        guard let profile = reader.readBits(8), reader.readBits(8) != nil, let level = reader.readBits(8),
              reader.readUnsigned() != nil  // seq_parameter_set_id
        else { return nil }
        var chromaFormat: UInt32 = 1
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            guard let format = reader.readUnsigned(), format <= 3 else { return nil }
            chromaFormat = format
            if format == 3 { guard reader.readBit() != nil else { return nil } }
            guard reader.readUnsigned() != nil, reader.readUnsigned() != nil, reader.readBit() != nil,
                  let scalingMatrix = reader.readBit()
            else { return nil }
            if scalingMatrix == 1 {
                for index in 0..<(format == 3 ? 12 : 8) {
                    guard let present = reader.readBit() else { return nil }
                    if present == 1, !Self.skipScalingList(&reader, size: index < 6 ? 16 : 64) { return nil }
                }
            }
        }
        guard reader.readUnsigned() != nil, let pocType = reader.readUnsigned() else { return nil }
        switch pocType {
        case 0:
            guard reader.readUnsigned() != nil else { return nil }
        case 1:
            guard reader.readBit() != nil, reader.readSigned() != nil, reader.readSigned() != nil,
                  let cycle = reader.readUnsigned(), cycle <= 255
            else { return nil }
            for _ in 0..<cycle { guard reader.readSigned() != nil else { return nil } }
        case 2:
            break
        default:
            return nil
        }
        guard reader.readUnsigned() != nil, reader.readBit() != nil,
              let widthInMBs = reader.readUnsigned(), let heightInMapUnits = reader.readUnsigned(),
              widthInMBs < 1024, heightInMapUnits < 1024,
              let frameMBsOnly = reader.readBit()
        else { return nil }
        if frameMBsOnly == 0 { guard reader.readBit() != nil else { return nil } }
        guard reader.readBit() != nil, let cropping = reader.readBit() else { return nil }
        var crop: (left: Int, right: Int, top: Int, bottom: Int) = (0, 0, 0, 0)
        if cropping == 1 {
            guard let left = reader.readUnsigned(), let right = reader.readUnsigned(),
                  let top = reader.readUnsigned(), let bottom = reader.readUnsigned(),
                  left < 4096, right < 4096, top < 4096, bottom < 4096
            else { return nil }
            crop = (Int(left), Int(right), Int(top), Int(bottom))
        }
        // Crop units (H.264 table 6-1 and equations 7-19 to 7-22).
        let subWidth = chromaFormat == 1 || chromaFormat == 2 ? 2 : 1
        let subHeight = chromaFormat == 1 ? 2 : 1
        let fieldFactor = 2 - Int(frameMBsOnly)
        let unitX = chromaFormat == 0 ? 1 : subWidth
        let unitY = (chromaFormat == 0 ? 1 : subHeight) * fieldFactor
        let width = (Int(widthInMBs) + 1) * 16 - (crop.left + crop.right) * unitX
        let height = fieldFactor * (Int(heightInMapUnits) + 1) * 16 - (crop.top + crop.bottom) * unitY
        guard width > 0, height > 0 else { return nil }
        profileIDC = UInt8(truncatingIfNeeded: profile)
        levelIDC = UInt8(truncatingIfNeeded: level)
        self.width = width
        self.height = height
    }

    /// 00 00 03 → 00 00 (H.264 section 7.4.1).
    static func removingEmulationPrevention(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var zeros = 0
        for byte in bytes {
            if zeros >= 2 && byte == 3 {
                zeros = 0
                continue
            }
            zeros = byte == 0 ? zeros + 1 : 0
            output.append(byte)
        }
        return output
    }

    private static func skipScalingList(_ reader: inout ExpGolombReader, size: Int) -> Bool {
        var last: Int32 = 8, next: Int32 = 8
        for _ in 0..<size where next != 0 {
            // delta_scale is −128…127 (H.264 section 7.4.2.1.1.1); a larger value is a broken or hostile SPS.
            guard let delta = reader.readSigned(), (-128...127).contains(delta) else { return false }
            next = (last + delta + 256) % 256
            last = next == 0 ? last : next
        }
        return true
    }
}
