/// One payload type of a media section, with what the SDP says about it.
public struct CodecDescription: Sendable, Hashable {
    public var payloadType: UInt8
    /// From `a=rtpmap`, or the static table for payload types below 96; nil for unknown dynamic types.
    public var rtpMap: RTPMap?
    public var parameters: FormatParameters?
    public var feedback: [RTCPFeedback]

    public init(payloadType: UInt8, rtpMap: RTPMap?, parameters: FormatParameters? = nil, feedback: [RTCPFeedback] = []) {
        self.payloadType = payloadType
        self.rtpMap = rtpMap
        self.parameters = parameters
        self.feedback = feedback
    }

    public var kind: CodecKind { CodecKind(encodingName: rtpMap?.encodingName ?? "") }
    public var clockRate: Int { rtpMap?.clockRate ?? 0 }
    public var channels: Int { rtpMap?.channels ?? 1 }

    /// `H264/90000`, `opus/48000/2`, or `PT 97` when unknown.
    public var displayName: String {
        guard let rtpMap else { return "PT \(payloadType)" }
        return "\(rtpMap.encodingName)/\(rtpMap.clockRate)" + (rtpMap.channels.map { "/\($0)" } ?? "")
    }
}

/// The codecs the gateway tells apart. Names compare case-insensitively (RFC 4855 section 3).
public enum CodecKind: Sendable, Hashable {
    case h264, h265, vp8, vp9, av1, mjpeg
    case opus, pcmu, pcma, g722, aac, g726, g729, l16
    case telephoneEvent, comfortNoise, rtx, red, ulpfec, flexfec
    case other(String)

    public init(encodingName: String) {
        switch encodingName.uppercased() {
        case "H264": self = .h264
        case "H265", "HEVC": self = .h265
        case "VP8": self = .vp8
        case "VP9": self = .vp9
        case "AV1": self = .av1
        case "JPEG": self = .mjpeg
        case "OPUS": self = .opus
        case "PCMU": self = .pcmu
        case "PCMA": self = .pcma
        case "G722": self = .g722
        case "MPEG4-GENERIC", "MP4A-LATM": self = .aac
        case let name where name.hasPrefix("G726") || name == "AAL2-G726-32": self = .g726
        case "G729", "G729A": self = .g729
        case "L16": self = .l16
        case "TELEPHONE-EVENT": self = .telephoneEvent
        case "CN": self = .comfortNoise
        case "RTX": self = .rtx
        case "RED": self = .red
        case "ULPFEC": self = .ulpfec
        case "FLEXFEC-03", "FLEXFEC": self = .flexfec
        default: self = .other(encodingName)
        }
    }

    /// Retransmission, redundancy and FEC formats that ride along with a primary codec.
    public var isAuxiliary: Bool {
        switch self {
        case .rtx, .red, .ulpfec, .flexfec, .telephoneEvent, .comfortNoise: true
        default: false
        }
    }

    public var name: String {
        switch self {
        case .h264: "H.264"
        case .h265: "H.265"
        case .vp8: "VP8"
        case .vp9: "VP9"
        case .av1: "AV1"
        case .mjpeg: "MJPEG"
        case .opus: "Opus"
        case .pcmu: "PCMU"
        case .pcma: "PCMA"
        case .g722: "G.722"
        case .aac: "AAC"
        case .g726: "G.726"
        case .g729: "G.729"
        case .l16: "L16"
        case .telephoneEvent: "telephone-event"
        case .comfortNoise: "CN"
        case .rtx: "rtx"
        case .red: "red"
        case .ulpfec: "ulpfec"
        case .flexfec: "flexfec"
        case .other(let name): name.isEmpty ? "unknown" : name
        }
    }
}
