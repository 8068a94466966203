import BridgeCore
import Testing

/// Serial number arithmetic (RFC 1982) as RFC 3550 appendix A.1 uses it for sequence numbers.
@Suite struct SerialNumberTests {
    @Test func sequenceNumbersWrap() {
        let last: SequenceNumber = 65535, first: SequenceNumber = 0
        #expect(last.next == first)
        #expect(last.isBefore(first) && first.isAfter(last))
        #expect(!first.isBefore(last))
        #expect(last.distance(to: first) == 1 && first.distance(to: last) == -1)
        #expect(SequenceNumber(65530).distance(to: 5) == 11)
        #expect(SequenceNumber(5).advanced(by: -11) == 65530)
        #expect(SequenceNumber(100).distance(to: 100) == 0 && !SequenceNumber(100).isBefore(100))
    }

    @Test func halfTheSpaceApartIsNeitherBeforeNorAfter() {
        let a: SequenceNumber = 0, b: SequenceNumber = 32768
        #expect(a.distance(to: b) == -32768 && b.distance(to: a) == -32768)
        #expect(!a.isBefore(b) && !b.isBefore(a))
        #expect(SequenceNumber(0).distance(to: 32767) == 32767)
        #expect(SequenceNumber(0).distance(to: 32769) == -32767)
    }

    @Test func timestampsWrap() {
        let late: RTPTimestamp = 0xFFFF_FFF0, early: RTPTimestamp = 0x10
        #expect(late.distance(to: early) == 32 && late.isBefore(early))
        #expect(early.advanced(by: -32) == late)
        #expect(RTPTimestamp(0).distance(to: RTPTimestamp(0x8000_0000)) == -0x8000_0000)
        #expect(RTPTimestamp(0).distance(to: RTPTimestamp(0x7FFF_FFFF)) == 0x7FFF_FFFF)
    }

    @Test func unwrapperCountsCyclesAndKeepsReorderedPacketsBehind() {
        var unwrapper = SequenceNumberUnwrapper()
        #expect(unwrapper.highest == nil)
        let values = [65534, 65535, 0, 1, 65535, 2, 40000, 3].map { unwrapper.unwrap(SequenceNumber(UInt16($0))) }
        // 40000 is more than half the space behind 2: an old packet of the previous cycle, not a jump ahead.
        #expect(values == [65534, 65535, 65536, 65537, 65535, 65538, 40000, 65539])
        #expect(unwrapper.highest == 65539)
    }

    @Test func payloadTypesAreSevenBits() {
        #expect(PayloadType(rawValue: 127) != nil && PayloadType(rawValue: 128) == nil)
        #expect(PayloadType(maskingHeaderByte: 0xE0).rawValue == 0x60)
        #expect(PayloadType(rawValue: 96)!.isAllowedWithRTCPMux && !PayloadType(rawValue: 72)!.isAllowedWithRTCPMux)
    }
}

/// RFC 7983 section 7 demultiplexing by the first byte, and RFC 5761 section 4 for RTP versus RTCP.
@Suite struct PacketClassTests {
    @Test func everyFirstByte() {
        for byte in UInt8.min...UInt8.max {
            let expected: PacketClass = switch byte {
            case 0, 1, 2, 3: .stun
            case 16, 17, 18, 19: .zrtp
            case 20...63: .dtls
            case 64...79: .turnChannel
            case 128...191: .rtpOrRTCP
            default: .unknown
            }
            #expect(PacketClass.classify(firstByte: byte) == expected, "first byte \(byte)")
        }
        let counts = Dictionary(grouping: UInt8.min...UInt8.max, by: PacketClass.classify(firstByte:)).mapValues(\.count)
        #expect(counts == [.stun: 4, .zrtp: 4, .dtls: 44, .turnChannel: 16, .rtpOrRTCP: 64, .unknown: 124])
    }

    @Test func rtcpByPacketTypeOrMarkerWithPayloadType64To95() {
        for byte in UInt8.min...UInt8.max {
            let marker = byte & 0x80 != 0, payloadType = byte & 0x7F
            #expect(PacketClass.isRTCP(secondByte: byte) == (marker && (64...95).contains(payloadType)), "second byte \(byte)")
        }
        [UInt8]().withUnsafeBytes { #expect(PacketClass.classify($0) == .unknown) }
        [UInt8]([0x80]).withUnsafeBytes { #expect(PacketClass.isRTCP($0) == nil) }
        [UInt8]([0x80, 200]).withUnsafeBytes { #expect(PacketClass.isRTCP($0) == true) }
        [UInt8]([0x80, 0xE0]).withUnsafeBytes { #expect(PacketClass.isRTCP($0) == false) }
    }
}

@Suite struct ByteReaderTests {
    @Test func readsBigEndianAndStopsAtTheEnd() {
        [UInt8]([1, 2, 3, 4, 5, 6, 7, 8, 9]).withUnsafeBytes { buffer in
            var reader = ByteReader(buffer)
            #expect(reader.readUInt8() == 1 && reader.readUInt16() == 0x0203 && reader.readUInt24() == 0x04_0506)
            #expect(reader.remaining == 3 && reader.readUInt32() == nil && reader.offset == 6)
            #expect(!reader.skip(4) && reader.skip(3) && reader.readUInt8() == nil && reader.remaining == 0)
            #expect(reader.uint64(at: 1) == 0x0203_0405_0607_0809 && reader.uint64(at: 2) == nil)
            #expect(reader.uint8(at: -1) == nil && reader.uint16(at: Int.max) == nil && reader.uint32(at: Int.min) == nil)
        }
    }

    @Test func writesBigEndian() {
        var bytes: [UInt8] = []
        bytes.appendBigEndian(UInt16(0x0102))
        bytes.appendBigEndian(UInt32(0x0304_0506))
        bytes.appendBigEndian24(0xFF07_0809)
        bytes.setBigEndian(0xAABB, at: 0)
        #expect(bytes == [0xAA, 0xBB, 3, 4, 5, 6, 7, 8, 9])
    }
}

@Suite struct DropCountersTests {
    @Test func countsByReasonAndAdds() {
        var counters = DropCounters()
        counters.record(.malformedRTP)
        counters.record(.malformedRTP, count: 2)
        counters.record(.unclassified)
        var other = DropCounters()
        other.record(.replayed, count: 5)
        counters.add(other)
        #expect(counters[.malformedRTP] == 3 && counters[.replayed] == 5 && counters[.overflow] == 0)
        #expect(counters.total == 9)
        #expect(counters.nonZero.map(\.reason) == [.unclassified, .malformedRTP, .replayed])
        #expect(Set(DropCounters.Reason.allCases.map(\.description)).count == DropCounters.Reason.allCases.count)
    }
}
