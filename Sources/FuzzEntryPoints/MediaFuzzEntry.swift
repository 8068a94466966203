import BridgeCore
import BridgeMedia
import BridgeRTP

/// A camera's media as the ingest sees it. The first byte picks the target; the rest is, for the
/// depacketizers and the reorder buffer, a run of RTP packets each behind a 2-byte length (the last one takes
/// what is left), and for the parsers the bytes themselves:
///
/// 0 H.264, 1 H.265, 2 AAC (RFC 3640, AAC-hbr), 3 MP4A-LATM depacketizer; 4 the reorder buffer in front of
/// an H.264 depacketizer; 5 the H.264 SPS parser, the NAL unit splitters and the avcC/hvcC and
/// StreamMuxConfig readers. A frame that is not the depacketizer's codec or clock, or a reorder buffer that
/// hands out more packets than it took, is a finding.
public enum MediaFuzzEntry {
    public static let targetCount = 6
    /// Packets past this many are not read: the depacketizers keep no more than a frame.
    static let maximumPackets = 256

    public static func run(_ bytes: [UInt8]) -> FuzzFindings {
        var findings = FuzzFindings()
        var input = FuzzInput(bytes)
        let target = Int(input.byte()) % targetCount
        switch target {
        case 0: depacketize(H264Depacketizer(), codec: .h264, clockRate: 90_000, &input, &findings)
        case 1: depacketize(H265Depacketizer(), codec: .h265, clockRate: 90_000, &input, &findings)
        case 2: depacketize(AACDepacketizer(clockRate: 48_000), codec: .aac, clockRate: 48_000, &input, &findings)
        case 3:
            let subFrames = input.int(in: 0...63)
            depacketize(LATMDepacketizer(clockRate: 44_100, subFrames: subFrames), codec: .aac, clockRate: 44_100,
                        &input, &findings)
        case 4: reorder(&input, &findings)
        default: parameterSets(Array(input.remaining))
        }
        return findings
    }

    static func packets(_ input: inout FuzzInput) -> [[UInt8]] {
        var packets: [[UInt8]] = []
        while !input.remaining.isEmpty, packets.count < maximumPackets {
            let length = Int(input.uint16())
            packets.append(Array(input.take(length)))
        }
        return packets
    }

    static func depacketize(_ start: some RTPDepacketizer, codec: MediaCodec, clockRate: Int,
                            _ input: inout FuzzInput, _ findings: inout FuzzFindings) {
        var depacketizer = start
        for bytes in packets(&input) {
            guard let packet = try? RTPPacket(parsing: bytes) else { continue }
            for frame in depacketizer.handle(packet, in: bytes) {
                findings.check(frame.codec == codec, "\(codec) depacketizer made a \(frame.codec) frame")
                findings.check(frame.clockRate == clockRate, "\(codec) frame at \(frame.clockRate) Hz, not \(clockRate)")
            }
        }
    }

    static func reorder(_ input: inout FuzzInput, _ findings: inout FuzzFindings) {
        var buffer = RTPReorderBuffer(depth: input.int(in: 0...32))
        var depacketizer = H264Depacketizer()
        var taken = 0
        var released = 0
        for bytes in packets(&input) {
            guard let packet = try? RTPPacket(parsing: bytes) else { continue }
            taken += 1
            for ordered in buffer.insert(bytes, sequenceNumber: packet.header.sequenceNumber) {
                released += 1
                guard let again = try? RTPPacket(parsing: ordered) else {
                    findings.fail("the reorder buffer released bytes it was not given")
                    continue
                }
                _ = depacketizer.handle(again, in: ordered)
            }
        }
        findings.check(released <= taken, "the reorder buffer released \(released) of \(taken) packets")
    }

    static func parameterSets(_ bytes: [UInt8]) {
        _ = H264SequenceParameterSet(nal: bytes)
        bytes.withUnsafeBytes { buffer in
            for nal in NALUnitSplitter.annexB(buffer) { _ = H264SequenceParameterSet(nal: nal) }
            for lengthSize in [1, 2, 4] { _ = NALUnitSplitter.lengthPrefixed(buffer, lengthSize: lengthSize) }
            _ = NALUnitSplitter.startsWithStartCode(buffer)
        }
        if let avc = NALUnitSplitter.avcConfiguration(bytes) {
            for set in avc.parameterSets { _ = H264SequenceParameterSet(nal: set) }
        }
        _ = NALUnitSplitter.hevcConfiguration(bytes)
        _ = LATMDepacketizer.parseStreamMuxConfig(bytes)
    }
}
