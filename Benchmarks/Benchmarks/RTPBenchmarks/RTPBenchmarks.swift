import Benchmark
import BridgeCore
import BridgeRTP

/// Per-packet costs on the fan-out path. `mallocCountTotal` should read 0 for every one of them: parsing
/// and rewriting work on the caller's bytes and allocate nothing.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput], maxDuration: .seconds(2))

    // A 1200-byte video payload behind a header with the extensions Chromium sends (abs-send-time,
    // transport-cc, mid): what a viewer gets per packet.
    var video: [UInt8] = []
    let headerExtension = try? RTPHeaderExtension(elements: [
        .init(id: 2, value: [0x12, 0x34, 0x56]), .init(id: 3, value: [0x00, 0x2A]), .init(id: 4, value: [0x30]),
    ])
    RTPPacket.write(header: RTPHeader(marker: false, payloadType: PayloadType(rawValue: 102)!, sequenceNumber: 1000,
                                      timestamp: 90000, ssrc: 0x1122_3344),
                    headerExtension: headerExtension, payload: [UInt8](repeating: 0x5A, count: 1200), into: &video)

    var compound: [UInt8] = []
    RTCPSenderReport(ssrc: 0x1122_3344, ntpTimestamp: 0xE94F_2A3B_8C7E_0000, rtpTimestamp: 90000, packetCount: 100,
                     octetCount: 120_000).write(reportBlocks: [RTCPReportBlock(ssrc: 0x5566_7788, jitter: 12)], into: &compound)
    RTCPSourceDescription.write(cnames: [(0x1122_3344, "mediabridge-benchmark")], into: &compound)

    var nack: [UInt8] = []
    RTCPGenericNACK.write(senderSSRC: 1, mediaSSRC: 0x1122_3344,
                          lost: [1000, 1001, 1003, 1010, 1040, 1041].map { SequenceNumber($0) }, into: &nack)

    Benchmark("RTP: parse header (1200-byte payload, 3 extensions)") { benchmark in
        video.withUnsafeBytes { buffer in
            for _ in benchmark.scaledIterations { blackHole(try? RTPPacket(parsing: buffer)) }
        }
    }
    Benchmark("RTP: rewrite SSRC/seq/ts in place") { benchmark in
        var packet = video
        packet.withUnsafeMutableBytes { buffer in
            var sequenceNumber: SequenceNumber = 0
            for _ in benchmark.scaledIterations {
                sequenceNumber = sequenceNumber.next
                try? RTPHeaderRewrite(ssrc: 0xCAFE_BABE, sequenceNumber: sequenceNumber, timestamp: 180_000).apply(to: buffer)
            }
            blackHole(buffer.baseAddress)
        }
    }
    Benchmark("RTCP: parse compound SR (1 block) + SDES") { benchmark in
        compound.withUnsafeBytes { buffer in
            for _ in benchmark.scaledIterations {
                guard let parsed = try? RTCPCompound(parsing: buffer) else { continue }
                parsed.forEachPacket(in: buffer) { view in blackHole(try? RTCPPacket(parsing: buffer, view: view)) }
            }
        }
    }
    Benchmark("RTCP: parse generic NACK and expand lost packets") { benchmark in
        nack.withUnsafeBytes { buffer in
            for _ in benchmark.scaledIterations {
                guard let view = try? RTCPPacketView(parsing: buffer, at: 0),
                      let parsed = try? RTCPGenericNACK(parsing: buffer, view: view) else { continue }
                var count = 0
                parsed.forEachLostPacket(in: buffer) { _ in count += 1 }
                blackHole(count)
            }
        }
    }
}
