import BridgeCore
import BridgeRTP
import Testing

/// Every truncation of every valid packet, and seeded random payloads, through every depacketizer: counted
/// and dropped, never a trap.
@Suite struct DepacketizerMalformedInputTests {
    typealias F = DepacketizerFixtures

    static var validPayloads: [[UInt8]] {
        [F.stapA([F.sps, F.pps, [0x65, 1, 2]]), [0x7C, 0x85, 1, 2, 3], [0x7C, 0x45, 4], F.pSlice,
         [48 << 1, 1, 0, 3, 0x40, 1, 2], [49 << 1, 1, 0x93, 9, 9], AACDepacketizerTests.hbrPayload([[1, 2, 3], [4]])]
    }

    static func sweep(_ payloads: [[UInt8]]) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        var sequence: UInt16 = 0
        for payload in payloads {
            for length in 0...payload.count {
                sequence &+= 1
                packets.append(F.packet(sequence: sequence, timestamp: UInt32(sequence / 3) * 3000,
                                        marker: sequence % 2 == 0, payload: Array(payload.prefix(length))))
            }
        }
        var random = SeededRandom(seed: 42)
        for _ in 0..<2000 {
            sequence &+= UInt16.random(in: 0...2, using: &random)
            let payload = (0..<Int.random(in: 0...40, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            packets.append(F.packet(sequence: sequence, timestamp: UInt32.random(in: 0...9000, using: &random),
                                    marker: Bool.random(using: &random), payload: payload))
        }
        return packets
    }

    @Test func truncatedAndRandomPayloadsNeverTrap() {
        let packets = Self.sweep(Self.validPayloads)
        var h264 = H264Depacketizer(parameterSets: [F.sps, F.pps])
        var h265 = H265Depacketizer()
        var aac = AACDepacketizer(clockRate: 48_000)
        var lbr = AACDepacketizer(clockRate: 16_000, sizeLength: 6, indexLength: 2, indexDeltaLength: 2)
        var opus = PassThroughDepacketizer(codec: .opus, clockRate: 48_000)
        var latm = LATMDepacketizer(clockRate: 48_000, subFrames: 1)
        _ = F.feed(&latm, packets)
        _ = F.feed(&h264, packets)
        _ = F.feed(&h265, packets)
        _ = F.feed(&aac, packets)
        _ = F.feed(&lbr, packets)
        _ = F.feed(&opus, packets)
        #expect(h264.counters.malformedPackets > 0)
        #expect(h265.counters.malformedPackets > 0)
        #expect(aac.counters.malformedPackets > 0)
    }

    @Test func payloadsOutsideTheParsedBytesReadAsEmpty() throws {
        let bytes = F.packet(sequence: 1, timestamp: 0, marker: true, payload: F.pSlice)
        let packet = try RTPPacket(parsing: bytes)
        var h264 = H264Depacketizer()
        #expect(h264.handle(packet, in: Array(bytes.prefix(5))).isEmpty)
        #expect(h264.counters.malformedPackets == 1)
    }
}
