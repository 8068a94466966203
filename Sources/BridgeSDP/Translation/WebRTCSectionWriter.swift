/// Writes the media sections the gateway puts in descriptions for browsers (answers to WHEP offers,
/// offers and answers on the call page): always BUNDLE, rtcp-mux, ICE-lite, DTLS-SRTP.
enum WebRTCSectionWriter {
    static let proto = "UDP/TLS/RTP/SAVPF"
    /// RTCP feedback the gateway answers: NACK from its history, PLI/FIR from the GOP cache.
    static let supportedFeedback: Set<String> = ["nack", "nack pli", "ccm fir"]

    static func sessionHeader(sessionID: UInt64, version: UInt64, bundle: [String], streamID: String) -> [SDPLine] {
        var lines = [
            SDPLine("v", "0"),
            SDPLine("o", "- \(sessionID) \(version) IN IP4 127.0.0.1"),
            SDPLine("s", "MediaBridge"),
            SDPLine("t", "0 0"),
        ]
        if !bundle.isEmpty { lines.append(.attribute("group", "BUNDLE " + bundle.joined(separator: " "))) }
        lines.append(.attribute("ice-lite"))
        lines.append(.attribute("msid-semantic", " WMS \(streamID)"))
        return lines
    }

    /// A section the gateway takes part in.
    static func section(
        media: String, mid: String, direction: MediaDirection, codecs: [CodecDescription], setup: DTLSSetup,
        transport: WebRTCTransportParameters, ssrc: UInt32?, trackID: String, reducedSizeRTCP: Bool
    ) -> MediaDescription {
        let udpPort = transport.candidates.first { $0.transport == "udp" }?.port ?? 9
        var section = MediaDescription(media: media, port: udpPort, proto: proto, formats: codecs.map { String($0.payloadType) })
        let address = transport.candidates.first?.address ?? "0.0.0.0"
        section.append(SDPLine("c", ConnectionData(address: address.hasSuffix(".local") ? "0.0.0.0" : address).value))
        section.appendAttribute("mid", mid)
        section.appendAttribute("ice-ufrag", transport.iceUfrag)
        section.appendAttribute("ice-pwd", transport.icePwd)
        section.appendAttribute("fingerprint", transport.fingerprint.attributeValue)
        section.appendAttribute("setup", setup.rawValue)
        section.appendAttribute(direction.rawValue)
        section.appendAttribute("rtcp-mux")
        if reducedSizeRTCP { section.appendAttribute("rtcp-rsize") }
        for codec in codecs {
            if let map = codec.rtpMap { section.appendAttribute("rtpmap", map.attributeValue) }
            if let parameters = codec.parameters, !parameters.parameters.isEmpty {
                section.appendAttribute("fmtp", parameters.attributeValue)
            }
            for feedback in codec.feedback where supportedFeedback.contains(feedbackName(feedback)) {
                var written = feedback
                written.payloadType = codec.payloadType
                section.appendAttribute("rtcp-fb", written.attributeValue)
            }
        }
        if let ssrc, direction.sends {
            section.appendAttribute("msid", "\(transport.streamID) \(trackID)")
            section.appendAttribute("ssrc", "\(ssrc) cname:\(transport.cname)")
            section.appendAttribute("ssrc", "\(ssrc) msid:\(transport.streamID) \(trackID)")
        }
        for candidate in transport.candidates {
            section.appendAttribute("candidate", candidate.attributeValue)
        }
        section.appendAttribute("end-of-candidates")
        return section
    }

    /// A rejected section (port 0, RFC 3264 section 6), keeping its mid so the browser can match it.
    static func rejected(_ offered: MediaDescription, mid: String?) -> MediaDescription {
        var section = MediaDescription(media: offered.media, port: 0, proto: offered.proto, formats: Array(offered.formats.prefix(1)))
        if section.formats.isEmpty { section.formats = ["0"]; section.updateMLine() }
        section.append(SDPLine("c", "IN IP4 0.0.0.0"))
        if let mid { section.appendAttribute("mid", mid) }
        section.appendAttribute(MediaDirection.inactive.rawValue)
        return section
    }

    static func feedbackName(_ feedback: RTCPFeedback) -> String {
        feedback.parameter.map { "\(feedback.type) \($0)" } ?? feedback.type
    }

    /// Checks what every WebRTC section needs from the browser: DTLS profile, fingerprint, ICE credentials.
    static func validateBrowserSection(_ section: MediaDescription, in description: SessionDescription, index: Int) throws(SDPError) {
        guard section.isDTLS else {
            throw .unsupported("m-line \(index + 1) (\(section.media)) uses \(section.proto); WebRTC needs UDP/TLS/RTP/SAVPF")
        }
        guard description.fingerprint(for: section) != nil else {
            throw .unsupported("m-line \(index + 1) (\(section.media)) has no DTLS fingerprint")
        }
        guard description.iceCredentials(for: section) != nil else {
            throw .unsupported("m-line \(index + 1) (\(section.media)) has no ice-ufrag/ice-pwd")
        }
    }

    /// The mids of a browser offer's BUNDLE group; an offer with several live sections must bundle them.
    static func requireBundle(_ offer: SessionDescription) throws(SDPError) {
        let live = offer.media.filter { !$0.isRejected }
        guard live.count > 1 else { return }
        guard let group = offer.bundleGroups.first, live.allSatisfy({ $0.mid.map(group.mids.contains) ?? false }) else {
            throw .unsupported("the offer does not BUNDLE its media; MediaBridge carries all tracks on one transport (use max-bundle)")
        }
    }
}
