import BridgeCore
import BridgeSDP

/// What a viewer needs from the gateway's WHEP answer: its ICE credentials, DTLS fingerprint and role, and
/// the UDP host candidate to send to.
struct WHEPAnswer: Sendable {
    var iceUfrag: String
    var icePwd: String
    var fingerprint: String
    var server: TransportAddress

    init(parsing text: String) throws {
        let answer: SessionDescription
        do {
            answer = try SessionDescription(parsing: text)
        } catch {
            throw FanoutError("answer does not parse: \(error)")
        }
        guard let media = answer.media.first(where: { $0.media == "video" && !$0.isRejected }) else {
            throw FanoutError("answer has no accepted video section")
        }
        guard let credentials = answer.iceCredentials(for: media) else { throw FanoutError("answer has no ICE credentials") }
        guard let fingerprint = answer.fingerprint(for: media), fingerprint.hashFunction == "sha-256" else {
            throw FanoutError("answer has no sha-256 fingerprint")
        }
        // The swarm offered actpass and acts as DTLS client, so the gateway must answer passive.
        guard answer.setup(for: media) == .passive else {
            throw FanoutError("answer setup is \(String(describing: answer.setup(for: media))), expected passive")
        }
        let udp = media.candidates.filter { $0.transport == "udp" && $0.type == .host }
        // Loopback first: the swarm runs on the gateway's machine.
        guard let candidate = udp.first(where: { $0.address == "127.0.0.1" }) ?? udp.first(where: { !$0.address.contains(":") }),
              let port = UInt16(exactly: candidate.port),
              let address = TransportAddress(candidate.address, port: port) else {
            throw FanoutError("answer has no usable IPv4 UDP host candidate")
        }
        iceUfrag = credentials.ufrag
        icePwd = credentials.pwd
        self.fingerprint = fingerprint.value
        server = address
    }
}
