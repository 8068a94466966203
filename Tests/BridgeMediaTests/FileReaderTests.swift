import BridgeMedia
import BridgeRTP
import Foundation
import Glibc
import Testing

@Suite struct FileReaderTests {
    static let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("samples/demo.mp4").path

    @Test func demoFileHasH264AndAAC() throws {
        let reader = try FileReader(path: Self.demo, loop: false)
        #expect(reader.tracks.map(\.codec) == [.h264, .aac])
        let video = try #require(reader.tracks.first)
        #expect(video.clockRate == 90_000)
        #expect(video.profileLevelID == "42c01f" || video.profileLevelID?.hasPrefix("42") == true)
        #expect(video.parameterSets.count == 2)
        #expect(reader.tracks[1].audioSpecificConfig.count >= 2)
    }

    @Test func keyframesCarryParameterSetsAndTimestampsRise() throws {
        let reader = try FileReader(path: Self.demo, loop: false)
        var videoFrames = 0, keyframes = 0, audioFrames = 0
        var lastVideo: Int64 = -1
        while let (track, frame) = try reader.readFrame() {
            if track == 0 {
                videoFrames += 1
                if frame.isKeyframe {
                    keyframes += 1
                    let types = frame.units.map { $0[0] & 0x1F }
                    let idr = try #require(types.firstIndex(of: 5), "an IDR slice in \(types)")
                    #expect(types[..<idr].contains(7) && types[..<idr].contains(8), "SPS and PPS before the IDR slice: \(types)")
                    #expect(types[..<idr].allSatisfy { [6, 7, 8, 9].contains($0) }, "only SEI, parameter sets or a delimiter before it: \(types)")
                }
                #expect(frame.timestamp > lastVideo)
                lastVideo = frame.timestamp
            } else {
                audioFrames += 1
                #expect(frame.codec == .aac)
            }
        }
        #expect(videoFrames >= 200)
        #expect(keyframes >= 9)
        #expect(audioFrames >= 400)
        #expect(lastVideo > 9 * 90_000)
    }

    @Test func loopingKeepsTimestampsRising() throws {
        let reader = try FileReader(path: Self.demo, loop: true)
        var last: Int64 = -1
        var count = 0
        while count < 700, let (track, frame) = try reader.readFrame() {
            guard track == 0 else { continue }
            #expect(frame.timestamp > last)
            last = frame.timestamp
            count += 1
        }
        #expect(count == 700)
        #expect(last > 20 * 90_000)
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: MediaError.self) { try FileReader(path: "/nonexistent/file.mp4") }
    }

    @Test func aacBecomesOpusThatDecodesToSound() throws {
        let reader = try FileReader(path: Self.demo, loop: false)
        let transcoder = try AudioTranscoder(from: reader.tracks[1])
        let decoder = try AudioDecoder(track: MediaTrackInfo(codec: .opus, clockRate: 48_000, channels: 2))
        var opus: [MediaFrame] = []
        while opus.count < 150, let (track, frame) = try reader.readFrame() {
            if track == 1 { opus += transcoder.transcode(frame) }
        }
        #expect(opus.count >= 150)
        #expect(transcoder.failures == 0)
        // 20 ms apart, in the 48 kHz clock.
        for pair in zip(opus, opus.dropFirst()) { #expect(pair.1.timestamp - pair.0.timestamp == 960) }
        var samples: [Int16] = []
        for frame in opus { try decoder.decode(frame.units[0], into: &samples) }
        #expect(samples.count >= 140 * 960 * 2)
        let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(samples.count)).squareRoot()
        #expect(rms > 500, "the demo's tone survives AAC to Opus (rms \(rms))")
    }
}

@Suite struct AudioTranscoderTests {
    /// A 440 Hz tone as a browser would send it: 20 ms Opus frames, made by our own encoder.
    func opusTone(frames: Int) throws -> [MediaFrame] {
        let encoder = try AudioEncoder(codec: .opus)
        var samples: [Int16] = []
        for index in 0..<(frames * 960) {
            let value = Int16(8000 * sin(2 * Double.pi * 440 * Double(index) / 48_000))
            samples += [value, value]
        }
        return try encoder.encode(samples).map {
            MediaFrame(codec: .opus, timestamp: $0.position, clockRate: 48_000, units: [$0.packet])
        }
    }

    @Test(arguments: [MediaCodec.pcmu, .pcma, .g722])
    func browserOpusBecomesPhoneAudioAndBack(codec: MediaCodec) throws {
        let opus = try opusTone(frames: 50)
        let toPhone = try AudioTranscoder(from: MediaTrackInfo(codec: .opus, clockRate: 48_000, channels: 2), to: codec)
        let phone = opus.flatMap { toPhone.transcode($0) }
        #expect(phone.count >= 45)
        #expect(phone.allSatisfy { $0.codec == codec && $0.clockRate == 8_000 })
        #expect(phone.allSatisfy { $0.units[0].count == (codec == .g722 ? 160 : 160) }, "20 ms: 160 bytes of G.711 or G.722")
        for pair in zip(phone, phone.dropFirst()) { #expect(pair.1.timestamp - pair.0.timestamp == 160) }
        let back = try AudioDecoder(track: MediaTrackInfo(codec: codec, clockRate: 8_000))
        var samples: [Int16] = []
        for frame in phone.dropFirst(5) { try back.decode(frame.units[0], into: &samples) }
        let rms = (samples.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(max(samples.count, 1))).squareRoot()
        #expect(rms > 2000, "the tone survives Opus → \(codec.rawValue) → PCM (rms \(rms))")
    }
}
