import BridgeCore
import BridgeRTP
import BridgeSDP

/// The SDP a source's tracks stand for, whatever the source is (RTSP camera or file): the input the WHEP
/// answer builder and the codec matcher work from. Track `i` is media section `i`, payload type `96 + i`.
enum SourceDescription {
    static func make(_ tracks: [MediaTrackInfo]) -> SessionDescription? {
        var lines = ["v=0", "o=- 1 1 IN IP4 0.0.0.0", "s=MediaBridge source", "t=0 0"]
        for (index, track) in tracks.enumerated() {
            let payloadType = 96 + index
            let kind = track.codec.isVideo ? "video" : "audio"
            lines.append("m=\(kind) 0 RTP/AVP \(payloadType)")
            switch track.codec {
            case .h264:
                lines.append("a=rtpmap:\(payloadType) H264/90000")
                var parameters = "packetization-mode=1"
                if let profile = track.profileLevelID { parameters += ";profile-level-id=\(profile)" }
                if !track.parameterSets.isEmpty {
                    parameters += ";sprop-parameter-sets=" + track.parameterSets.map { Base64.encode($0) }.joined(separator: ",")
                }
                lines.append("a=fmtp:\(payloadType) \(parameters)")
            case .h265:
                lines.append("a=rtpmap:\(payloadType) H265/90000")
            case .aac:
                lines.append("a=rtpmap:\(payloadType) MPEG4-GENERIC/\(track.clockRate)/\(track.channels)")
                let config = Hex.encode(track.audioSpecificConfig)
                lines.append("a=fmtp:\(payloadType) streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=\(config)")
            case .opus:
                lines.append("a=rtpmap:\(payloadType) opus/48000/2")
            case .pcmu, .pcma, .g722:
                lines.append("a=rtpmap:\(payloadType) \(track.codec.rawValue)/\(track.clockRate)\(track.channels > 1 ? "/\(track.channels)" : "")")
            }
            lines.append("a=control:track\(index)")
        }
        return try? SessionDescription(parsing: lines.joined(separator: "\r\n") + "\r\n")
    }
}
