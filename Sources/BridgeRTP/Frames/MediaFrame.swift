import BridgeCore

/// The codecs a source can hand the gateway. Names follow the SDP encoding names.
public enum MediaCodec: String, Sendable, Equatable, Hashable, CaseIterable {
    case h264 = "H264"
    case h265 = "H265"
    case aac = "MPEG4-GENERIC"
    case opus = "opus"
    case pcmu = "PCMU"
    case pcma = "PCMA"
    case g722 = "G722"

    public var isVideo: Bool { self == .h264 || self == .h265 }
}

/// One decodable unit from a source, after depacketizing (RTSP) or demuxing (file).
///
/// - Video: `units` are the NAL units of one access unit, without start codes or length prefixes,
///   in decoding order. A keyframe (IDR / IRAP) carries its parameter sets first.
/// - Audio: `units` are whole codec frames: raw AAC access units (no ADTS header), Opus packets,
///   G.711 or G.722 sample bytes.
public struct MediaFrame: Sendable, Equatable {
    public var codec: MediaCodec
    /// Presentation time in `clockRate` units (90 000 for video, the sample rate for audio).
    public var timestamp: Int64
    public var clockRate: Int
    public var isKeyframe: Bool
    public var units: [[UInt8]]

    public init(codec: MediaCodec, timestamp: Int64, clockRate: Int, isKeyframe: Bool = false, units: [[UInt8]]) {
        self.codec = codec
        self.timestamp = timestamp
        self.clockRate = clockRate
        self.isKeyframe = isKeyframe
        self.units = units
    }

    /// Total payload bytes over all units.
    public var byteCount: Int { units.reduce(0) { $0 + $1.count } }
}

/// What a source says about one of its tracks, from SDP (RTSP) or the container (file).
public struct MediaTrackInfo: Sendable, Equatable {
    public var codec: MediaCodec
    public var clockRate: Int
    /// Audio channels (1 when unknown or video).
    public var channels: Int
    /// H.264/H.265 parameter sets (SPS, PPS, VPS) without start codes, in the order they must be sent.
    public var parameterSets: [[UInt8]]
    /// AAC AudioSpecificConfig (the `config=` fmtp value, as bytes).
    public var audioSpecificConfig: [UInt8]
    /// H.264 profile-level-id (six hex digits) when known.
    public var profileLevelID: String?
    public var width: Int?
    public var height: Int?

    public init(codec: MediaCodec, clockRate: Int, channels: Int = 1, parameterSets: [[UInt8]] = [],
                audioSpecificConfig: [UInt8] = [], profileLevelID: String? = nil, width: Int? = nil, height: Int? = nil) {
        self.codec = codec
        self.clockRate = clockRate
        self.channels = channels
        self.parameterSets = parameterSets
        self.audioSpecificConfig = audioSpecificConfig
        self.profileLevelID = profileLevelID
        self.width = width
        self.height = height
    }
}
