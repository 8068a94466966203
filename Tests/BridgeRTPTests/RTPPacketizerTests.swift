import BridgeRTP
import Testing

@Suite struct RTPPacketizerTests {
    @Test func smallNALUnitsGoWhole() {
        let frame = MediaFrame(codec: .h264, timestamp: 9000, clockRate: 90_000, isKeyframe: true,
                               units: [[0x67, 1, 2], [0x68, 3], [0x65] + [UInt8](repeating: 7, count: 100)])
        let units = RTPPacketizer.packetize(frame)
        #expect(units.map(\.payload.count) == [3, 2, 101])
        #expect(units.map(\.marker) == [false, false, true])
        #expect(units.map(\.startsKeyframe) == [true, false, false])
        #expect(units.allSatisfy { $0.timestamp == 9000 })
    }

    @Test func largeNALUnitIsFragmentedAsFUAAndReassemblesExactly() {
        let nal: [UInt8] = [0x65] + (0..<3000).map { UInt8(truncatingIfNeeded: $0) }
        let units = RTPPacketizer.packetize(MediaFrame(codec: .h264, timestamp: 0, clockRate: 90_000, units: [nal]), maxPayload: 1000)
        #expect(units.count == 4)
        #expect(units.allSatisfy { $0.payload.count <= 1000 && $0.payload[0] == 0x7C })
        #expect(units.first?.payload[1] == 0x85)
        #expect(units.last?.payload[1] == 0x45)
        #expect(units.dropFirst().dropLast().allSatisfy { $0.payload[1] == 0x05 })
        #expect([0x65] + units.flatMap { $0.payload.dropFirst(2) } == nal)
        #expect(units.map(\.marker) == [false, false, false, true])
    }

    @Test func h265FragmentsKeepTheLayerAndTemporalID() {
        let nal: [UInt8] = [0x26, 0x01] + [UInt8](repeating: 9, count: 2500)
        let units = RTPPacketizer.packetize(MediaFrame(codec: .h265, timestamp: 0, clockRate: 90_000, units: [nal]), maxPayload: 1000)
        #expect(units.count == 3)
        #expect(units.allSatisfy { $0.payload[0] == 49 << 1 && $0.payload[1] == 0x01 })
        #expect(units.first?.payload[2] == UInt8(0x80 | 19))
        #expect(units.last?.payload[2] == UInt8(0x40 | 19))
        #expect(units.map(\.payload.count).reduce(0, +) - 9 == nal.count - 2)
    }

    @Test func audioIsOneFramePerPacket() {
        let units = RTPPacketizer.packetize(MediaFrame(codec: .opus, timestamp: 960, clockRate: 48_000, units: [[1, 2, 3]]))
        #expect(units == [RTPPayloadUnit(payload: [1, 2, 3], marker: false, timestamp: 960)])
    }
}

@Suite struct ParameterSetsTests {
    @Test func missingSetsGoBeforeTheFirstSliceAfterSEI() {
        let units: [[UInt8]] = [[0x09, 0xF0], [0x06, 1], [0x65, 2]]
        let result = ParameterSets.inserting([[0x67, 3], [0x68, 4]], into: units, codec: .h264)
        #expect(result == [[0x09, 0xF0], [0x06, 1], [0x67, 3], [0x68, 4], [0x65, 2]])
        // Present sets are not doubled; the stream's own win.
        #expect(ParameterSets.inserting([[0x67, 9], [0x68, 4]], into: [[0x67, 3], [0x65, 2]], codec: .h264)
            == [[0x67, 3], [0x68, 4], [0x65, 2]])
        // H.265: VPS 32, SPS 33, PPS 34 before an IDR_W_RADL (19).
        #expect(ParameterSets.inserting([[0x40, 1], [0x42, 1], [0x44, 1]], into: [[0x26, 1, 7]], codec: .h265)
            == [[0x40, 1], [0x42, 1], [0x44, 1], [0x26, 1, 7]])
    }
}
