import BridgeCore
import BridgeRTP
import Testing

@Suite struct H265DepacketizerTests {
    typealias F = DepacketizerFixtures
    static let vps: [UInt8] = [0x40, 0x01, 0x0C]
    static let sps: [UInt8] = [0x42, 0x01, 0x01]
    static let pps: [UInt8] = [0x44, 0x01, 0xC1]
    /// IDR_W_RADL (19): 19 << 1 = 0x26.
    static let idr: [UInt8] = [0x26, 0x01] + (0..<500).map { UInt8(truncatingIfNeeded: $0) }
    /// TRAIL_R (1).
    static let trail: [UInt8] = [0x02, 0x01, 0xAA]

    @Test func fragmentationUnitsRebuildTheIRAPWithParameterSets() {
        var depacketizer = H265Depacketizer(parameterSets: [Self.vps, Self.sps, Self.pps])
        let body = Array(Self.idr.dropFirst(2))
        let payloadHeader: [UInt8] = [49 << 1, 0x01]
        let packets = [
            F.packet(sequence: 1, timestamp: 0, payload: payloadHeader + [0x80 | 19] + body[0..<200]),
            F.packet(sequence: 2, timestamp: 0, payload: payloadHeader + [19] + body[200..<400]),
            F.packet(sequence: 3, timestamp: 0, marker: true, payload: payloadHeader + [0x40 | 19] + body[400...]),
        ]
        let frames = F.feed(&depacketizer, packets)
        #expect(frames.map(\.units) == [[Self.vps, Self.sps, Self.pps, Self.idr]])
        #expect(frames.first?.isKeyframe == true)
        #expect(frames.first?.codec == .h265)
    }

    @Test func aggregationPacket() {
        var depacketizer = H265Depacketizer()
        var payload: [UInt8] = [48 << 1, 0x01]
        for unit in [Self.vps, Self.sps, Self.pps, Self.trail] {
            payload.appendBigEndian(UInt16(unit.count))
            payload += unit
        }
        let frames = F.feed(&depacketizer, [F.packet(sequence: 9, timestamp: 1, marker: true, payload: payload)])
        #expect(frames.map(\.units) == [[Self.vps, Self.sps, Self.pps, Self.trail]])
        #expect(frames.first?.isKeyframe == false)
        #expect(depacketizer.parameterSets == [Self.vps, Self.sps, Self.pps])
    }

    @Test func lostFragmentDropsTheAccessUnit() {
        var depacketizer = H265Depacketizer()
        let payloadHeader: [UInt8] = [49 << 1, 0x01]
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, payload: payloadHeader + [0x80 | 19, 1, 2]),
            F.packet(sequence: 3, timestamp: 0, marker: true, payload: payloadHeader + [0x40 | 19, 5, 6]),
            F.packet(sequence: 4, timestamp: 3000, marker: true, payload: Self.trail),
        ])
        #expect(frames.map(\.timestamp) == [3000])
        #expect(depacketizer.counters.brokenFrames == 1)
    }
}
