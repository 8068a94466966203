/// Writes descriptions for the SIP side: plain `RTP/AVP` (or the profile the phone used), explicit
/// rtpmaps even for static payload types, no ICE, DTLS, extmap or SSRC lines.
enum SIPSectionWriter {
    static func sessionHeader(sessionID: UInt64, version: UInt64, address: String) -> [SDPLine] {
        let connection = ConnectionData(address: address)
        return [
            SDPLine("v", "0"),
            SDPLine("o", "MediaBridge \(sessionID) \(version) \(connection.value)"),
            SDPLine("s", "MediaBridge"),
            SDPLine("c", connection.value),
            SDPLine("t", "0 0"),
        ]
    }

    struct Section {
        var media: String
        var port: Int
        var proto: String
        var codecs: [CodecDescription]
        var direction: MediaDirection
        var rtcpMux: Bool
        var crypto: CryptoAttribute?
        var ptime: Int?
        /// Feedback lines are kept only for AVPF profiles.
        var feedback: Bool
    }

    static func section(_ spec: Section) -> MediaDescription {
        var section = MediaDescription(media: spec.media, port: spec.port, proto: spec.proto, formats: spec.codecs.map { String($0.payloadType) })
        for codec in spec.codecs {
            if let map = codec.rtpMap { section.appendAttribute("rtpmap", map.attributeValue) }
            if let parameters = codec.parameters, !parameters.parameters.isEmpty {
                section.appendAttribute("fmtp", parameters.attributeValue)
            }
            if spec.feedback {
                for feedback in codec.feedback { section.appendAttribute("rtcp-fb", feedback.attributeValue) }
            }
        }
        if spec.rtcpMux {
            section.appendAttribute("rtcp-mux")
        } else {
            section.appendAttribute("rtcp", String(spec.port + 1))
        }
        if let crypto = spec.crypto { section.appendAttribute("crypto", crypto.attributeValue) }
        if let ptime = spec.ptime { section.appendAttribute("ptime", String(ptime)) }
        section.appendAttribute(spec.direction.rawValue)
        return section
    }

    static func rejected(_ offered: MediaDescription) -> MediaDescription {
        MediaDescription(media: offered.media, port: 0, proto: offered.proto, formats: offered.formats.isEmpty ? ["0"] : Array(offered.formats.prefix(1)))
    }

    /// SDES suites the gateway speaks (libsrtp2), in preference order.
    static let sdesSuites = ["AES_CM_128_HMAC_SHA1_80", "AES_CM_128_HMAC_SHA1_32"]
}

extension CodecDescription {
    /// The same codec with an explicit rtpmap (static payload types get one written, RFC 3264 section 5.1 allows it).
    var withExplicitRTPMap: CodecDescription {
        var copy = self
        if copy.rtpMap == nil { copy.rtpMap = RTPMap.staticPayloadType(payloadType) }
        return copy
    }

    /// Whether browsers decode this codec (Chromium's audio and video decoders).
    var isBrowserPlayable: Bool {
        switch kind {
        case .opus: clockRate == 48000
        case .pcmu, .pcma, .g722, .comfortNoise: clockRate == 8000
        case .telephoneEvent: clockRate == 8000 || clockRate == 48000
        case .vp8, .vp9, .av1: true
        case .h264: (parameters?["packetization-mode"] ?? "0") == "1"
        default: false
        }
    }
}
