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
}
