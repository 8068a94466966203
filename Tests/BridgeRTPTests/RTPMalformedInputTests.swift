import BridgeCore
import BridgeRTP
import Testing

/// Bad input is a value: every cut, every impossible length and random bytes give an `RTPError` or
/// `RTCPError` that says where, never a trap, and whatever parses stays inside its bytes.
@Suite struct RTPMalformedInputTests {
    func rtpError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try RTPPacket(parsing: bytes)
            return nil
        } catch {
            return error.description
        }
    }

    func rtcpError(_ bytes: [UInt8]) -> String? {
        do {
            _ = try RTCPCompound(parsing: bytes).packets(in: bytes)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func impossibleRTPLengths() {
        #expect(rtpError([]) == "RTP byte 0: 0 bytes, shorter than the 12-byte fixed header")
        #expect(rtpError(RTPFixtures.hex("40 60 00 01 00 00 00 02 00 00 00 03")) == "RTP byte 0: version 1, expected 2")
        // CC=15 with no CSRC bytes.
        #expect(rtpError(RTPFixtures.hex("8f 60 00 01 00 00 00 02 00 00 00 03 00 00 00 0a"))
            == "RTP byte 12: CSRC count 15 needs 60 bytes, 4 left")
        // X set, extension header cut.
        #expect(rtpError(RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03 be de"))
            == "RTP byte 12: extension bit set but 2 bytes left for the 4-byte extension header")
        // Extension length of 5 words with 1 word present.
        #expect(rtpError(RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 05 10 aa 00 00"))
            == "RTP byte 12: header extension of 20 bytes, 4 left")
        // One-byte element of 16 bytes in a 4-byte extension.
        #expect(rtpError(RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03 be de 00 01 1f aa 00 00"))
            == "RTP byte 16: extension element 1 needs 16 bytes, 3 left")
        // Two-byte element whose length byte is past the extension.
        #expect(rtpError(RTPFixtures.hex("90 60 00 01 00 00 00 02 00 00 00 03 10 00 00 01 00 00 00 07 ff"))
            == "RTP byte 19: extension element 7 needs 2 bytes, 1 left")
        // Padding longer than everything after the header.
        #expect(rtpError(RTPFixtures.hex("a0 60 00 01 00 00 00 02 00 00 00 03 7c 85 00 20"))
            == "RTP byte 15: padding count 32 exceeds the 4 bytes after the header")
        #expect(rtpError(RTPFixtures.hex("a0 60 00 01 00 00 00 02 00 00 00 03 7c 85 00 00"))
            == "RTP byte 15: padding bit set with a padding count of 0")
        // Padding bit on a bare header: the count byte is the header's own last byte.
        #expect(rtpError(RTPFixtures.hex("a0 60 00 01 00 00 00 02 00 00 00 03")) != nil)
    }

    @Test func impossibleRTCPLengths() {
        #expect(rtcpError([]) == "RTCP byte 0: empty datagram")
        #expect(rtcpError([0x81, 0xC9, 0x00]) == "RTCP byte 0: 3 bytes left, shorter than the 4-byte header")
        // RR whose length says 32 bytes in a 12-byte datagram.
        #expect(rtcpError(RTPFixtures.hex("81 c9 00 07 00 00 00 01 11 22 33 44"))
            == "RTCP byte 2 (packet type 201): length field says 32 bytes, 12 left")
        // A good SR followed by a packet whose length runs past the end: the whole datagram is refused.
        #expect(rtcpError(RTPFixtures.senderReportAndSDES.prefix(28) + RTPFixtures.hex("81 ca 00 06 11 22 33 44"))
            == "RTCP byte 30 (packet type 202): length field says 28 bytes, 8 left")
        #expect(rtcpError(RTPFixtures.hex("a1 c9 00 01 00 00 00 00")) == "RTCP byte 7 (packet type 201): padding bit set with a padding count of 0")
        #expect(rtcpError(RTPFixtures.hex("a1 c9 00 01 00 00 00 09")) == "RTCP byte 7 (packet type 201): padding count 9 exceeds the 4 bytes after the header")
        // RC=1 with no room for the block.
        #expect(rtcpError(RTPFixtures.hex("81 c9 00 01 00 00 00 01"))
            == "RTCP byte 4 (packet type 201): report blocks needs 28 bytes, packet has 4")
        // NACK without an item, REMB listing more SSRCs than it holds, SDES item past its chunk.
        #expect(rtcpError(RTPFixtures.hex("81 cd 00 02 00 00 00 01 00 00 00 02"))
            == "RTCP byte 4 (packet type 205): generic NACK needs 12 bytes, packet has 8")
        #expect(rtcpError(RTPFixtures.hex("8f ce 00 05 00 00 00 01 00 00 00 00 52 45 4d 42 02 1a 20 df 48 74 ed 16"))
            == "RTCP byte 16 (packet type 206): REMB needs 16 bytes, packet has 12")
        #expect(rtcpError(RTPFixtures.hex("81 ca 00 02 11 22 33 44 01 10 61 62"))
            == "RTCP byte 8 (packet type 202): SDES item runs past the chunk (4 bytes left)")
        #expect(rtcpError(RTPFixtures.hex("81 ca 00 02 11 22 33 44 01 02 61 62"))
            == "RTCP byte 12 (packet type 202): SDES chunk without its terminating null octet")
        #expect(rtcpError(RTPFixtures.hex("81 cb 00 02 00 00 00 01 09 61 62 63"))
            == "RTCP byte 8 (packet type 203): BYE reason of 9 bytes, 3 left")
        // Transport-cc announcing 20 packets with chunks for 9 (and an empty run), or with deltas missing.
        #expect(rtcpError(RTPFixtures.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 01 00 14 00 00 01 00 20 09 00 00"))
            == "RTCP byte 24 (packet type 205): status chunks cover 9 of 20 packets")
        #expect(rtcpError(RTPFixtures.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 01 00 09 00 00 01 00 20 09 1c 0c"))
            == "RTCP byte 22 (packet type 205): receive deltas need 9 bytes, 2 left")
        #expect(rtcpError(RTPFixtures.hex("8f cd 00 05 00 00 00 01 00 00 00 02 00 01 00 01 00 00 01 00 60 01 00 00"))
            == "RTCP byte 20 (packet type 205): reserved packet status symbol 3")
    }

    /// Every cut of every valid packet: an error, or (for RTP, and for RTCP at a packet boundary) a shorter
    /// packet that still lies inside the cut bytes.
    @Test func everyTruncationOfEveryPacket() {
        for (name, bytes) in RTPFixtures.rtp {
            for length in 0..<bytes.count {
                let cut = Array(bytes[..<length])
                if let packet = try? RTPPacket(parsing: cut) {
                    #expect(packet.byteCount == length, "\(name) cut at \(length)")
                }
            }
        }
        for (name, bytes) in RTPFixtures.rtcp {
            let whole = (try? RTCPCompound(parsing: bytes).packetCount) ?? 0
            for length in 0..<bytes.count {
                let cut = Array(bytes[..<length])
                if let compound = try? RTCPCompound(parsing: cut) {
                    #expect(compound.packetCount < whole, "\(name) cut at \(length)")
                }
                _ = rtcpError(cut)
            }
        }
    }

    /// 10 000 random datagrams. Half start like RTP; a quarter are shaped as one RTCP packet (version 2, a
    /// feedback or report type, a length field that matches) so the typed parsers see random bodies.
    @Test func randomBytesNeverTrap() {
        var random = SeededRandom(seed: 3550)
        var parsed = (rtp: 0, rtcp: 0)
        for round in 0..<10_000 {
            var bytes = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            if round % 2 == 0, !bytes.isEmpty { bytes[0] = 0x80 | bytes[0] & 0x3F }
            if round % 4 == 0, bytes.count >= 4 {
                bytes.removeLast(bytes.count % 4)
                bytes[0] = 0x80 | bytes[0] & 0x1F
                bytes[1] = UInt8.random(in: 200...206, using: &random)
                bytes.setBigEndian(UInt16(bytes.count / 4 - 1), at: 2)
            }
            check(bytes, &parsed)
        }
        #expect(parsed.rtp > 500 && parsed.rtcp > 500, "only \(parsed) parsed: the sweep no longer reaches the deeper checks")
    }

    /// 10 000 valid packets with one to three bytes changed at random.
    @Test func mutatedPacketsNeverTrap() {
        var random = SeededRandom(seed: 4585)
        let fixtures = (RTPFixtures.rtp + RTPFixtures.rtcp).map(\.bytes)
        var parsed = (rtp: 0, rtcp: 0)
        for round in 0..<10_000 {
            var bytes = fixtures[round % fixtures.count]
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
            }
            check(bytes, &parsed)
        }
        #expect(parsed.rtp > 1000 && parsed.rtcp > 1000, "only \(parsed) parsed")
    }

    /// Parses `bytes` as RTP and as RTCP; whatever parses must stay inside the bytes and survive a rewrite.
    func check(_ bytes: [UInt8], _ parsed: inout (rtp: Int, rtcp: Int)) {
        if let packet = try? RTPPacket(parsing: bytes) {
            parsed.rtp += 1
            #expect(packet.byteCount == bytes.count)
            _ = (packet.csrcs.elements(in: bytes), packet.extensionElements(in: bytes))
            var copy = bytes
            try? RTPHeaderRewrite(ssrc: 1, sequenceNumber: 2, timestamp: 3).apply(to: &copy)
            #expect((try? RTPPacket(parsing: copy))?.payloadRange == packet.payloadRange)
        }
        if let packets = try? RTCPCompound(parsing: bytes).packets(in: bytes) {
            parsed.rtcp += 1
            for packet in packets { RTCPInspection.readEverything(packet, in: bytes) }
        }
    }
}

/// Reads every list of a typed RTCP packet, as the fuzzer does.
enum RTCPInspection {
    static func readEverything(_ packet: RTCPPacket, in bytes: [UInt8]) {
        switch packet {
        case .senderReport(let report): _ = report.reportBlocks.elements(in: bytes)
        case .receiverReport(let report): _ = report.reportBlocks.elements(in: bytes)
        case .sourceDescription(let description): _ = (description.items(in: bytes), description.cname(in: bytes))
        case .goodbye(let bye): _ = (bye.sources.elements(in: bytes), bye.reason(in: bytes))
        case .genericNACK(let nack): _ = nack.lostPackets(in: bytes)
        case .transportFeedback(let feedback): _ = feedback.packetStatuses(in: bytes)
        case .fullIntraRequest(let fir): _ = fir.entries.elements(in: bytes)
        case .receiverEstimatedMaximumBitrate(let remb): _ = remb.ssrcs.elements(in: bytes)
        case .pictureLossIndication, .other: break
        }
    }
}
