import BridgeCore
import BridgeRTP
import Testing

@Suite struct AACDepacketizerTests {
    typealias F = DepacketizerFixtures

    /// AU headers for AAC-hbr: 13-bit size, 3-bit index (delta), 16 bits each.
    static func hbrPayload(_ units: [[UInt8]], sizes: [Int]? = nil) -> [UInt8] {
        var payload: [UInt8] = []
        payload.appendBigEndian(UInt16(units.count * 16))
        for (index, unit) in units.enumerated() {
            payload.appendBigEndian(UInt16((sizes?[index] ?? unit.count) << 3))
        }
        for unit in units { payload += unit }
        return payload
    }

    @Test func severalAccessUnitsPerPacketGetTheirOwnTimestamps() {
        var depacketizer = AACDepacketizer(clockRate: 48_000)
        let units: [[UInt8]] = [[0x21, 0x10, 0x05], [0x21, 0x20], [0x21, 0x30, 0x40, 0x50]]
        let frames = F.feed(&depacketizer, [F.packet(sequence: 1, timestamp: 4096, marker: true, payload: Self.hbrPayload(units))])
        #expect(frames.map(\.units) == units.map { [$0] })
        #expect(frames.map(\.timestamp) == [4096, 5120, 6144])
        #expect(frames.allSatisfy { $0.codec == .aac && $0.clockRate == 48_000 })
    }

    @Test func accessUnitSplitOverPackets() {
        var depacketizer = AACDepacketizer(clockRate: 44_100)
        let unit = (0..<300).map { UInt8(truncatingIfNeeded: $0) }
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, payload: Self.hbrPayload([Array(unit[0..<100])], sizes: [300])),
            F.packet(sequence: 2, timestamp: 0, payload: Self.hbrPayload([Array(unit[100..<200])], sizes: [300])),
            F.packet(sequence: 3, timestamp: 0, marker: true, payload: Self.hbrPayload([Array(unit[200...])], sizes: [300])),
            F.packet(sequence: 4, timestamp: 1024, marker: true, payload: Self.hbrPayload([[1, 2]])),
        ])
        #expect(frames.map(\.units) == [[unit], [[1, 2]]])
    }

    @Test func sizesBeyondThePayloadAreMalformed() {
        var depacketizer = AACDepacketizer(clockRate: 48_000)
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, marker: true, payload: Self.hbrPayload([[1, 2], [3]], sizes: [2, 9])),
            F.packet(sequence: 2, timestamp: 0, marker: true, payload: [0x00, 0x40, 0x00]),  // 64 bits of headers, 1 byte
            F.packet(sequence: 3, timestamp: 0, marker: true, payload: [0x00, 0x00]),
        ])
        #expect(frames.isEmpty)
        #expect(depacketizer.counters.malformedPackets == 3)
    }

    @Test func passThroughGivesOneFramePerPacket() {
        var depacketizer = PassThroughDepacketizer(codec: .pcmu, clockRate: 8000)
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 160, payloadType: 0, payload: [0xFF, 0x7F]),
            F.packet(sequence: 3, timestamp: 480, payloadType: 0, payload: [0x00]),
            F.packet(sequence: 4, timestamp: 640, payloadType: 0, payload: []),
        ])
        #expect(frames.map(\.timestamp) == [160, 480])
        #expect(depacketizer.counters.lostPackets == 1)
        #expect(depacketizer.counters.malformedPackets == 1)
    }
}

@Suite struct LATMDepacketizerTests {
    typealias F = DepacketizerFixtures

    /// RFC 6416 section 7.3's example config: AAC-LC, 24 kHz, stereo, one sub-frame.
    @Test func streamMuxConfigGivesTheAudioSpecificConfig() {
        let parsed = LATMDepacketizer.parseStreamMuxConfig([0x40, 0x00, 0x26, 0x20, 0x3F, 0xC0])
        #expect(parsed?.audioSpecificConfig == [0x13, 0x10])
        #expect(parsed?.subFrames == 0)
        #expect(LATMDepacketizer.parseStreamMuxConfig([0xC0, 0x00]) == nil)  // audioMuxVersion 1
        // gst rtpmp4apay (avenc_aac, 44.1 kHz mono): a sync extension saying "no SBR" after the config.
        let gst = LATMDepacketizer.parseStreamMuxConfig([0x40, 0x00, 0x24, 0x10, 0xAD, 0xCA, 0x00])
        #expect(gst?.audioSpecificConfig == [0x12, 0x08])
        for length in 0..<6 { _ = LATMDepacketizer.parseStreamMuxConfig(Array([0x40, 0x00, 0x26, 0x20, 0x3F, 0xC0].prefix(length))) }
    }

    @Test func elementsSplitOverPacketsAndLongLengths() {
        var depacketizer = LATMDepacketizer(clockRate: 44_100)
        let unit = (0..<300).map { UInt8(truncatingIfNeeded: $0 | 1) }
        let element: [UInt8] = [0xFF, 45] + unit  // 255 + 45 = 300
        let frames = F.feed(&depacketizer, [
            F.packet(sequence: 1, timestamp: 0, payload: Array(element[0..<150])),
            F.packet(sequence: 2, timestamp: 0, marker: true, payload: Array(element[150...])),
            F.packet(sequence: 3, timestamp: 1024, marker: true, payload: [2, 7, 8]),
            F.packet(sequence: 5, timestamp: 2048, marker: true, payload: [1, 9]),  // after a gap: dropped
            F.packet(sequence: 6, timestamp: 3072, marker: true, payload: [3, 1]),  // length past the end
            F.packet(sequence: 7, timestamp: 4096, marker: true, payload: [1, 5]),
        ])
        #expect(frames.map(\.units) == [[unit], [[7, 8]], [[5]]])
        #expect(frames.map(\.timestamp) == [0, 1024, 4096])
        #expect(depacketizer.counters.brokenFrames == 1)
        #expect(depacketizer.counters.malformedPackets == 1)
    }
}
