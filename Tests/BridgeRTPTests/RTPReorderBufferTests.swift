import BridgeCore
import BridgeRTP
import Testing

@Suite struct RTPReorderBufferTests {
    static func run(_ sequence: [UInt16], depth: Int = 3) -> [UInt16] {
        var buffer = RTPReorderBuffer(depth: depth)
        var out: [UInt16] = []
        for number in sequence {
            let bytes = [UInt8(number >> 8), UInt8(number & 0xFF)]
            out += buffer.insert(bytes, sequenceNumber: SequenceNumber(number)).map { UInt16($0[0]) << 8 | UInt16($0[1]) }
        }
        return out
    }

    @Test func inOrderPassesStraightThrough() {
        #expect(Self.run([10, 11, 12, 13]) == [10, 11, 12, 13])
    }

    @Test func swappedPairsComeOutInOrder() {
        #expect(Self.run([10, 12, 11, 13, 15, 14]) == [10, 11, 12, 13, 14, 15])
    }

    @Test func aLossIsGivenUpAfterDepthPackets() {
        // 11 never comes: 12, 13, 14 wait; the fourth held packet releases them all.
        #expect(Self.run([10, 12, 13, 14]) == [10])
        #expect(Self.run([10, 12, 13, 14, 15]) == [10, 12, 13, 14, 15])
    }

    @Test func duplicatesAndLatePacketsAreDropped() {
        var buffer = RTPReorderBuffer(depth: 3)
        _ = buffer.insert([1], sequenceNumber: 5)
        _ = buffer.insert([2], sequenceNumber: 6)
        #expect(buffer.insert([3], sequenceNumber: 6).isEmpty)
        #expect(buffer.insert([4], sequenceNumber: 4).isEmpty)
        #expect(buffer.droppedLate == 2)
    }

    @Test func wrapsAround() {
        #expect(Self.run([65534, 0, 65535, 1]) == [65534, 65535, 0, 1])
    }

    @Test func aJumpFarAheadRestartsTheLine() {
        #expect(Self.run([10, 12, 5000, 5001]) == [10, 12, 5000, 5001])
    }
}
