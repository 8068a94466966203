/// Phone to browser and back: turns a phone's `RTP/AVP` (or SDES `RTP/SAVP`) description into a WebRTC one
/// and the other way round, for calls in either direction.
///
/// One translator lives as long as the call, so that mids, payload types, SSRCs and the ICE/DTLS
/// credentials stay the same across re-offers (hold and resume), and each new description carries the
/// next `o=` version.
public struct SIPMediaTranslator: Sendable {
    public var transport: WebRTCTransportParameters
    public var sipLeg: SIPLegParameters
    public let sessionID: UInt64
    private var webRTCVersion: UInt64 = 0
    var sipVersion: UInt64 = 0
    /// For each SIP section index, the WebRTC section it became (nil: not bridged).
    private var sipToWebRTC: [Int?] = []
    private var ssrcs: [UInt32] = []

    public init(transport: WebRTCTransportParameters, sipLeg: SIPLegParameters, sessionID: UInt64 = 1) {
        self.transport = transport
        self.sipLeg = sipLeg
        self.sessionID = sessionID
    }

    /// Phone audio codecs the gateway passes to browsers or encodes and decodes itself (libavcodec).
    static let bridgeableAudio: Set<CodecKind> = [.pcmu, .pcma, .g722, .opus, .g726]

    /// Payload type of the Opus the gateway adds when the phone offers none (the browser's usual 111).
    static let preferredOpusPayloadType: UInt8 = 111

    // MARK: Phone calls the browser

    /// The phone's offer (INVITE) as an offer for the browser. Sections the browser cannot take (T.38,
    /// BFCP, video without a browser codec) are left out; `sipAnswer` rejects them towards the phone.
    public mutating func webRTCOffer(fromSIPOffer sipOffer: SessionDescription) throws(SDPError) -> SessionDescription {
        var sections: [MediaDescription] = []
        var mapping: [Int?] = []
        // BUNDLE shares one payload type space across sections (RFC 8843 section 9.1); a phone's
        // separate sections need not, so a type that means another codec elsewhere is left out.
        let phonePayloadTypes = Set(sipOffer.media.flatMap { $0.codecs.map(\.payloadType) })
        var bundled: [UInt8: String] = [:]
        for (index, offered) in sipOffer.media.enumerated() {
            guard !offered.isRejected, offered.media == "audio" || offered.media == "video",
                  offered.proto.uppercased().hasPrefix("RTP/") else {
                mapping.append(nil); continue
            }
            let phoneCodecs = offered.codecs.map(\.withExplicitRTPMap)
            if offered.media == "audio", !phoneCodecs.contains(where: { Self.bridgeableAudio.contains($0.kind) }) {
                mapping.append(nil); continue
            }
            var codecs = phoneCodecs.filter(\.isBrowserPlayable)
            if offered.media == "audio" {
                codecs = Self.addingOpusAndDTMF(to: codecs, taken: phonePayloadTypes.union(bundled.keys))
            }
            codecs = codecs.filter { codec in
                let key = codec.displayName.lowercased()
                if let existing = bundled[codec.payloadType] { return existing == key }
                bundled[codec.payloadType] = key
                return true
            }
            guard codecs.contains(where: { !$0.kind.isAuxiliary }) else { mapping.append(nil); continue }
            // Video gets the feedback the gateway answers itself (NACK history, keyframe requests).
            codecs = codecs.map { codec in
                var codec = codec
                let pt = codec.payloadType
                codec.feedback = offered.media == "audio" || codec.kind.isAuxiliary ? [] : [
                    RTCPFeedback(payloadType: pt, type: "nack"), RTCPFeedback(payloadType: pt, type: "nack", parameter: "pli"),
                    RTCPFeedback(payloadType: pt, type: "ccm", parameter: "fir"),
                ]
                return codec
            }
            let webRTCIndex = sections.count
            let mid = String(webRTCIndex)
            sections.append(WebRTCSectionWriter.section(
                media: offered.media, mid: mid, direction: Self.effectiveDirection(of: offered, in: sipOffer),
                codecs: codecs, setup: .actpass, transport: transport, ssrc: ssrc(for: webRTCIndex),
                trackID: "\(offered.media)-\(mid)", reducedSizeRTCP: true))
            mapping.append(webRTCIndex)
        }
        guard !sections.isEmpty else {
            throw .unsupported("the phone offers no audio or video a browser can take (488 Not Acceptable Here)")
        }
        sipToWebRTC = mapping
        webRTCVersion += 1
        let bundle = sections.compactMap(\.mid)
        let header = WebRTCSectionWriter.sessionHeader(sessionID: sessionID, version: webRTCVersion, bundle: bundle, streamID: transport.streamID)
        return SessionDescription(sessionLines: header, media: sections)
    }

    /// The browser's answer as the SIP answer (200 OK) to the phone's offer, with the gateway's RTP address.
    public mutating func sipAnswer(fromWebRTCAnswer answer: SessionDescription, sipOffer: SessionDescription)
        throws(SDPError) -> (description: SessionDescription, tracks: [TrackPlan])
    {
        var sections: [MediaDescription] = []
        var plans: [TrackPlan] = []
        for (index, offered) in sipOffer.media.enumerated() {
            let webRTCIndex = index < sipToWebRTC.count ? sipToWebRTC[index] : nil
            guard let webRTCIndex, webRTCIndex < answer.media.count, !answer.media[webRTCIndex].isRejected else {
                sections.append(SIPSectionWriter.rejected(offered))
                plans.append(TrackPlan(media: offered.media, mid: nil, index: index, decision: .unsupported(reason: "not bridged to the browser")))
                continue
            }
            let browser = answer.media[webRTCIndex]
            let phoneCodecs = offered.codecs.map(\.withExplicitRTPMap)
            guard let chosen = browser.codecs.first(where: { !$0.kind.isAuxiliary }) else {
                throw .unsupported("the browser's answer has no codec in m-line \(webRTCIndex + 1)")
            }
            let decision: TrackDecision
            var answerCodecs: [CodecDescription]
            if let same = phoneCodecs.first(where: { $0.payloadType == chosen.payloadType && $0.kind == chosen.kind }) {
                decision = .passThrough(source: same, peer: chosen, note: nil)
                answerCodecs = [same]
            } else if let encodable = phoneCodecs.first(where: { Self.bridgeableAudio.contains($0.kind) }) {
                decision = .transcode(source: encodable, peer: chosen)
                answerCodecs = [encodable]
            } else {
                sections.append(SIPSectionWriter.rejected(offered))
                plans.append(TrackPlan(media: offered.media, mid: browser.mid, index: index,
                                       decision: .unsupported(reason: "no codec in common with the phone and none to transcode to")))
                continue
            }
            answerCodecs[0].feedback = offered.isAVPF ? answerCodecs[0].feedback : []
            if let dtmf = Self.telephoneEvent(in: phoneCodecs, clockRate: answerCodecs[0].clockRate) { answerCodecs.append(dtmf) }
            let crypto = try sdesAnswer(for: offered, index: index)
            let direction = answer.direction(of: browser)
            sections.append(SIPSectionWriter.section(.init(
                media: offered.media, port: sipLeg.port(at: index), proto: offered.proto, codecs: answerCodecs,
                direction: direction, rtcpMux: offered.rtcpMux, crypto: crypto, ptime: offered.ptime, feedback: offered.isAVPF)))
            plans.append(TrackPlan(media: offered.media, mid: browser.mid, index: index, decision: decision,
                                   ssrc: browser.ssrcAttributes.first?.ssrc))
        }
        sipVersion += 1
        let header = SIPSectionWriter.sessionHeader(sessionID: sessionID, version: sipVersion, address: sipLeg.address)
        return (SessionDescription(sessionLines: header, media: sections), plans)
    }

    // MARK: Browser calls the phone

    /// The browser's offer as a SIP offer (INVITE): plain RTP/AVP with the browser's audio and video codecs
    /// that phones know, payload types kept, rtpmaps explicit.
    public mutating func sipOffer(fromWebRTCOffer offer: SessionDescription) throws(SDPError) -> SessionDescription {
        try WebRTCSectionWriter.requireBundle(offer)
        var sections: [MediaDescription] = []
        var mapping: [Int?] = []
        for (index, offered) in offer.media.enumerated() {
            guard !offered.isRejected, offered.media == "audio" || offered.media == "video" else { continue }
            try WebRTCSectionWriter.validateBrowserSection(offered, in: offer, index: index)
            var codecs = offered.codecs.filter { codec in
                switch codec.kind {
                case .opus, .pcmu, .pcma, .g722, .vp8: true
                case .h264: (codec.parameters?["packetization-mode"] ?? "0") == "1"
                case .telephoneEvent: codec.clockRate == 8000
                default: false
                }
            }.map { codec -> CodecDescription in
                var codec = codec.withExplicitRTPMap
                codec.feedback = []
                // Browsers leave the event list out; phones read its absence as 0-15 (RFC 4733 section 2.4.1).
                if codec.kind == .telephoneEvent, codec.parameters == nil {
                    codec.parameters = FormatParameters(payloadType: codec.payloadType, parameters: [("0-16", nil)])
                }
                return codec
            }
            if offered.media == "audio" {
                codecs = Self.addingG711(to: codecs, taken: Set(offer.media.flatMap { $0.codecs.map(\.payloadType) }),
                                         events: offered.codecs.contains { $0.kind == .telephoneEvent })
            }
            if offered.media == "video" {
                // One H.264 entry is enough for phones; keep the first, and VP8.
                var sawH264 = false
                codecs = codecs.filter { codec in
                    guard codec.kind == .h264 else { return true }
                    defer { sawH264 = true }
                    return !sawH264
                }
            }
            guard codecs.contains(where: { !$0.kind.isAuxiliary }) else { continue }
            let sipIndex = sections.count
            mapping.append(index)
            sections.append(SIPSectionWriter.section(.init(
                media: offered.media, port: sipLeg.port(at: sipIndex), proto: "RTP/AVP", codecs: codecs,
                direction: offer.direction(of: offered), rtcpMux: false, crypto: nil,
                ptime: offered.media == "audio" ? 20 : nil, feedback: false)))
        }
        guard !sections.isEmpty else { throw .unsupported("the browser offers no audio or video a phone can take") }
        // Here the mapping runs from SIP index to the browser's section index.
        sipToWebRTC = mapping
        sipVersion += 1
        let header = SIPSectionWriter.sessionHeader(sessionID: sessionID, version: sipVersion, address: sipLeg.address)
        return SessionDescription(sessionLines: header, media: sections)
    }

    /// The phone's answer (200 OK) as the WebRTC answer to the browser's offer.
    public mutating func webRTCAnswer(fromSIPAnswer sipAnswer: SessionDescription, webRTCOffer offer: SessionDescription)
        throws(SDPError) -> (description: SessionDescription, tracks: [TrackPlan])
    {
        var sections: [MediaDescription] = []
        var plans: [TrackPlan] = []
        var bundle: [String] = []
        for (index, offered) in offer.media.enumerated() {
            let sipIndex = sipToWebRTC.firstIndex { $0 == index }
            guard let sipIndex, sipIndex < sipAnswer.media.count, !sipAnswer.media[sipIndex].isRejected else {
                sections.append(WebRTCSectionWriter.rejected(offered, mid: offered.mid))
                plans.append(TrackPlan(media: offered.media, mid: offered.mid, index: index, decision: .unsupported(reason: "the phone did not accept this section")))
                continue
            }
            let phone = sipAnswer.media[sipIndex]
            guard let phoneCodec = phone.codecs.map(\.withExplicitRTPMap).first(where: { !$0.kind.isAuxiliary }) else {
                throw .unsupported("the phone's answer has no codec in m-line \(sipIndex + 1)")
            }
            let browserCodecs = offered.codecs
            let decision: TrackDecision
            var codecs: [CodecDescription]
            // The phone may answer with its own number for a codec the browser offered (RFC 3264 lets it):
            // still a pass-through, the bridge rewrites the payload type.
            let sameCodec = browserCodecs.filter { $0.kind == phoneCodec.kind && $0.clockRate == phoneCodec.clockRate }
            if let same = sameCodec.first(where: { $0.payloadType == phoneCodec.payloadType }) ?? sameCodec.first {
                decision = .passThrough(source: phoneCodec, peer: same, note: nil)
                codecs = [same]
            } else if let opus = browserCodecs.first(where: { $0.kind == .opus }) {
                decision = .transcode(source: phoneCodec, peer: opus)
                codecs = [opus]
            } else {
                throw .unsupported("the phone answered \(phoneCodec.displayName), which the browser did not offer")
            }
            codecs[0].feedback = codecs[0].feedback.filter { WebRTCSectionWriter.supportedFeedback.contains(WebRTCSectionWriter.feedbackName($0)) }
            if phone.codecs.contains(where: { $0.kind == .telephoneEvent }),
               let dtmf = Self.telephoneEvent(in: browserCodecs, clockRate: codecs[0].clockRate) {
                codecs.append(dtmf)
            }
            let mid = offered.mid ?? String(index)
            let direction = sipAnswer.direction(of: phone)
            let ssrc = direction.sends ? ssrc(for: index) : nil
            sections.append(WebRTCSectionWriter.section(
                media: offered.media, mid: mid, direction: direction, codecs: codecs,
                setup: offer.setup(for: offered)?.answer ?? .passive, transport: transport, ssrc: ssrc,
                trackID: "\(offered.media)-\(mid)", reducedSizeRTCP: offered.rtcpReducedSize))
            plans.append(TrackPlan(media: offered.media, mid: mid, index: index, decision: decision, ssrc: ssrc))
            bundle.append(mid)
        }
        webRTCVersion += 1
        let header = WebRTCSectionWriter.sessionHeader(sessionID: sessionID, version: webRTCVersion, bundle: bundle, streamID: transport.streamID)
        return (SessionDescription(sessionLines: header, media: sections), plans)
    }

    // MARK: Helpers

    /// A stable SSRC per WebRTC section, drawn once per call.
    private mutating func ssrc(for index: Int) -> UInt32 {
        while ssrcs.count <= index {
            ssrcs.append(UInt32(truncatingIfNeeded: sessionID &* 0x9E37_79B9 &+ UInt64(ssrcs.count + 1) &* 0x85EB_CA6B) | 1)
        }
        return ssrcs[index]
    }

    /// The phone's direction, with RFC 2543 hold (`c=0.0.0.0`) read as "do not send to me".
    static func effectiveDirection(of media: MediaDescription, in description: SessionDescription) -> MediaDirection {
        let direction = description.direction(of: media)
        guard description.connection(for: media)?.isUnspecified == true else { return direction }
        return MediaDirection(sends: direction.sends, receives: false)
    }

    /// Adds Opus (for transcoding) when the phone has none, and telephone-event at 48 kHz to go with it.
    static func addingOpusAndDTMF(to codecs: [CodecDescription], taken: Set<UInt8>) -> [CodecDescription] {
        var result = codecs
        var used = taken.union(codecs.map(\.payloadType))
        func freePayloadType(preferring preferred: UInt8) -> UInt8 {
            let free = used.contains(preferred) ? freeDynamicPayloadType(avoiding: used) ?? preferred : preferred
            used.insert(free)
            return free
        }
        if !result.contains(where: { $0.kind == .opus }) {
            let pt = freePayloadType(preferring: preferredOpusPayloadType)
            let opus = CodecDescription(
                payloadType: pt, rtpMap: RTPMap(payloadType: pt, encodingName: "opus", clockRate: 48000, channels: 2),
                parameters: FormatParameters(payloadType: pt, parameters: [("minptime", "10"), ("useinbandfec", "1")]))
            let firstAuxiliary = result.firstIndex { $0.kind.isAuxiliary } ?? result.endIndex
            result.insert(opus, at: firstAuxiliary)
            if result.contains(where: { $0.kind == .telephoneEvent }), !result.contains(where: { $0.kind == .telephoneEvent && $0.clockRate == 48000 }) {
                result.append(telephoneEvent(payloadType: freePayloadType(preferring: 110), clockRate: 48000))
            }
        }
        return result
    }

    /// Adds G.711 µ-law and A-law (for transcoding) to a browser's Opus that lacks them, so that a phone
    /// speaking only G.711 can still answer, and telephone-event at 8 kHz to go with them when the browser
    /// sends `events` (at any clock: the bridge rescales).
    static func addingG711(to codecs: [CodecDescription], taken: Set<UInt8>, events: Bool) -> [CodecDescription] {
        guard codecs.contains(where: { $0.kind == .opus }) else { return codecs }
        var result = codecs
        let firstAuxiliary = result.firstIndex { $0.kind.isAuxiliary } ?? result.endIndex
        let missing: [(CodecKind, UInt8, String)] = [(.pcmu, 0, "PCMU"), (.pcma, 8, "PCMA")].filter { kind, pt, _ in
            !result.contains { $0.kind == kind } && !taken.contains(pt)
        }
        result.insert(contentsOf: missing.map { _, pt, name in
            CodecDescription(payloadType: pt, rtpMap: RTPMap(payloadType: pt, encodingName: name, clockRate: 8000))
        }, at: firstAuxiliary)
        if !missing.isEmpty, events,
           !result.contains(where: { $0.kind == .telephoneEvent && $0.clockRate == 8000 }),
           let pt = freeDynamicPayloadType(avoiding: taken.union(result.map(\.payloadType))) {
            result.append(telephoneEvent(payloadType: pt, clockRate: 8000))
        }
        return result
    }

    /// The first dynamic payload type (96-127) not in `used`.
    static func freeDynamicPayloadType(avoiding used: Set<UInt8>) -> UInt8? {
        (96...127).map(UInt8.init).first { !used.contains($0) }
    }

    /// A telephone-event entry the gateway adds, with every event (RFC 4733 section 2.4.1 lists 0-16).
    static func telephoneEvent(payloadType: UInt8, clockRate: Int) -> CodecDescription {
        CodecDescription(payloadType: payloadType, rtpMap: RTPMap(payloadType: payloadType, encodingName: "telephone-event", clockRate: clockRate),
                         parameters: FormatParameters(payloadType: payloadType, parameters: [("0-16", nil)]))
    }

    /// The telephone-event entry at a clock rate (DTMF rides at the clock of the audio it goes with).
    static func telephoneEvent(in codecs: [CodecDescription], clockRate: Int) -> CodecDescription? {
        codecs.first { $0.kind == .telephoneEvent && $0.clockRate == clockRate }
            ?? codecs.first { $0.kind == .telephoneEvent }
    }

    /// The gateway's `a=crypto` answer for an SDES offer: the first suite it speaks, same tag, its own key.
    private func sdesAnswer(for offered: MediaDescription, index: Int) throws(SDPError) -> CryptoAttribute? {
        guard offered.isSecure, !offered.isDTLS else { return nil }
        guard let offeredCrypto = offered.cryptos.first(where: { SIPSectionWriter.sdesSuites.contains($0.suite) }) else {
            throw .unsupported("m-line \(index + 1) is SRTP without an a=crypto suite MediaBridge speaks (\(SIPSectionWriter.sdesSuites.joined(separator: ", ")))")
        }
        guard let key = sipLeg.sdesKey else { throw .unsupported("m-line \(index + 1) needs an SDES key and none was given") }
        return CryptoAttribute(tag: offeredCrypto.tag, suite: offeredCrypto.suite, keyParameters: ["inline:\(key)"])
    }
}
