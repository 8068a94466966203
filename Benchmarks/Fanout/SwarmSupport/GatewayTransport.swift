import BridgeCore
import BridgeSDP

/// What a swarm client needs from the gateway's SDP (a WHEP answer, or a call page's offer): its ICE
/// credentials, DTLS fingerprint, and the UDP host candidate to send to, for the first accepted section of
/// one media type.
public struct GatewayTransport: Sendable {
    public var iceUfrag: String
    public var icePwd: String
    public var fingerprint: String
    public var server: TransportAddress
    /// The section the transport was read from (for building an answer to it).
    public var mid: String?

    /// `setups`: the DTLS roles the gateway may take there. The swarm is always the DTLS client: it offers
    /// actpass to WHEP (the gateway answers passive), and answers active to a call offer (actpass).
    public init(parsing text: String, media kind: String = "video", setups: Set<DTLSSetup> = [.passive]) throws {
        let description: SessionDescription
        do {
            description = try SessionDescription(parsing: text)
        } catch {
            throw SwarmError("gateway SDP does not parse: \(error)")
        }
        guard let media = description.media.first(where: { $0.media == kind && !$0.isRejected }) else {
            throw SwarmError("gateway SDP has no accepted \(kind) section")
        }
        guard let credentials = description.iceCredentials(for: media) else { throw SwarmError("gateway SDP has no ICE credentials") }
        guard let fingerprint = description.fingerprint(for: media), fingerprint.hashFunction == "sha-256" else {
            throw SwarmError("gateway SDP has no sha-256 fingerprint")
        }
        guard let setup = description.setup(for: media), setups.contains(setup) else {
            throw SwarmError("gateway SDP setup is \(String(describing: description.setup(for: media))), expected one of \(setups)")
        }
        let udp = media.candidates.filter { $0.transport == "udp" && $0.type == .host }
        // Loopback first: the swarm runs on the gateway's machine.
        guard let candidate = udp.first(where: { $0.address == "127.0.0.1" }) ?? udp.first(where: { !$0.address.contains(":") }),
              let port = UInt16(exactly: candidate.port),
              let address = TransportAddress(candidate.address, port: port) else {
            throw SwarmError("gateway SDP has no usable IPv4 UDP host candidate")
        }
        iceUfrag = credentials.ufrag
        icePwd = credentials.pwd
        self.fingerprint = fingerprint.value
        server = address
        mid = media.mid
    }
}
