@testable import BridgeMedia
import Testing

@Suite struct NALUnitSplitterTests {
    @Test func annexBWithBothStartCodes() {
        let bytes: [UInt8] = [0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x68, 3, 0, 0, 0, 1, 0x65, 4, 5]
        let units = bytes.withUnsafeBytes { NALUnitSplitter.annexB($0) }
        #expect(units == [[0x67, 1, 2], [0x68, 3], [0x65, 4, 5]])
    }

    @Test func lengthPrefixedStopsAtABadLength() {
        let bytes: [UInt8] = [0, 0, 0, 2, 0x65, 1, 0, 0, 0, 9, 0x41]
        let units = bytes.withUnsafeBytes { NALUnitSplitter.lengthPrefixed($0, lengthSize: 4) }
        #expect(units == [[0x65, 1]])
    }

    @Test func avcConfigurationAndMalformedSweep() {
        let avcC: [UInt8] = [1, 0x42, 0xC0, 0x1F, 0xFF, 0xE1, 0, 3, 0x67, 0x42, 0xC0, 1, 0, 2, 0x68, 0xCE]
        let parsed = NALUnitSplitter.avcConfiguration(avcC)
        #expect(parsed?.lengthSize == 4)
        #expect(parsed?.parameterSets == [[0x67, 0x42, 0xC0], [0x68, 0xCE]])
        for length in 0..<avcC.count { _ = NALUnitSplitter.avcConfiguration(Array(avcC[..<length])) }
        for length in 0..<avcC.count { _ = NALUnitSplitter.hevcConfiguration(Array(avcC[..<length])) }
    }

    @Test func adtsHeaderIsStripped() {
        #expect(ADTS.stripped([0xFF, 0xF1, 0x50, 0x80, 0x02, 0x1F, 0xFC, 0xAA]) == [0xAA])
        #expect(ADTS.stripped([0x21, 0x10]) == [0x21, 0x10])
    }
}
