import Benchmark
import BridgeCore
import BridgeMedia
import BridgeRTP
import Foundation

/// Camera ingest costs: an H.264 stream depacketized and packetized again at WebRTC's MTU (what every RTSP
/// route does per packet), and AAC to Opus (once per route with AAC audio). Call costs: a transcoded call's
/// two `AudioTranscoder`s, G.711 µ-law to Opus and back, per 20 ms packet (what `CallBridge` runs per packet;
/// the bridge itself is internal to the gateway, so `make bench-calls` measures it whole).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(metrics: [.wallClock, .mallocCountTotal, .throughput, .cpuTotal], maxDuration: .seconds(3))
    let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/demo.mp4").path
    guard let reader = try? FileReader(path: demo, loop: false) else { return }
    var videoFrames: [MediaFrame] = []
    var audioFrames: [MediaFrame] = []
    while let (track, frame) = try? reader.readFrame() {
        if track == 0 { videoFrames.append(frame) } else { audioFrames.append(frame) }
    }
    // The demo's 10 s of H.264 as a camera would send it: RTP packets of at most 1200 bytes.
    var sequence: UInt16 = 0
    let packets: [[UInt8]] = videoFrames.flatMap { frame in
        RTPPacketizer.packetize(frame, maxPayload: 1188).map { unit -> [UInt8] in
            var bytes: [UInt8] = []
            RTPPacket.write(header: RTPHeader(marker: unit.marker, payloadType: PayloadType(maskingHeaderByte: 96), sequenceNumber: SequenceNumber(sequence),
                                              timestamp: RTPTimestamp(UInt32(truncatingIfNeeded: unit.timestamp)), ssrc: 0x1234),
                            payload: unit.payload, into: &bytes)
            sequence &+= 1
            return bytes
        }
    }
    let parameterSets = reader.tracks.first?.parameterSets ?? []

    Benchmark("H.264 depacketize + repacketize at 1200 B, per packet (demo: \(packets.count) packets, \(videoFrames.count) frames)",
              configuration: .init(scalingFactor: .one)) { benchmark in
        var depacketizer = H264Depacketizer(parameterSets: parameterSets)
        var units = 0
        for index in benchmark.scaledIterations {
            let bytes = packets[index % packets.count]
            guard let packet = try? RTPPacket(parsing: bytes) else { continue }
            for frame in depacketizer.handle(packet, in: bytes) { units += RTPPacketizer.packetize(frame).count }
        }
        blackHole(units)
    }

    if let track = reader.tracks.dropFirst().first, track.codec == .aac {
        let transcoder = try? AudioTranscoder(from: track)
        Benchmark("AAC to Opus, per 1024-sample AAC frame (21.3 ms of audio at 48 kHz; share of a core = time / 21.3 ms)") { benchmark in
            var produced = 0
            for index in benchmark.scaledIterations {
                produced += transcoder?.transcode(audioFrames[index % audioFrames.count]).count ?? 0
            }
            blackHole(produced)
        }
    }

    // A 440 Hz tone, 2 s, as 20 ms packets of each codec (what a phone and a browser send).
    let tone: [Int16] = (0..<96_000).flatMap { index -> [Int16] in
        let value = Int16(8_000 * sin(2 * Double.pi * 440 * Double(index) / 48_000))
        return [value, value]
    }
    let pcmu = (try? AudioEncoder(codec: .pcmu).encode(tone).map { $0.packet }) ?? []
    let cases: [(name: String, from: MediaTrackInfo, to: MediaCodec, opus: OpusSettings, packets: [[UInt8]], samples: Int64)] = [
        ("G.711 µ-law to Opus (what a call uses: mono, CELT only, complexity 5)", MediaTrackInfo(codec: .pcmu, clockRate: 8_000), .opus,
         .speech, pcmu, 160),
        ("G.711 µ-law to Opus (camera settings: stereo, complexity 10)", MediaTrackInfo(codec: .pcmu, clockRate: 8_000), .opus,
         .music, pcmu, 160),
        ("Opus to G.711 µ-law", MediaTrackInfo(codec: .opus, clockRate: 48_000, channels: 2), .pcmu, .speech,
         (try? AudioEncoder(codec: .opus, opus: .speech).encode(tone).map { $0.packet }) ?? [], 960),
    ]
    for item in cases where !item.packets.isEmpty {
        guard let transcoder = try? AudioTranscoder(from: item.from, to: item.to, opus: item.opus) else { continue }
        Benchmark("Call transcoding: \(item.name), per 20 ms packet (share of a core per call = time / 20 ms)") { benchmark in
            var produced = 0
            for index in benchmark.scaledIterations {
                let frame = MediaFrame(codec: item.from.codec, timestamp: Int64(index) * item.samples, clockRate: item.from.clockRate,
                                       units: [item.packets[index % item.packets.count]])
                produced += transcoder.transcode(frame).count
            }
            blackHole(produced)
        }
    }
}
