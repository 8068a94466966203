/// Typed reads of the attributes the gateway uses. Malformed attribute values are skipped, never trapped on.
extension MediaDescription {
    public var rtpMaps: [RTPMap] { attributeValues("rtpmap").compactMap(RTPMap.init(attributeValue:)) }
    /// The `a=rtpmap` values that do not parse (or name a clock rate or channel count out of range).
    public var invalidRTPMaps: [String] { attributeValues("rtpmap").filter { RTPMap(attributeValue: $0) == nil } }
    public var formatParameters: [FormatParameters] { attributeValues("fmtp").compactMap(FormatParameters.init(attributeValue:)) }
    public var rtcpFeedback: [RTCPFeedback] { attributeValues("rtcp-fb").compactMap(RTCPFeedback.init(attributeValue:)) }
    public var extMaps: [ExtMap] { attributeValues("extmap").compactMap(ExtMap.init(attributeValue:)) }
    public var candidates: [ICECandidate] { attributeValues("candidate").compactMap(ICECandidate.init(attributeValue:)) }
    public var ssrcAttributes: [SSRCAttribute] { attributeValues("ssrc").compactMap(SSRCAttribute.init(attributeValue:)) }
    public var ssrcGroups: [SSRCGroup] { attributeValues("ssrc-group").compactMap(SSRCGroup.init(attributeValue:)) }
    public var cryptos: [CryptoAttribute] { attributeValues("crypto").compactMap(CryptoAttribute.init(attributeValue:)) }
    public var mid: String? { attribute("mid") }
    public var msid: MediaStreamID? { attribute("msid").flatMap(MediaStreamID.init(attributeValue:)) }
    public var setup: DTLSSetup? { attribute("setup").flatMap { DTLSSetup(rawValue: $0.trimmingSpaces.lowercased()) } }
    public var fingerprint: Fingerprint? { attribute("fingerprint").flatMap(Fingerprint.init(attributeValue:)) }
    public var iceUfrag: String? { attribute("ice-ufrag") }
    public var icePwd: String? { attribute("ice-pwd") }
    public var iceOptions: [String] { attribute("ice-options").map { $0.split(separator: " ").map(String.init) } ?? [] }
    public var endOfCandidates: Bool { hasAttribute("end-of-candidates") }
    public var rtcpMux: Bool { hasAttribute("rtcp-mux") }
    public var rtcpReducedSize: Bool { hasAttribute("rtcp-rsize") }
    /// RTSP `a=control:` URL or path (RFC 2326 appendix C.1.1).
    public var control: String? { attribute("control") }
    public var ptime: Int? { attribute("ptime").flatMap { Int($0.trimmingSpaces) } }
    public var maxptime: Int? { attribute("maxptime").flatMap { Int($0.trimmingSpaces) } }
    public var connection: ConnectionData? { value(of: "c").flatMap(ConnectionData.init(value:)) }
    public var bandwidths: [Bandwidth] { values(of: "b").compactMap(Bandwidth.init(value:)) }

    /// `a=rtcp:<port> [IN IP4 <address>]` (RFC 3605).
    public var rtcpAttribute: (port: Int, connection: ConnectionData?)? {
        guard let value = attribute("rtcp") else { return nil }
        let parts = value.split(separator: " ", maxSplits: 1)
        guard let first = parts.first, let port = Int(first), (0...65535).contains(port) else { return nil }
        return (port, parts.count == 2 ? ConnectionData(value: String(parts[1])) : nil)
    }

    /// The section's own direction attribute, if it has one.
    public var directionAttribute: MediaDirection? {
        for attribute in attributes {
            if let direction = MediaDirection(rawValue: attribute.name) { return direction }
        }
        return nil
    }

    /// Whether the transport is SRTP with DTLS keys (`UDP/TLS/RTP/SAVPF`, `TCP/DTLS/RTP/SAVPF`, …).
    public var isDTLS: Bool { proto.uppercased().contains("TLS/RTP") }
    /// Whether the profile takes RTCP feedback (AVPF, SAVPF).
    public var isAVPF: Bool { proto.uppercased().hasSuffix("AVPF") }
    /// Whether the profile is SRTP (SAVP, SAVPF).
    public var isSecure: Bool { proto.uppercased().contains("SAVP") }

    /// Every RTP format of the section with its rtpmap (written or static), fmtp and feedback.
    public var codecs: [CodecDescription] {
        let maps = rtpMaps, parameters = formatParameters, feedback = rtcpFeedback
        // A format whose rtpmap is there but invalid is left out, not read as its static payload type.
        let invalid = Set(invalidRTPMaps.compactMap { $0.split(separator: " ").first.flatMap(PayloadTypes.parse) })
        return formats.compactMap { format in
            guard let payloadType = PayloadTypes.parse(Substring(format)), !invalid.contains(payloadType) else { return nil }
            let map = maps.first { $0.payloadType == payloadType } ?? RTPMap.staticPayloadType(payloadType)
            return CodecDescription(
                payloadType: payloadType, rtpMap: map,
                parameters: parameters.first { $0.payloadType == payloadType },
                feedback: feedback.filter { $0.payloadType == payloadType || $0.payloadType == nil })
        }
    }
}

extension SessionDescription {
    public var bundleGroups: [MediaGroup] {
        attributes.filter { $0.name == "group" }.compactMap { $0.value.flatMap(MediaGroup.init(attributeValue:)) }
            .filter { $0.semantics == "BUNDLE" }
    }

    public var isICELite: Bool { hasAttribute("ice-lite") }
    public var connection: ConnectionData? { value(of: "c").flatMap(ConnectionData.init(value:)) }
    /// RTSP session-level `a=control:` (often `*`).
    public var control: String? { attribute("control") }

    /// The media section's value, falling back to the session level (fingerprint, ICE credentials, setup,
    /// direction and `c=` may sit at either level).
    public func fingerprint(for media: MediaDescription) -> Fingerprint? {
        media.fingerprint ?? attribute("fingerprint").flatMap(Fingerprint.init(attributeValue:))
    }

    public func iceCredentials(for media: MediaDescription) -> (ufrag: String, pwd: String)? {
        guard let ufrag = media.iceUfrag ?? attribute("ice-ufrag"), let pwd = media.icePwd ?? attribute("ice-pwd") else { return nil }
        return (ufrag, pwd)
    }

    public func setup(for media: MediaDescription) -> DTLSSetup? {
        media.setup ?? attribute("setup").flatMap { DTLSSetup(rawValue: $0.trimmingSpaces.lowercased()) }
    }

    /// The media's direction: its own attribute, else the session's, else sendrecv (RFC 8866 section 6.7).
    public func direction(of media: MediaDescription) -> MediaDirection {
        if let own = media.directionAttribute { return own }
        for attribute in attributes {
            if let direction = MediaDirection(rawValue: attribute.name) { return direction }
        }
        return .sendrecv
    }

    public func connection(for media: MediaDescription) -> ConnectionData? {
        media.connection ?? connection
    }
}
