/// The `Transport` header of SETUP (RFC 2326 section 12.39): what the client asks for and what the camera
/// grants (the interleaved channels or server ports it actually uses).
///
/// `RTP/AVP/TCP;unicast;interleaved=0-1` or `RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971`
public struct RTSPTransportHeader: Sendable, Hashable {
    public var isTCP: Bool
    public var interleaved: (rtp: UInt8, rtcp: UInt8)?
    public var clientPorts: (rtp: Int, rtcp: Int)?
    public var serverPorts: (rtp: Int, rtcp: Int)?
    /// The camera's SSRC for the track, when it says.
    public var ssrc: UInt32?
    /// The address media comes from, when it says (`source=`).
    public var source: String?

    public init(isTCP: Bool, interleaved: (rtp: UInt8, rtcp: UInt8)? = nil, clientPorts: (rtp: Int, rtcp: Int)? = nil) {
        self.isTCP = isTCP
        self.interleaved = interleaved
        self.clientPorts = clientPorts
    }

    public var headerValue: String {
        var parts = [isTCP ? "RTP/AVP/TCP" : "RTP/AVP", "unicast"]
        if let interleaved { parts.append("interleaved=\(interleaved.rtp)-\(interleaved.rtcp)") }
        if let clientPorts { parts.append("client_port=\(clientPorts.rtp)-\(clientPorts.rtcp)") }
        return parts.joined(separator: ";")
    }

    /// Reads a camera's answer; unknown parameters are ignored, malformed numbers leave the field nil.
    public init(parsing text: String) {
        let first = text.split(separator: ",").first ?? ""
        let parts = first.split(separator: ";").map { $0.trimmingCharacters(in: " \t") }
        isTCP = parts.first?.uppercased().hasSuffix("/TCP") ?? false
        for part in parts.dropFirst() {
            let pair = part.split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            let key = pair[0].lowercased(), value = pair[1]
            switch key {
            case "interleaved":
                if let range = Self.range(value), let rtp = UInt8(exactly: range.0), let rtcp = UInt8(exactly: range.1) {
                    interleaved = (rtp, rtcp)
                }
            case "client_port": clientPorts = Self.range(value)
            case "server_port": serverPorts = Self.range(value)
            case "ssrc": ssrc = UInt32(value.trimmingCharacters(in: " "), radix: 16)
            case "source": source = value
            default: continue
            }
        }
    }

    /// `5000-5001` or `5000` (the next one implied).
    static func range(_ text: String) -> (rtp: Int, rtcp: Int)? {
        let numbers = text.split(separator: "-").map { Int($0.trimmingCharacters(in: " ")) }
        guard let first = numbers.first ?? nil, (0...65535).contains(first) else { return nil }
        if numbers.count == 2, let second = numbers[1], (0...65535).contains(second) { return (first, second) }
        return numbers.count == 1 ? (first, min(first + 1, 65535)) : nil
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.isTCP == rhs.isTCP && lhs.interleaved?.rtp == rhs.interleaved?.rtp && lhs.interleaved?.rtcp == rhs.interleaved?.rtcp
            && lhs.clientPorts?.rtp == rhs.clientPorts?.rtp && lhs.clientPorts?.rtcp == rhs.clientPorts?.rtcp
            && lhs.serverPorts?.rtp == rhs.serverPorts?.rtp && lhs.serverPorts?.rtcp == rhs.serverPorts?.rtcp
            && lhs.ssrc == rhs.ssrc && lhs.source == rhs.source
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(headerValue)
        hasher.combine(ssrc)
    }
}
