import BridgeRTP
import Testing

@Suite struct MediaFrameTests {
    @Test func byteCountSumsUnits() {
        let frame = MediaFrame(codec: .h264, timestamp: 0, clockRate: 90_000, isKeyframe: true,
                               units: [[0x67, 1, 2], [0x68, 3], [0x65, 4, 5, 6]])
        #expect(frame.byteCount == 9)
        #expect(MediaCodec.h264.isVideo)
        #expect(!MediaCodec.aac.isVideo)
    }
}
