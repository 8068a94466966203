/// How the gateway's Opus encoder is set up for what it carries. Opus packets are valid for any receiver of
/// `opus/48000/2` whatever the channel count encoded, so speech can be encoded mono.
public struct OpusSettings: Sendable, Equatable {
    /// Channels encoded (1 or 2).
    public var channels: Int
    public var bitrate: Int
    /// libopus's application (its option's values are the raw values).
    public enum Application: String, Sendable {
        /// Music and camera sound.
        case audio
        /// Speech through SILK (costlier than CELT).
        case voip
        /// CELT only: the cheapest mode and the shortest delay.
        case lowdelay
    }

    public var application: Application
    /// libopus complexity, 0 (cheapest) to 10 (best).
    public var complexity: Int

    public init(channels: Int, bitrate: Int, application: Application, complexity: Int) {
        self.channels = channels
        self.bitrate = bitrate
        self.application = application
        self.complexity = complexity
    }

    /// Camera sound (AAC from RTSP or files): stereo at 64 kbit/s, libopus's best.
    public static let music = OpusSettings(channels: 2, bitrate: 64_000, application: .audio, complexity: 10)
    /// A phone's voice in a call (G.711 or G.722, so 8 or 16 kHz at most): mono at 32 kbit/s, CELT only
    /// (`lowdelay`: the cheapest mode and the shortest delay), complexity 5. About half the cost per packet of
    /// `music` (MediaBenchmarks); `voip` (SILK) would cost more than `music`.
    public static let speech = OpusSettings(channels: 1, bitrate: 32_000, application: .lowdelay, complexity: 5)
}
