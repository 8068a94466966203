import BridgeCore
import BridgeRTP
import Testing

@Suite struct H264SequenceParameterSetTests {
    /// gst x264enc at 320x240, constrained baseline (from its sprop-parameter-sets).
    @Test func gstreamerBaseline320x240() throws {
        let nal = try #require(Base64.decode("Z0LAFdkBQfsBagwMDUoAAAMAAgAAAwBlHixckA=="))
        let sps = try #require(H264SequenceParameterSet(nal: nal))
        #expect(sps.width == 320)
        #expect(sps.height == 240)
        #expect(sps.profileIDC == 66)
    }

    /// Hikvision main profile 1920x1080 (1088 coded, cropped by 8).
    @Test func hikvisionMain1080p() throws {
        let nal = try #require(Base64.decode("Z01AKI2NQDwBE/LCAAAOEAACvyAI"))
        let sps = try #require(H264SequenceParameterSet(nal: nal))
        #expect(sps.width == 1920)
        #expect(sps.height == 1080)
        #expect(sps.levelIDC == 40)
    }

    @Test func truncationsNeverTrap() throws {
        let nal = try #require(Base64.decode("Z01AKI2NQDwBE/LCAAAOEAACvyAI"))
        for length in 0..<nal.count { _ = H264SequenceParameterSet(nal: Array(nal.prefix(length))) }
        var random = SeededRandom(seed: 3)
        for _ in 0..<500 {
            let bytes = [0x67] + (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            _ = H264SequenceParameterSet(nal: bytes)
        }
        #expect(H264SequenceParameterSet(nal: [0x68, 1, 2, 3]) == nil)
    }

    /// A High-profile SPS whose first scaling list has delta_scale = 2^31 − 1: it used to overflow Int32 in
    /// the scaling-list walk and trap (a camera's sprop-parameter-sets reach it). Now the SPS is refused.
    @Test func aDeltaScaleBeyondTheSpecsRangeIsRefusedNotATrap() {
        var bits = SPSBits()
        bits.append(100, width: 8)  // profile_idc: High
        bits.append(0, width: 8)
        bits.append(40, width: 8)  // level_idc
        bits.appendUnsigned(0)  // seq_parameter_set_id
        bits.appendUnsigned(1)  // chroma_format_idc 4:2:0
        bits.appendUnsigned(0)  // bit_depth_luma_minus8
        bits.appendUnsigned(0)  // bit_depth_chroma_minus8
        bits.append(0, width: 1)  // qpprime_y_zero_transform_bypass_flag
        bits.append(1, width: 1)  // seq_scaling_matrix_present_flag
        bits.append(1, width: 1)  // seq_scaling_list_present_flag[0]
        bits.appendSigned(Int64(Int32.max))  // delta_scale
        bits.append(0xFF, width: 8)
        #expect(H264SequenceParameterSet(nal: [0x67] + bits.bytesWithEmulationPrevention) == nil)
        // The same SPS with an in-range delta reads on past the list (and fails later, on the short tail).
        var fine = SPSBits()
        fine.append(100, width: 8); fine.append(0, width: 8); fine.append(40, width: 8)
        fine.appendUnsigned(0); fine.appendUnsigned(1); fine.appendUnsigned(0); fine.appendUnsigned(0)
        fine.append(0, width: 1); fine.append(1, width: 1); fine.append(1, width: 1)
        fine.appendSigned(-8)  // next_scale 0: the rest of the list is implied
        #expect(H264SequenceParameterSet(nal: [0x67] + fine.bytesWithEmulationPrevention) == nil)
    }
}

/// Writes H.264 bit fields (fixed width, ue(v), se(v)) for hand-made parameter sets.
private struct SPSBits {
    private(set) var bits: [UInt8] = []

    mutating func append(_ value: UInt64, width: Int) {
        for shift in stride(from: width - 1, through: 0, by: -1) { bits.append(UInt8(value >> UInt64(shift) & 1)) }
    }

    mutating func appendUnsigned(_ value: UInt64) {
        let coded = value + 1
        let width = 64 - coded.leadingZeroBitCount
        append(0, width: width - 1)
        append(coded, width: width)
    }

    mutating func appendSigned(_ value: Int64) {
        appendUnsigned(value > 0 ? UInt64(value) * 2 - 1 : UInt64(-value) * 2)
    }

    /// The bits padded with ones to a byte, with 0x03 inserted after every two zero bytes.
    var bytesWithEmulationPrevention: [UInt8] {
        var padded = bits
        while padded.count % 8 != 0 { padded.append(1) }
        var output: [UInt8] = [], zeros = 0
        for start in stride(from: 0, to: padded.count, by: 8) {
            let byte = padded[start..<start + 8].reduce(UInt8(0)) { $0 << 1 | $1 }
            if zeros >= 2 && byte <= 3 { output.append(3); zeros = 0 }
            output.append(byte)
            zeros = byte == 0 ? zeros + 1 : 0
        }
        return output
    }
}
