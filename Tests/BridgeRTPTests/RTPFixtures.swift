import BridgeCore

/// Packets written out by hand from the RFC diagrams, and from captures where noted. The same bytes are in
/// Tests/Fixtures/rtp/*.bin as the fuzzer's seed corpus.
enum RTPFixtures {
    /// Opus from Chromium: X with RFC 8285 one-byte elements ssrc-audio-level (id 1) and transport-cc (id 3),
    /// then 3 bytes of padding elements.
    static let opusWithOneByteExtension = hex("""
        90 6f 1c 4d  00 00 bb 80  12 34 56 78
        be de 00 02  10 aa 31 00  01 00 00 00
        78 0b e4 c1 36 e8 1a 5c
        """)

    /// PCMA from a mixer: CC=2 contributing sources, marker set.
    static let pcmaWithCSRCs = hex("""
        82 88 00 07  00 00 03 20  de ad be ef
        00 00 00 0a  00 00 00 0b
        d5 d5 d5 d5 55 55
        """)

    /// H.264 with P: 4 payload bytes, then 4 bytes of padding whose last byte counts them.
    static let h264WithPadding = hex("""
        a0 60 ff ff  ff ff ff ff  00 00 00 01
        7c 85 88 84  00 00 00 04
        """)

    /// RFC 8285 section 4.3 two-byte form, profile 0x1000 with appbits 0: element id 1 of 2 bytes.
    static let twoByteExtension = hex("""
        90 60 00 01  00 00 00 02  00 00 00 03
        10 00 00 01  01 02 aa bb
        ff
        """)

    static let rtp: [(name: String, bytes: [UInt8])] = [
        ("opus-one-byte-extension", opusWithOneByteExtension), ("pcma-csrcs", pcmaWithCSRCs),
        ("h264-padding", h264WithPadding), ("two-byte-extension", twoByteExtension),
    ]

    /// SR (no report blocks) + SDES with one CNAME chunk: the compound a sender sends every few seconds.
    static let senderReportAndSDES = hex("""
        80 c8 00 06  11 22 33 44  e9 4f 2a 3b  8c 7e 00 00  00 01 5f 90  00 00 00 64  00 00 4e 20
        81 ca 00 06  11 22 33 44  01 10 6d 65  64 69 61 62  72 69 64 67  65 2d 74 65  73 74 00 00
        """)

    /// SR with one report block (cumulative loss -1: more duplicates than losses).
    static let senderReportWithBlock = hex("""
        81 c8 00 0c  11 22 33 44  e9 4f 2a 3b  8c 7e 00 00  00 01 5f 90  00 00 00 64  00 00 4e 20
        55 66 77 88  19 ff ff ff  00 01 12 34  00 00 00 2a  2a 3b 8c 7e  00 01 80 00
        """)

    /// RR with one report block + BYE with a reason.
    static let receiverReportAndBye = hex("""
        81 c9 00 07  00 00 00 01  11 22 33 44  05 00 00 07  00 00 ff 10  00 00 00 09  00 00 00 00  00 00 00 00
        81 cb 00 03  00 00 00 01  04 62 79 65  21 00 00 00
        """)

    /// Generic NACK: PID 100, BLP 0b101 (101 and 103 lost too).
    static let nack = hex("81 cd 00 03  00 00 00 01  12 34 56 78  00 64 00 05")

    static let pli = hex("81 ce 00 02  00 00 00 01  12 34 56 78")

    /// FIR for SSRC 0x12345678, request number 5; media source 0 as RFC 5104 section 4.3.1.2 asks.
    static let fir = hex("84 ce 00 04  00 00 00 01  00 00 00 00  12 34 56 78  05 00 00 00")

    /// REMB of 8 927 168 bit/s for SSRC 1215622422 (the example of pion/rtcp's REMB tests).
    static let remb = hex("8f ce 00 05  00 00 00 01  00 00 00 00  52 45 4d 42  01 1a 20 df  48 74 ed 16")

    /// Transport-cc feedback captured from Chromium (padding bit set, one byte of padding): one run-length
    /// chunk of 9 small deltas, reference time 6197520 × 64 ms.
    static let transportFeedbackCapture = hex("""
        af cd 00 07  00 00 00 01  dd 58 6e b6  00 01 00 09  5e 91 10 00  20 09 1c 0c  2c 38 00 04  00 08 18 01
        """)

    /// Transport-cc with a two-bit status vector: small, lost, large (-1 ms), small, lost, lost, small.
    static let transportFeedbackVector = hex("""
        8f cd 00 06  00 00 00 01  00 00 00 02  00 05 00 07  00 00 01 02  d2 41 04 ff  fc 08 10 00
        """)

    /// Transport-cc with a one-bit status vector across the sequence number wrap, reference time -1.
    static let transportFeedbackWrap = hex("""
        8f cd 00 05  00 00 00 01  00 00 00 02  ff fe 00 03  ff ff ff 00  a8 00 01 02
        """)

    static let rtcp: [(name: String, bytes: [UInt8])] = [
        ("sr-sdes", senderReportAndSDES), ("sr-block", senderReportWithBlock), ("rr-bye", receiverReportAndBye),
        ("nack", nack), ("pli", pli), ("fir", fir), ("remb", remb), ("twcc-capture", transportFeedbackCapture),
        ("twcc-vector", transportFeedbackVector), ("twcc-wrap", transportFeedbackWrap),
    ]

    static func hex(_ text: String) -> [UInt8] {
        let digits = text.unicodeScalars.compactMap { UInt8(String($0), radix: 16) }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }
}

/// xorshift64*: a small seeded generator, so random sweeps are the same on every run.
struct SeededRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed == 0 ? 0x2545_F491_4F6C_DD1D : seed }

    mutating func next() -> UInt64 {
        state ^= state >> 12
        state ^= state << 25
        state ^= state >> 27
        return state &* 0x2545_F491_4F6C_DD1D
    }
}
