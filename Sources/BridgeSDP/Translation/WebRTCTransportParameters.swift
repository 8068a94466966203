/// The gateway's side of a WebRTC transport, as it goes into every description it writes to a browser:
/// ICE-lite credentials, the DTLS certificate fingerprint and the host candidates.
public struct WebRTCTransportParameters: Sendable, Hashable {
    public var iceUfrag: String
    public var icePwd: String
    public var fingerprint: Fingerprint
    /// Host candidates, UDP first; all share one port per transport.
    public var candidates: [ICECandidate]
    /// RTCP CNAME and media stream id of what the gateway sends.
    public var cname: String
    public var streamID: String

    public init(iceUfrag: String, icePwd: String, fingerprint: Fingerprint, candidates: [ICECandidate], cname: String,
                streamID: String) {
        self.iceUfrag = iceUfrag
        self.icePwd = icePwd
        self.fingerprint = fingerprint
        self.candidates = candidates
        self.cname = cname
        self.streamID = streamID
    }

    /// Host candidates for each address: UDP on `udpPort`, and passive ICE-TCP on `tcpPort` unless it is 0.
    /// Priorities follow RFC 8445 section 5.1.2 (UDP above TCP, earlier addresses above later ones).
    public static func hostCandidates(addresses: [String], udpPort: Int, tcpPort: Int) -> [ICECandidate] {
        var candidates: [ICECandidate] = []
        for (index, address) in addresses.enumerated() {
            let localPreference = UInt32(max(0, 65535 - index))
            candidates.append(ICECandidate(
                foundation: "\(index + 1)", component: 1, transport: "udp",
                priority: ICECandidate.priority(typePreference: 126, localPreference: localPreference, component: 1),
                address: address, port: udpPort, type: .host))
            if tcpPort != 0 {
                candidates.append(ICECandidate(
                    foundation: "\(index + 1)", component: 1, transport: "tcp",
                    priority: ICECandidate.priority(typePreference: 90, localPreference: localPreference, component: 1),
                    address: address, port: tcpPort, type: .host, tcpType: "passive"))
            }
        }
        return candidates
    }

    /// Values for printing descriptions without a running gateway (`mediabridge sdp …`).
    public static func placeholder(addresses: [String] = ["127.0.0.1"], udpPort: Int = 8189, tcpPort: Int = 8189) -> Self {
        WebRTCTransportParameters(
            iceUfrag: "PLACEHOLDERufrag", icePwd: "PLACEHOLDERpasswordPLACEHOLDER",
            fingerprint: Fingerprint(hashFunction: "sha-256", value: Array(repeating: "00", count: 32).joined(separator: ":")),
            candidates: hostCandidates(addresses: addresses, udpPort: udpPort, tcpPort: tcpPort),
            cname: "mediabridge", streamID: "mediabridge")
    }
}

/// The gateway's side of a plain RTP leg towards a phone: where it receives, and its SDES key if any.
public struct SIPLegParameters: Sendable, Hashable {
    /// The address phones send RTP to (`c=`).
    public var address: String
    /// The RTP port for each media section, in order; RTCP is the next port unless muxed.
    public var ports: [Int]
    /// Base64 key and salt for `a=crypto` when the phone wants SDES-SRTP (30 bytes for AES-CM-128).
    public var sdesKey: String?

    public init(address: String, ports: [Int], sdesKey: String? = nil) {
        self.address = address
        self.ports = ports
        self.sdesKey = sdesKey
    }

    func port(at index: Int) -> Int {
        index < ports.count ? ports[index] : (ports.last.map { $0 + 2 * (index - ports.count + 1) } ?? 0)
    }
}

/// What happened to one media section: where it came from, where it goes, and the codec decision.
public struct TrackPlan: Sendable, Hashable, CustomStringConvertible {
    public var media: String
    /// The `mid` on the WebRTC side (nil when the section never reached the browser).
    public var mid: String?
    /// Index of the section in the description that was answered or translated.
    public var index: Int
    public var decision: TrackDecision
    /// The SSRC the gateway sends with towards the browser, when it sends.
    public var ssrc: UInt32?

    public var description: String {
        "\(media) (mid \(mid ?? "-")): \(decision)"
    }
}
