import BridgeRTP

/// Any audio FFmpeg decodes to 20 ms frames of Opus (for browsers: AAC from cameras, G.711 from phones)
/// or G.711/G.722 (for phones, from a browser's Opus). One per route or call leg, shared by every viewer.
/// Output timestamps follow the input's: the first input frame fixes the origin, and a jump of more than a
/// second in the input (a camera reconnect, a file loop) restarts the line there.
public final class AudioTranscoder {
    private let decoder: AudioDecoder
    private let encoder: AudioEncoder
    private let inputRate: Int
    private var origin: Int64?
    private var expectedInput: Int64?
    private var samples: [Int16] = []
    public private(set) var failures = 0

    public var outputCodec: MediaCodec { encoder.codec }
    public var outputClockRate: Int { encoder.clockRate }

    public init(from track: MediaTrackInfo, to codec: MediaCodec = .opus, opus: OpusSettings = .music) throws(MediaError) {
        decoder = try AudioDecoder(track: track)
        encoder = try AudioEncoder(codec: codec, opus: opus)
        inputRate = max(track.clockRate, 1)
    }

    /// Output frames for one input frame (none while the encoder fills its first 20 ms).
    public func transcode(_ frame: MediaFrame) -> [MediaFrame] {
        // Wrapping arithmetic: timestamps come from the wire (a phone can make its unwrapped line huge).
        let at48k = frame.timestamp &* 48_000 / Int64(inputRate)
        if let expected = expectedInput, (at48k &- expected).magnitude > 48_000 {
            origin = nil
            encoder.reset()
        }
        let outputRate = Int64(encoder.clockRate)
        if origin == nil { origin = frame.timestamp &* outputRate / Int64(inputRate) &- encoder.nextPosition }
        samples.removeAll(keepingCapacity: true)
        for unit in frame.units {
            do { try decoder.decode(unit, into: &samples) } catch { failures += 1 }
        }
        expectedInput = at48k &+ Int64(samples.count / AudioDecoder.outputChannels)
        let packets: [(position: Int64, packet: [UInt8])]
        do { packets = try encoder.encode(samples) } catch { failures += 1; return [] }
        let base = origin ?? 0
        return packets.map { MediaFrame(codec: encoder.codec, timestamp: base &+ $0.position, clockRate: encoder.clockRate, units: [$0.packet]) }
    }
}
