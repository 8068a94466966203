import BridgeMedia
import BridgeRTP
import Foundation
import SwarmSupport

/// What the browser side answers, and so what the gateway does with the phone's G.711.
enum CallMode: String, Sendable, CaseIterable {
    /// The browser answers PCMU: the gateway relays G.711 with SSRC and payload type rewritten.
    case passthrough
    /// The browser answers Opus only: the gateway transcodes G.711 to Opus and back with libavcodec.
    case transcode

    /// The browser's codec: its name in the gateway's offer, RTP clock samples per 20 ms packet.
    var browserCodec: (name: String, samplesPerPacket: UInt32) {
        switch self {
        case .passthrough: ("PCMU", 160)
        case .transcode: ("opus", 960)
        }
    }
}

/// 20 ms payloads of a 440 Hz tone, encoded once with the project's own libavcodec encoders and sent in a
/// loop: G.711 µ-law for the phone (160 bytes), Opus for a transcoding browser.
struct TonePayloads: Sendable {
    let pcmu: [[UInt8]]
    let opus: [[UInt8]]

    init(seconds: Int = 2) throws {
        pcmu = try Self.encode(.pcmu, seconds: seconds)
        opus = try Self.encode(.opus, seconds: seconds)
        guard pcmu.allSatisfy({ $0.count == 160 }) else { throw SwarmError("the PCMU encoder made frames other than 160 bytes") }
    }

    func browser(_ mode: CallMode) -> [[UInt8]] {
        mode == .passthrough ? pcmu : opus
    }

    private static func encode(_ codec: MediaCodec, seconds: Int) throws -> [[UInt8]] {
        let encoder = try AudioEncoder(codec: codec, opus: .speech)
        let rate = 48_000
        var samples: [Int16] = []
        samples.reserveCapacity(rate * seconds * 2)
        for index in 0..<(rate * seconds) {
            let value = Int16(8_000 * sin(2 * Double.pi * 440 * Double(index) / Double(rate)))
            samples += [value, value]
        }
        let frames = try encoder.encode(samples).map { $0.packet }
        guard frames.count >= 10 else { throw SwarmError("the \(codec.rawValue) encoder made only \(frames.count) frames of \(seconds) s") }
        return frames
    }
}
