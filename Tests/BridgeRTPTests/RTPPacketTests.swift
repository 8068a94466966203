import BridgeCore
import BridgeRTP
import Testing

@Suite struct RTPPacketTests {
    @Test func opusWithOneByteExtension() throws {
        let bytes = RTPFixtures.opusWithOneByteExtension
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header == RTPHeader(marker: false, payloadType: PayloadType(rawValue: 111)!,
                                           sequenceNumber: 0x1C4D, timestamp: 48000, ssrc: 0x1234_5678))
        #expect(packet.csrcCount == 0 && !packet.hasPadding)
        #expect(packet.extensionProfile == RTPHeaderExtension.oneByteProfile)
        #expect(packet.extensionRange == 16..<24)
        #expect(packet.payloadRange == 24..<32 && packet.headerLength == 24 && packet.byteCount == bytes.count)
        #expect(packet.extensionElements(in: bytes) == [
            .init(id: 1, value: [0xAA]), .init(id: 3, value: [0x00, 0x01]),
        ])
        bytes.withUnsafeBytes { buffer in
            #expect(packet.extensionElement(id: 3, in: buffer) == 19..<21)
            #expect(packet.extensionElement(id: 2, in: buffer) == nil)
        }
    }

    @Test func pcmaWithCSRCs() throws {
        let bytes = RTPFixtures.pcmaWithCSRCs
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header.marker && packet.header.payloadType.rawValue == 8)
        #expect(packet.header.ssrc == 0xDEAD_BEEF && packet.header.timestamp == 800)
        #expect(packet.csrcs.elements(in: bytes) == [10, 11])
        #expect(packet.extensionProfile == nil && packet.extensionRange.isEmpty)
        #expect(Array(packet.payload(in: bytes)) == [0xD5, 0xD5, 0xD5, 0xD5, 0x55, 0x55])
        bytes.withUnsafeBytes { buffer in
            #expect(packet.csrcs.element(at: 2, in: buffer) == nil && packet.csrcs.element(at: -1, in: buffer) == nil)
        }
    }

    @Test func h264WithPadding() throws {
        let packet = try RTPPacket(parsing: RTPFixtures.h264WithPadding)
        #expect(packet.hasPadding && packet.paddingCount == 4)
        #expect(packet.payloadRange == 12..<16)
        #expect(packet.header.sequenceNumber == 0xFFFF && packet.header.timestamp == 0xFFFF_FFFF)
    }

    @Test func twoByteExtension() throws {
        let bytes = RTPFixtures.twoByteExtension
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.extensionProfile == 0x1000)
        #expect(packet.extensionElements(in: bytes) == [.init(id: 1, value: [0xAA, 0xBB])])
        #expect(packet.payloadRange == 20..<21)
    }

    @Test func otherExtensionProfilesHaveNoElements() throws {
        // RFC 3550 section 5.3.1: any 16-bit profile; only RFC 8285 profiles are read as elements.
        let bytes = RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03  ab cd 00 01  ff ff ff ff")
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.extensionProfile == 0xABCD && packet.extensionRange == 16..<20)
        #expect(packet.extensionElements(in: bytes).isEmpty)
    }

    @Test func oneByteExtensionStopsAtIDFifteen() throws {
        let bytes = RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03  be de 00 01  10 01 f0 99")
        #expect(try RTPPacket(parsing: bytes).extensionElements(in: bytes) == [.init(id: 1, value: [0x01])])
    }

    @Test(arguments: RTPFixtures.rtp.map(\.name))
    func parseWriteParseKeepsEveryByte(name: String) throws {
        let bytes = try #require(RTPFixtures.rtp.first { $0.name == name }).bytes
        let packet = try RTPPacket(parsing: bytes)
        var written: [UInt8] = []
        packet.write(from: bytes, into: &written)
        #expect(written == bytes)
        #expect(try RTPPacket(parsing: written) == packet)
    }

    @Test func writerBuildsWhatTheParserReads() throws {
        let header = RTPHeader(marker: true, payloadType: PayloadType(rawValue: 96)!, sequenceNumber: 65535,
                               timestamp: 90000, ssrc: 42)
        let oneByte = try RTPHeaderExtension(elements: [.init(id: 2, value: [1, 2, 3]), .init(id: 14, value: Array(repeating: 7, count: 16))])
        let twoByte = try RTPHeaderExtension(elements: [.init(id: 15, value: []), .init(id: 200, value: [9])])
        #expect(oneByte.profile == 0xBEDE && twoByte.profile == 0x1000)
        for (csrcs, headerExtension, padding) in [([], nil, 0), ([SSRC(7)], oneByte, 3), ([1, 2, 3], twoByte, 255)] as [([SSRC], RTPHeaderExtension?, Int)] {
            var bytes: [UInt8] = []
            RTPPacket.write(header: header, csrcs: csrcs, headerExtension: headerExtension, payload: [0xAB, 0xCD],
                            paddingCount: padding, into: &bytes)
            let packet = try RTPPacket(parsing: bytes)
            #expect(packet.header == header)
            #expect(packet.csrcs.elements(in: bytes) == csrcs)
            #expect(packet.paddingCount == padding)
            #expect(Array(packet.payload(in: bytes)) == [0xAB, 0xCD])
            let expectedElements = headerExtension == oneByte
                ? [.init(id: 2, value: [1, 2, 3]), .init(id: 14, value: Array(repeating: 7, count: 16))]
                : headerExtension == twoByte ? [.init(id: 15, value: []), .init(id: 200, value: [9])] : [RTPHeaderExtension.Element]()
            #expect(packet.extensionElements(in: bytes) == expectedElements)
        }
    }

    @Test func extensionWriterRefusesWhatNoFormHolds() {
        #expect(throws: RTPError.self) { try RTPHeaderExtension(elements: [.init(id: 0, value: [1])]) }
        #expect(throws: RTPError.self) { try RTPHeaderExtension(elements: [.init(id: 3, value: Array(repeating: 0, count: 256))]) }
    }

    @Test func rewriteInPlaceChangesOnlyTheHeaderFields() throws {
        var bytes = RTPFixtures.opusWithOneByteExtension
        let original = bytes
        let rewrite = RTPHeaderRewrite(ssrc: 0xCAFE_BABE, sequenceNumber: 7, timestamp: 0xFFFF_FFF0,
                                       payloadType: PayloadType(rawValue: 100), marker: true)
        try rewrite.apply(to: &bytes)
        let packet = try RTPPacket(parsing: bytes)
        #expect(packet.header == RTPHeader(marker: true, payloadType: PayloadType(rawValue: 100)!, sequenceNumber: 7,
                                           timestamp: 0xFFFF_FFF0, ssrc: 0xCAFE_BABE))
        #expect(bytes[0] == original[0])
        #expect(bytes[12...] == original[12...])

        // Fields left nil keep their bytes; the marker keeps its bit when only the payload type changes.
        try RTPHeaderRewrite(payloadType: PayloadType(rawValue: 5)).apply(to: &bytes)
        let again = try RTPPacket(parsing: bytes)
        #expect(again.header.marker && again.header.payloadType.rawValue == 5 && again.header.ssrc == 0xCAFE_BABE)
        try RTPHeaderRewrite(marker: false).apply(to: &bytes)
        #expect(bytes[1] == 5)
    }

    @Test func rewriteRefusesWhatIsNotRTP() {
        var short: [UInt8] = [0x80, 0x60, 0, 1]
        #expect(throws: RTPError.self) { try RTPHeaderRewrite(ssrc: 1).apply(to: &short) }
        var rtcpV1 = [UInt8](repeating: 0x40, count: 12)
        #expect(throws: RTPError.self) { try RTPHeaderRewrite(ssrc: 1).apply(to: &rtcpV1) }
        #expect(rtcpV1 == [UInt8](repeating: 0x40, count: 12))
    }
}
