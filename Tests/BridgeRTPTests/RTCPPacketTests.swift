import BridgeCore
import BridgeRTP
import Testing

@Suite struct RTCPPacketTests {
    func packets(_ bytes: [UInt8]) throws -> [RTCPPacket] {
        try RTCPCompound(parsing: bytes).packets(in: bytes)
    }

    @Test func senderReportAndSDES() throws {
        let bytes = RTPFixtures.senderReportAndSDES
        let compound = try RTCPCompound(parsing: bytes)
        #expect(compound.packetCount == 2 && !compound.isReducedSize)
        let parsed = try packets(bytes)
        guard case .senderReport(let report) = parsed[0], case .sourceDescription(let sdes) = parsed[1] else {
            Issue.record("unexpected \(parsed)")
            return
        }
        #expect(report.ssrc == 0x1122_3344 && report.ntpTimestamp == 0xE94F_2A3B_8C7E_0000)
        #expect(report.rtpTimestamp == 90000 && report.packetCount == 100 && report.octetCount == 20000)
        #expect(report.reportBlocks.count == 0)
        #expect(sdes.chunkCount == 1)
        #expect(sdes.cname(in: bytes) == "mediabridge-test")
        #expect(sdes.cname(of: 0x1122_3344, in: bytes) == "mediabridge-test" && sdes.cname(of: 1, in: bytes) == nil)

        var written: [UInt8] = []
        RTCPSenderReport(ssrc: 0x1122_3344, ntpTimestamp: 0xE94F_2A3B_8C7E_0000, rtpTimestamp: 90000,
                         packetCount: 100, octetCount: 20000).write(into: &written)
        RTCPSourceDescription.write(cnames: [(0x1122_3344, "mediabridge-test")], into: &written)
        #expect(written == bytes)
    }

    @Test func senderReportWithBlock() throws {
        let bytes = RTPFixtures.senderReportWithBlock
        let report = try RTCPSenderReport(parsing: bytes)
        let block = RTCPReportBlock(ssrc: 0x5566_7788, fractionLost: 25, cumulativeLost: -1,
                                    extendedHighestSequenceNumber: 0x1_1234, jitter: 42,
                                    lastSenderReport: 0x2A3B_8C7E, delaySinceLastSenderReport: 0x1_8000)
        #expect(report.reportBlocks.elements(in: bytes) == [block])
        var written: [UInt8] = []
        report.write(reportBlocks: [block], into: &written)
        #expect(written == bytes)
    }

    @Test func receiverReportAndBye() throws {
        let bytes = RTPFixtures.receiverReportAndBye
        let parsed = try packets(bytes)
        guard case .receiverReport(let report) = parsed[0], case .goodbye(let bye) = parsed[1] else {
            Issue.record("unexpected \(parsed)")
            return
        }
        let block = RTCPReportBlock(ssrc: 0x1122_3344, fractionLost: 5, cumulativeLost: 7,
                                    extendedHighestSequenceNumber: 0xFF10, jitter: 9)
        #expect(report.ssrc == 1 && report.reportBlocks.elements(in: bytes) == [block])
        #expect(bye.sources.elements(in: bytes) == [1] && bye.reason(in: bytes) == "bye!")

        var written: [UInt8] = []
        RTCPReceiverReport(ssrc: 1).write(reportBlocks: [block], into: &written)
        RTCPGoodbye.write(sources: [1], reason: "bye!", into: &written)
        #expect(written == bytes)
    }

    @Test func reportBlockClampsCumulativeLossTo24Bits() throws {
        var bytes: [UInt8] = []
        RTCPReceiverReport(ssrc: 1).write(reportBlocks: [RTCPReportBlock(ssrc: 2, cumulativeLost: -9_000_000),
                                                         RTCPReportBlock(ssrc: 3, cumulativeLost: .max)], into: &bytes)
        let blocks = try RTCPReceiverReport(parsing: bytes).reportBlocks.elements(in: bytes)
        #expect(blocks.map(\.cumulativeLost) == [-0x80_0000, 0x7F_FFFF])
    }

    @Test func genericNACK() throws {
        let bytes = RTPFixtures.nack
        let nack = try RTCPGenericNACK(parsing: bytes)
        #expect(nack.senderSSRC == 1 && nack.mediaSSRC == 0x1234_5678 && nack.items.count == 1)
        #expect(nack.lostPackets(in: bytes) == [100, 101, 103])
        #expect(try RTCPCompound(parsing: bytes).isReducedSize)

        var written: [UInt8] = []
        RTCPGenericNACK.write(senderSSRC: 1, mediaSSRC: 0x1234_5678, lost: [100, 101, 103] as [SequenceNumber], into: &written)
        #expect(written == bytes)
    }

    @Test func nackItemsAcrossTheWrapAndBeyondSixteen() throws {
        let lost: [SequenceNumber] = [65534, 65535, 0, 14, 15, 15, 40]
        let items = RTCPGenericNACK.items(for: lost)
        #expect(items == [.init(packetID: 65534, bitmask: 0b1000_0000_0000_0011), .init(packetID: 15),
                          .init(packetID: 40)])
        var bytes: [UInt8] = []
        RTCPGenericNACK.write(senderSSRC: 1, mediaSSRC: 2, lost: lost, into: &bytes)
        #expect(try RTCPGenericNACK(parsing: bytes).lostPackets(in: bytes) == [65534, 65535, 0, 14, 15, 40])
        // An item with every bit set names 17 packets.
        #expect(Array(RTCPGenericNACK.Item(packetID: 65535, bitmask: 0xFFFF)).count == 17)

        var empty: [UInt8] = []
        RTCPGenericNACK.write(senderSSRC: 1, mediaSSRC: 2, lost: [] as [SequenceNumber], into: &empty)
        #expect(empty.isEmpty)
    }

    @Test func pictureLossIndication() throws {
        let pli = try RTCPPictureLossIndication(parsing: RTPFixtures.pli)
        #expect(pli == RTCPPictureLossIndication(senderSSRC: 1, mediaSSRC: 0x1234_5678))
        var written: [UInt8] = []
        pli.write(into: &written)
        #expect(written == RTPFixtures.pli)
    }

    @Test func fullIntraRequest() throws {
        let bytes = RTPFixtures.fir
        let fir = try RTCPFullIntraRequest(parsing: bytes)
        #expect(fir.senderSSRC == 1 && fir.entries.elements(in: bytes) == [.init(ssrc: 0x1234_5678, sequenceNumber: 5)])
        var written: [UInt8] = []
        RTCPFullIntraRequest.write(senderSSRC: 1, entries: [.init(ssrc: 0x1234_5678, sequenceNumber: 5)], into: &written)
        #expect(written == bytes)
    }

    @Test func receiverEstimatedMaximumBitrate() throws {
        let bytes = RTPFixtures.remb
        guard case .receiverEstimatedMaximumBitrate(let remb) = try packets(bytes)[0] else {
            Issue.record("not REMB")
            return
        }
        #expect(remb.senderSSRC == 1 && remb.bitrate == 8_927_168)
        #expect(remb.ssrcs.elements(in: bytes) == [1_215_622_422])
    }

    @Test func rembBitrateSaturates() throws {
        // Exponent 63 with a full mantissa overflows 64 bits.
        let bytes = RTPFixtures.hex("8f ce 00 04  00 00 00 01  00 00 00 00  52 45 4d 42  00 ff ff ff")
        #expect(try RTCPReceiverEstimatedMaximumBitrate(parsing: bytes).bitrate == .max)
    }

    @Test func otherApplicationFeedbackAndAPPAreSkipped() throws {
        let afb = RTPFixtures.hex("8f ce 00 03  00 00 00 01  00 00 00 00  41 42 43 44")
        let app = RTPFixtures.hex("80 cc 00 03  00 00 00 01  6e 61 6d 65  00 00 00 00")
        let parsed = try packets(afb + app)
        #expect(parsed.count == 2)
        guard case .other(let first) = parsed[0], case .other(let second) = parsed[1] else {
            Issue.record("unexpected \(parsed)")
            return
        }
        #expect(first.type == .payloadFeedback && first.count == 15 && second.type == .application)
        #expect(second.range == 16..<32 && second.bodyRange == 20..<32)
    }

    @Test func typedParsersRefuseOtherTypes() {
        #expect(throws: RTCPError.self) { try RTCPGenericNACK(parsing: RTPFixtures.pli) }
        #expect(throws: RTCPError.self) { try RTCPPictureLossIndication(parsing: RTPFixtures.fir) }
        #expect(throws: RTCPError.self) { try RTCPSenderReport(parsing: RTPFixtures.receiverReportAndBye) }
        #expect(throws: RTCPError.self) { try RTCPReceiverEstimatedMaximumBitrate(parsing: RTPFixtures.pli) }
    }

    @Test func feedbackPacketsInOneCompound() throws {
        var bytes: [UInt8] = []
        RTCPReceiverReport(ssrc: 9).write(into: &bytes)
        RTCPGenericNACK.write(senderSSRC: 9, mediaSSRC: 5, lost: [SequenceNumber(3)], into: &bytes)
        RTCPPictureLossIndication(senderSSRC: 9, mediaSSRC: 5).write(into: &bytes)
        RTCPFullIntraRequest.write(senderSSRC: 9, entries: [.init(ssrc: 5, sequenceNumber: 1)], into: &bytes)
        RTCPGoodbye.write(sources: [9], into: &bytes)
        let parsed = try packets(bytes)
        #expect(parsed.count == 5)
        guard case .genericNACK(let nack) = parsed[1], case .pictureLossIndication = parsed[2],
              case .fullIntraRequest = parsed[3], case .goodbye(let bye) = parsed[4] else {
            Issue.record("unexpected \(parsed)")
            return
        }
        #expect(nack.lostPackets(in: bytes) == [3] && bye.reason(in: bytes) == nil)
    }

    @Test func writersPadToWholeWords() throws {
        var bytes: [UInt8] = []
        RTCPSourceDescription.write(cnames: [(1, "abc"), (2, "abcd")], into: &bytes)
        RTCPGoodbye.write(sources: [], reason: "x", into: &bytes)
        #expect(bytes.count % 4 == 0)
        let parsed = try packets(bytes)
        guard case .sourceDescription(let sdes) = parsed[0], case .goodbye(let bye) = parsed[1] else {
            Issue.record("unexpected \(parsed)")
            return
        }
        #expect(sdes.cname(of: 1, in: bytes) == "abc" && sdes.cname(of: 2, in: bytes) == "abcd")
        #expect(bye.reason(in: bytes) == "x")
    }
}
