/// Decides, per track, how a source codec reaches a peer: pass through under one of the peer's payload
/// types, transcode to a codec the peer takes, or not at all (and why).
public enum TrackDecision: Sendable, Hashable, CustomStringConvertible {
    /// The source's payload goes out unchanged under the peer's payload type.
    case passThrough(source: CodecDescription, peer: CodecDescription, note: String?)
    /// The gateway decodes the source codec and encodes the peer's.
    case transcode(source: CodecDescription, peer: CodecDescription)
    case unsupported(reason: String)

    /// The peer codec the track is sent as, when there is one.
    public var peerCodec: CodecDescription? {
        switch self {
        case .passThrough(_, let peer, _), .transcode(_, let peer): peer
        case .unsupported: nil
        }
    }

    public var description: String {
        switch self {
        case .passThrough(let source, let peer, let note):
            "pass through \(source.displayName) as PT \(peer.payloadType)" + (note.map { " (\($0))" } ?? "")
        case .transcode(let source, let peer):
            "transcode \(source.displayName) to \(peer.displayName) PT \(peer.payloadType)"
        case .unsupported(let reason):
            "unsupported: \(reason)"
        }
    }
}

public enum CodecMatcher {
    /// Audio codecs the gateway can decode (libavcodec) and so transcode to Opus.
    static func isTranscodableAudio(_ codec: CodecDescription) -> Bool {
        switch codec.kind {
        case .aac, .g726, .g729, .l16, .pcmu, .pcma, .g722, .opus: true
        default: false
        }
    }

    /// Whether two descriptions of the same codec kind are compatible for passing payloads through.
    /// Returns nil when compatible, or a note when the match is loose but known to play, or a reason
    /// when not compatible.
    public static func compatibility(source: CodecDescription, peer: CodecDescription) -> Compatibility {
        guard source.kind == peer.kind else { return .incompatible("different codecs") }
        switch source.kind {
        case .h264:
            return h264Compatibility(source: source, peer: peer)
        case .h265:
            let sourceProfile = source.parameters?["profile-id"] ?? "1", peerProfile = peer.parameters?["profile-id"] ?? "1"
            let sourceTier = source.parameters?["tier-flag"] ?? "0", peerTier = peer.parameters?["tier-flag"] ?? "0"
            guard sourceProfile == peerProfile else { return .incompatible("H.265 profile \(sourceProfile) vs \(peerProfile)") }
            guard sourceTier == peerTier else { return .incompatible("H.265 tier \(sourceTier) vs \(peerTier)") }
            // RFC 7798 section 7.1: level-id (default 93, level 3.1) is the highest level the peer decodes;
            // decoders take more in practice, so a higher source level is a note.
            let sourceLevel = Int(source.parameters?["level-id"] ?? "93") ?? 93, peerLevel = Int(peer.parameters?["level-id"] ?? "93") ?? 93
            if sourceLevel > peerLevel {
                return .loose("source level-id \(sourceLevel) is above the \(peerLevel) the peer offered", rank: 1)
            }
            return .compatible
        case .opus:
            return peer.clockRate == 48000 ? .compatible : .incompatible("Opus must run at 48000 Hz")
        case .pcmu, .pcma, .g722, .telephoneEvent, .comfortNoise, .g729, .l16:
            guard source.clockRate == peer.clockRate else {
                return .incompatible("\(source.kind.name) at \(source.clockRate) Hz vs \(peer.clockRate) Hz")
            }
            guard source.channels == peer.channels else { return .incompatible("channel count differs") }
            return .compatible
        case .vp8, .av1:
            return .compatible
        case .vp9:
            return (source.parameters?["profile-id"] ?? "0") == (peer.parameters?["profile-id"] ?? "0")
                ? .compatible : .incompatible("VP9 profile differs")
        default:
            return source.clockRate == peer.clockRate ? .compatible : .incompatible("clock rate differs")
        }
    }

    public enum Compatibility: Sendable, Hashable {
        case compatible
        /// Not an exact match, but decoders take it; the note says why. Lower `rank` is the closer match
        /// (a level above the peer's is closer than another profile).
        case loose(String, rank: Int)
        case incompatible(String)
    }

    private static func h264Compatibility(source: CodecDescription, peer: CodecDescription) -> Compatibility {
        let peerMode = peer.parameters?["packetization-mode"] ?? "0"
        let sourceID = H264ProfileLevelID.of(source.parameters)
        let peerID = peer.parameters?["profile-level-id"].flatMap { H264ProfileLevelID($0) } ?? .default
        // The gateway repacketizes for the browser (FU-A), so it always sends packetization-mode 1:
        // only the peer's mode matters, and mode 0 cannot carry frames larger than the MTU.
        guard peerMode == "1" else { return .incompatible("packetization-mode \(peerMode)") }
        if sourceID.hasSameProfile(as: peerID) {
            // RFC 6184 section 8.1: the offered level is the highest the peer takes (in either direction when it
            // allows level asymmetry, for both when not). Browsers decode above it, so this is a note, not a refusal.
            if sourceID.levelValue > peerID.levelValue {
                return .loose("source level \(sourceID.levelName) is above the \(peerID.levelName) the peer offered", rank: 1)
            }
            return .compatible
        }
        // Browsers decode every 8-bit 4:2:0 profile through one decoder, whatever the offer lists;
        // what breaks them is B-frames (reported by the source), not the profile name.
        let decodable: Set<H264ProfileLevelID.Profile> = [.constrainedBaseline, .baseline, .main, .high, .constrainedHigh]
        if let sourceProfile = sourceID.profile, decodable.contains(sourceProfile),
           let peerProfile = peerID.profile, decodable.contains(peerProfile) {
            return .loose("source is \(sourceProfile.rawValue), peer offered \(peerProfile.rawValue)", rank: 2)
        }
        return .incompatible("H.264 profile \(sourceID) vs \(peerID)")
    }

    /// The decision for one source track given the codecs the peer offered for the same kind of media.
    /// Source codecs are tried in the source's order; for each, the peer's payload types in the peer's order.
    public static func decide(source: [CodecDescription], peer: [CodecDescription], audioHandling: AudioPolicy = .auto)
        -> TrackDecision
    {
        let primaries = source.filter { !$0.kind.isAuxiliary }
        guard !primaries.isEmpty else { return .unsupported(reason: "the source track has no codec") }
        if audioHandling != .transcodeToOpus {
            var loose: (decision: TrackDecision, rank: Int)?
            for codec in primaries {
                for offered in peer where offered.kind == codec.kind {
                    switch compatibility(source: codec, peer: offered) {
                    case .compatible:
                        return .passThrough(source: codec, peer: offered, note: nil)
                    case .loose(let note, let rank) where rank < (loose?.rank ?? Int.max):
                        loose = (.passThrough(source: codec, peer: offered, note: note), rank)
                    case .loose, .incompatible:
                        continue
                    }
                }
            }
            if let loose { return loose.decision }
        }
        if audioHandling != .passThroughOnly, let codec = primaries.first(where: isTranscodableAudio),
           let opus = peer.first(where: { $0.kind == .opus && $0.clockRate == 48000 }) {
            return .transcode(source: codec, peer: opus)
        }
        let names = primaries.map(\.kind.name).joined(separator: ", ")
        let offered = Set(peer.filter { !$0.kind.isAuxiliary }.map(\.kind.name)).sorted().joined(separator: ", ")
        if primaries.contains(where: { $0.kind == .h265 }), !peer.contains(where: { $0.kind == .h265 }) {
            return .unsupported(reason: "the source sends H.265 and the peer did not offer it (most browsers decode H.265 only with hardware support)")
        }
        if primaries.contains(where: { $0.kind == .mjpeg }) {
            return .unsupported(reason: "no supported video codec: MJPEG (browsers take H.264, VP8, VP9, AV1)")
        }
        return .unsupported(reason: "no common codec: the source sends \(names), the peer takes \(offered.isEmpty ? "nothing" : offered)")
    }

    /// How a route treats audio (config `codecs.audio`).
    public enum AudioPolicy: Sendable, Hashable {
        /// Pass through when the peer takes the codec, transcode to Opus otherwise.
        case auto
        /// Always transcode to Opus.
        case transcodeToOpus
        /// Never transcode.
        case passThroughOnly
    }
}
