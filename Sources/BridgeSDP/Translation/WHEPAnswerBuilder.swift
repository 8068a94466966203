/// Camera (or file) to browser: answers a browser's WHEP offer with the tracks a source has.
///
/// The source's description comes from RTSP DESCRIBE or a file; the offer from the browser. The answer is
/// ICE-lite, DTLS passive (so the gateway's SRTP profile preference wins), BUNDLE over the offer's mids,
/// rtcp-mux, and carries only payload types the browser offered.
public struct WHEPAnswerBuilder: Sendable {
    public struct Options: Sendable {
        public var audio: CodecMatcher.AudioPolicy = .auto
        public var videoEnabled = true
        public var audioEnabled = true
        public var sessionID: UInt64 = 1
        /// Whether the gateway also takes media from the browser (answers sendrecv); WHEP viewers only receive.
        public var receivesMedia = false
        /// SSRCs for the gateway's outgoing tracks, in answer order (one per accepted section).
        public var ssrcs: [UInt32] = [0x4D42_0001, 0x4D42_0002, 0x4D42_0003, 0x4D42_0004]

        public init() {}
    }

    public struct Answer: Sendable {
        public var description: SessionDescription
        /// One plan per offered section, in offer order.
        public var tracks: [TrackPlan]
    }

    public var transport: WebRTCTransportParameters
    public var options: Options

    public init(transport: WebRTCTransportParameters, options: Options = Options()) {
        self.transport = transport
        self.options = options
    }

    public func answer(source: SessionDescription, offer: SessionDescription) throws(SDPError) -> Answer {
        try WebRTCSectionWriter.requireBundle(offer)
        var usedSourceTracks: Set<Int> = []
        var sections: [MediaDescription] = []
        var plans: [TrackPlan] = []
        var bundle: [String] = []
        var ssrcs = options.ssrcs[...]

        for (index, offered) in offer.media.enumerated() {
            let mid = offered.mid ?? String(index)
            func reject(_ reason: String) {
                sections.append(WebRTCSectionWriter.rejected(offered, mid: offered.mid))
                plans.append(TrackPlan(media: offered.media, mid: offered.mid, index: index, decision: .unsupported(reason: reason)))
            }
            guard !offered.isRejected else { reject("the offer disabled this section"); continue }
            guard offered.media == "video" || offered.media == "audio" else {
                reject("MediaBridge sends only audio and video here"); continue
            }
            try WebRTCSectionWriter.validateBrowserSection(offered, in: offer, index: index)
            guard offered.rtcpMux else { throw .unsupported("m-line \(index + 1) (\(offered.media)) lacks rtcp-mux") }
            let direction = offer.direction(of: offered).answer(canSend: true, canReceive: options.receivesMedia)
            guard direction.sends else { reject("the browser does not want to receive this section"); continue }
            let enabled = offered.media == "video" ? options.videoEnabled : options.audioEnabled
            guard enabled else { reject("the route's config turns \(offered.media) off"); continue }
            guard let sourceIndex = source.media.indices.first(where: {
                !usedSourceTracks.contains($0) && source.media[$0].media == offered.media
            }) else {
                reject("the source has no \(offered.media) track"); continue
            }
            usedSourceTracks.insert(sourceIndex)
            let decision = CodecMatcher.decide(
                source: source.media[sourceIndex].codecs, peer: offered.codecs,
                audioHandling: offered.media == "audio" ? options.audio : .auto)
            guard var peerCodec = decision.peerCodec else {
                sections.append(WebRTCSectionWriter.rejected(offered, mid: offered.mid))
                plans.append(TrackPlan(media: offered.media, mid: offered.mid, index: index, decision: decision))
                continue
            }
            // H.264 with level asymmetry (RFC 6184 section 8.1): the answer states the level the gateway sends,
            // the source's, on the profile the browser offered.
            if peerCodec.kind == .h264, peerCodec.parameters?["level-asymmetry-allowed"] == "1",
               case .passThrough(let sourceCodec, _, _) = decision {
                let sourceID = H264ProfileLevelID.of(sourceCodec.parameters)
                if let text = peerCodec.parameters?["profile-level-id"], var peerID = H264ProfileLevelID(text), sourceID.hasSameProfile(as: peerID),
                   sourceID.levelIDC != peerID.levelIDC {
                    peerID.levelIDC = sourceID.levelIDC
                    peerCodec.parameters?.set("profile-level-id", to: peerID.hex)
                }
            }
            // Only the feedback the gateway answers, and nothing that needs an RTX or FEC stream.
            peerCodec.feedback = peerCodec.feedback.filter { WebRTCSectionWriter.supportedFeedback.contains(WebRTCSectionWriter.feedbackName($0)) }
            let ssrc = ssrcs.popFirst() ?? UInt32(0x4D42_0000 + index)
            sections.append(WebRTCSectionWriter.section(
                media: offered.media, mid: mid, direction: direction, codecs: [peerCodec],
                setup: offer.setup(for: offered)?.answer ?? .passive, transport: transport, ssrc: ssrc,
                trackID: "\(offered.media)-\(mid)", reducedSizeRTCP: offered.rtcpReducedSize))
            plans.append(TrackPlan(media: offered.media, mid: mid, index: index, decision: decision, ssrc: ssrc))
            bundle.append(mid)
        }
        guard !bundle.isEmpty else {
            let reasons = plans.compactMap { plan -> String? in
                if case .unsupported(let reason) = plan.decision { return "\(plan.media): \(reason)" }
                return nil
            }
            throw .unsupported("nothing to send: " + (reasons.isEmpty ? "the offer has no media" : reasons.joined(separator: "; ")))
        }
        let header = WebRTCSectionWriter.sessionHeader(sessionID: options.sessionID, version: 1, bundle: bundle, streamID: transport.streamID)
        return Answer(description: SessionDescription(sessionLines: header, media: sections), tracks: plans)
    }
}
