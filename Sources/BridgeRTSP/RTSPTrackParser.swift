import BridgeCore
import BridgeRTP
import BridgeSDP

/// The tracks of a DESCRIBE answer, or why there are none the gateway can play.
public enum RTSPTrackParser {
    /// Parses the SDP body; `base` is Content-Base, else Content-Location, else the DESCRIBE URL.
    /// Throws a reason a user can act on: "no supported video codec: MJPEG".
    public static func tracks(fromSDP body: [UInt8], base: String) throws(RTSPFailure) -> [RTSPTrack] {
        let description: SessionDescription
        do {
            description = try SessionDescription(parsing: body)
        } catch {
            throw RTSPFailure("the camera's SDP does not parse: \(error)", isTransient: false)
        }
        // A session-level absolute control is the base for the media controls.
        var base = base
        if let control = description.control, control.lowercased().hasPrefix("rtsp") {
            base = RTSPURL.resolve(control: control, base: base)
        }
        var tracks: [RTSPTrack] = []
        var unsupportedVideo: [String] = [], unsupportedAudio: [String] = []
        var hasSupportedVideo = false
        // Port 0 is the norm in RTSP descriptions (the port comes with SETUP), not a rejected section.
        for media in description.media {
            let kind = media.media.lowercased()
            guard kind == "video" || kind == "audio" else { continue }
            let controlURL = RTSPURL.resolve(control: media.control, base: base)
            var names: [String] = []
            var chosen: RTSPTrack?
            for codec in media.codecs {
                names.append(codec.rtpMap.map { $0.encodingName.uppercased() == "JPEG" ? "MJPEG" : $0.encodingName }
                             ?? "PT \(codec.payloadType)")
                if let track = track(from: codec, controlURL: controlURL) {
                    chosen = track
                    break
                }
            }
            names += media.invalidRTPMaps.map { "rtpmap \"\($0)\" (clock rate or channels out of range)" }
            if let chosen, chosen.info.codec.isVideo == (kind == "video") {
                if kind == "video" {
                    // One video track: the first the gateway can take.
                    guard !hasSupportedVideo else { continue }
                    hasSupportedVideo = true
                } else if tracks.contains(where: { !$0.info.codec.isVideo }) {
                    continue  // one audio track, likewise (back-channel sections are sendonly from us)
                }
                tracks.append(chosen)
            } else if kind == "video" {
                unsupportedVideo += names
            } else {
                unsupportedAudio += names
            }
        }
        if !hasSupportedVideo && !unsupportedVideo.isEmpty {
            throw RTSPFailure("no supported video codec: \(unsupportedVideo.joined(separator: ", "))", isTransient: false)
        }
        guard !tracks.isEmpty else {
            let names = unsupportedAudio.isEmpty ? "the SDP has no audio or video" : unsupportedAudio.joined(separator: ", ")
            throw RTSPFailure("no supported codec: \(names)", isTransient: false)
        }
        return tracks
    }

    static func track(from codec: CodecDescription, controlURL: String) -> RTSPTrack? {
        guard let map = codec.rtpMap, map.clockRate > 0 else { return nil }
        let parameters = codec.parameters
        switch codec.kind {
        case .h264:
            if let mode = parameters?["packetization-mode"], mode.trimmingCharacters(in: " ") == "2" { return nil }
            let sets = (parameters?["sprop-parameter-sets"] ?? "").split(separator: ",").compactMap { Base64.decode($0) }
            let profile = parameters?["profile-level-id"].flatMap { $0.count == 6 ? $0.lowercased() : nil }
            let sps = sets.lazy.compactMap(H264SequenceParameterSet.init(nal:)).first
            return RTSPTrack(info: MediaTrackInfo(codec: .h264, clockRate: map.clockRate,
                                                  parameterSets: sets.filter { !$0.isEmpty }, profileLevelID: profile,
                                                  width: sps?.width, height: sps?.height),
                             payloadType: codec.payloadType, controlURL: controlURL)
        case .h265:
            let sets = ["sprop-vps", "sprop-sps", "sprop-pps"].flatMap { key in
                (parameters?[key] ?? "").split(separator: ",").compactMap { Base64.decode($0) }
            }
            return RTSPTrack(info: MediaTrackInfo(codec: .h265, clockRate: map.clockRate, parameterSets: sets.filter { !$0.isEmpty }),
                             payloadType: codec.payloadType, controlURL: controlURL)
        case .aac:
            if map.encodingName.uppercased() == "MP4A-LATM" { return latmTrack(codec, map: map, controlURL: controlURL) }
            let mode = parameters?["mode"]?.lowercased() ?? "aac-hbr"
            guard mode == "aac-hbr" || mode == "aac-lbr" else { return nil }
            let defaults = mode == "aac-hbr" ? (13, 3, 3) : (6, 2, 2)
            func number(_ key: String, _ fallback: Int) -> Int {
                parameters?[key].flatMap { Int($0.trimmingCharacters(in: " ")) } ?? fallback
            }
            let layout = (number("sizelength", defaults.0), number("indexlength", defaults.1),
                          number("indexdeltalength", defaults.2))
            guard (1...32).contains(layout.0), (0...32).contains(layout.1), (0...32).contains(layout.2) else { return nil }
            let config = parameters?["config"].flatMap { Hex.decode($0.trimmingCharacters(in: " ")) } ?? []
            return RTSPTrack(info: MediaTrackInfo(codec: .aac, clockRate: map.clockRate, channels: map.channels ?? 1,
                                                  audioSpecificConfig: config),
                             payloadType: codec.payloadType, controlURL: controlURL, aacHeaderLayout: layout)
        case .pcmu, .pcma, .g722, .opus:
            let mediaCodec: MediaCodec = switch codec.kind {
            case .pcmu: .pcmu
            case .pcma: .pcma
            case .g722: .g722
            default: .opus
            }
            return RTSPTrack(info: MediaTrackInfo(codec: mediaCodec, clockRate: map.clockRate, channels: map.channels ?? 1),
                             payloadType: codec.payloadType, controlURL: controlURL)
        default:
            return nil
        }
    }

    /// MP4A-LATM with the StreamMuxConfig out of band (`cpresent=0`); in-band configuration is not taken.
    static func latmTrack(_ codec: CodecDescription, map: RTPMap, controlURL: String) -> RTSPTrack? {
        let parameters = codec.parameters
        guard parameters?["cpresent"]?.trimmingCharacters(in: " ") == "0",
              let config = parameters?["config"].flatMap({ Hex.decode($0.trimmingCharacters(in: " ")) }),
              let (audioSpecificConfig, subFrames) = LATMDepacketizer.parseStreamMuxConfig(config)
        else { return nil }
        var track = RTSPTrack(info: MediaTrackInfo(codec: .aac, clockRate: map.clockRate, channels: map.channels ?? 1,
                                                   audioSpecificConfig: audioSpecificConfig),
                              payloadType: codec.payloadType, controlURL: controlURL)
        track.latmSubFrames = subFrames
        return track
    }
}
