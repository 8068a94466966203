import BridgeCore
import BridgeRTP
import BridgeSDP

/// One media section of a camera's DESCRIBE answer that the gateway can take: the codec as a
/// `MediaTrackInfo`, the payload type its packets carry, and the URL to SETUP.
public struct RTSPTrack: Sendable, Equatable {
    public var info: MediaTrackInfo
    public var payloadType: UInt8
    /// The absolute URL for SETUP (the control resolved against the base).
    public var controlURL: String
    /// AAC RFC 3640 AU header layout: sizelength, indexlength, indexdeltalength.
    public var aacHeaderLayout: (sizeLength: Int, indexLength: Int, indexDeltaLength: Int)?
    /// MP4A-LATM (RFC 6416) instead of MPEG4-GENERIC: numSubFrames from the StreamMuxConfig.
    public var latmSubFrames: Int?

    public init(info: MediaTrackInfo, payloadType: UInt8, controlURL: String,
                aacHeaderLayout: (sizeLength: Int, indexLength: Int, indexDeltaLength: Int)? = nil) {
        self.info = info
        self.payloadType = payloadType
        self.controlURL = controlURL
        self.aacHeaderLayout = aacHeaderLayout
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.info == rhs.info && lhs.payloadType == rhs.payloadType && lhs.controlURL == rhs.controlURL
            && lhs.aacHeaderLayout?.sizeLength == rhs.aacHeaderLayout?.sizeLength
            && lhs.aacHeaderLayout?.indexLength == rhs.aacHeaderLayout?.indexLength
            && lhs.aacHeaderLayout?.indexDeltaLength == rhs.aacHeaderLayout?.indexDeltaLength
            && lhs.latmSubFrames == rhs.latmSubFrames
    }

    /// A depacketizer for this track's packets.
    public func makeDepacketizer() -> any RTPDepacketizer {
        switch info.codec {
        case .h264:
            H264Depacketizer(parameterSets: info.parameterSets, clockRate: info.clockRate)
        case .h265:
            H265Depacketizer(parameterSets: info.parameterSets, clockRate: info.clockRate)
        case .aac where latmSubFrames != nil:
            LATMDepacketizer(clockRate: info.clockRate, subFrames: latmSubFrames ?? 0)
        case .aac:
            AACDepacketizer(clockRate: info.clockRate, sizeLength: aacHeaderLayout?.sizeLength ?? 13,
                            indexLength: aacHeaderLayout?.indexLength ?? 3,
                            indexDeltaLength: aacHeaderLayout?.indexDeltaLength ?? 3)
        case .opus, .pcmu, .pcma, .g722:
            PassThroughDepacketizer(codec: info.codec, clockRate: info.clockRate)
        }
    }
}
