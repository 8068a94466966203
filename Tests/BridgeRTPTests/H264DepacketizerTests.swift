import BridgeCore
import BridgeRTP
import Testing

@Suite struct H264DepacketizerTests {
    typealias F = DepacketizerFixtures

    @Test func fragmentedIDRAcrossPacketsGetsParameterSetsFromSDP() {
        var depacketizer = H264Depacketizer(parameterSets: [F.sps, F.pps])
        let frames = F.feed(&depacketizer, F.fuA(F.idr, chunk: 1000, firstSequence: 65534, timestamp: 3000))
        #expect(frames.count == 1)
        #expect(frames.first?.units == [F.sps, F.pps, F.idr])
        #expect(frames.first?.isKeyframe == true)
        #expect(frames.first?.timestamp == 3000)
        #expect(depacketizer.counters.brokenFrames == 0)
    }

    @Test func lostMiddleFragmentDropsThatAccessUnitOnly() {
        var depacketizer = H264Depacketizer(parameterSets: [F.sps, F.pps])
        var packets = F.fuA(F.idr, chunk: 1000, firstSequence: 10, timestamp: 3000)
        packets.remove(at: 1)
        packets.append(F.packet(sequence: 13, timestamp: 6600, marker: true, payload: F.pSlice))
        packets.append(F.packet(sequence: 14, timestamp: 10200, marker: true, payload: F.pSlice))
        let frames = F.feed(&depacketizer, packets)
        // The IDR is dropped; the P slices after its last fragment (seq 12) come without a gap and survive.
        #expect(frames.map(\.timestamp) == [6600, 10200])
        #expect(frames.allSatisfy { !$0.isKeyframe })
        #expect(depacketizer.counters.lostPackets == 1)
        #expect(depacketizer.counters.brokenFrames == 1)
    }

    @Test func gapBeforeANewTimestampDropsTheNextAccessUnitToo() {
        var depacketizer = H264Depacketizer()
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, marker: true, payload: F.pSlice),
            // 2 lost: it may have been the first slice of the access unit at 3600.
            F.packet(sequence: 3, timestamp: 3600, marker: true, payload: F.pSlice),
            F.packet(sequence: 4, timestamp: 7200, marker: true, payload: F.pSlice),
        ])
        #expect(frames.map(\.timestamp) == [0, 7200])
    }

    @Test func stapAWithParameterSetsAndIDR() {
        var depacketizer = H264Depacketizer()
        let idr: [UInt8] = [0x65, 0x88, 0x84]
        let frames = F.feed(&depacketizer, [F.packet(sequence: 1, timestamp: 90, marker: true,
                                                     payload: F.stapA([F.sps, F.pps, idr]))])
        #expect(frames == [MediaFrame(codec: .h264, timestamp: 90, clockRate: 90_000, isKeyframe: true,
                                      units: [F.sps, F.pps, idr])])
        #expect(depacketizer.parameterSets == [F.sps, F.pps])
    }

    @Test func inBandParameterSetsReplaceTheSDPOnes() {
        let newSPS: [UInt8] = [0x67, 0x64, 0x00, 0x28]
        var depacketizer = H264Depacketizer(parameterSets: [F.sps, F.pps])
        let idr: [UInt8] = [0x65, 0x01]
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, payload: newSPS),
            F.packet(sequence: 2, timestamp: 0, marker: true, payload: idr),
            F.packet(sequence: 3, timestamp: 3600, marker: true, payload: idr),
        ])
        #expect(frames.map(\.units) == [[newSPS, F.pps, idr], [newSPS, F.pps, idr]])
    }

    @Test func accessUnitDelimiterStaysFirst() {
        var depacketizer = H264Depacketizer(parameterSets: [F.sps, F.pps])
        let aud: [UInt8] = [0x09, 0xF0]
        let idr: [UInt8] = [0x65, 0x01]
        let frames = F.feed(&depacketizer, [F.packet(sequence: 1, timestamp: 0, marker: true, payload: F.stapA([aud, idr]))])
        #expect(frames.first?.units == [aud, F.sps, F.pps, idr])
    }

    @Test func timestampChangeEndsAnAccessUnitWithoutMarker() {
        var depacketizer = H264Depacketizer()
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 100, payload: F.pSlice),
            F.packet(sequence: 2, timestamp: 100, payload: F.pSlice),
            F.packet(sequence: 3, timestamp: 3700, payload: F.pSlice),
        ])
        #expect(frames.count == 1)
        #expect(frames.first?.units.count == 2)
    }

    @Test func timestampsUnwrapPast32Bits() {
        var depacketizer = H264Depacketizer()
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0xFFFF_F000, marker: true, payload: F.pSlice),
            F.packet(sequence: 2, timestamp: 0x0000_0A00, marker: true, payload: F.pSlice),
        ])
        #expect(frames.map(\.timestamp) == [0xFFFF_F000, 0x1_0000_0A00])
    }

    @Test func latePacketsAreIgnored() {
        var depacketizer = H264Depacketizer()
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 5, timestamp: 0, marker: true, payload: F.pSlice),
            F.packet(sequence: 5, timestamp: 0, marker: true, payload: F.pSlice),
            F.packet(sequence: 4, timestamp: 0, marker: true, payload: F.pSlice),
        ])
        #expect(frames.count == 1)
        #expect(depacketizer.counters.latePackets == 2)
    }

    @Test func bSlicesAreNoticed() {
        var depacketizer = H264Depacketizer()
        _ = F.feed(&depacketizer, [F.packet(sequence: 1, timestamp: 0, marker: true, payload: F.pSlice)])
        #expect(!depacketizer.sawBSlices)
        _ = F.feed(&depacketizer, [F.packet(sequence: 2, timestamp: 3600, marker: true, payload: F.bSlice)])
        #expect(depacketizer.sawBSlices)
    }

    @Test func unsupportedAndReservedTypesAreCounted() {
        var depacketizer = H264Depacketizer()
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, marker: true, payload: [0x19, 0, 0]),  // STAP-B
            F.packet(sequence: 2, timestamp: 10, marker: true, payload: [0x00, 1]),     // reserved 0
            F.packet(sequence: 3, timestamp: 20, marker: true, payload: [0x7C, 0xC5, 1]),  // FU-A with S and E
        ])
        #expect(frames.isEmpty)
        #expect(depacketizer.counters.unsupportedPackets == 1)
        #expect(depacketizer.counters.malformedPackets == 2)
        #expect(depacketizer.counters.brokenFrames == 3)
    }
}
