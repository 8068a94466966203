/// `a=candidate:<foundation> <component> <transport> <priority> <address> <port> typ <type> …`
/// (RFC 8839 section 5.1; `tcptype` from RFC 6544).
public struct ICECandidate: Sendable, Hashable {
    public enum CandidateType: String, Sendable, Hashable {
        case host, srflx, prflx, relay
    }

    public var foundation: String
    public var component: Int
    /// `udp` or `tcp`, lower-cased.
    public var transport: String
    public var priority: UInt32
    /// An IP address or an mDNS `.local` name.
    public var address: String
    public var port: Int
    public var type: CandidateType
    public var relatedAddress: String?
    public var relatedPort: Int?
    /// `active`, `passive` or `so` for TCP candidates.
    public var tcpType: String?
    /// Other `name value` pairs after the known ones (`generation 0`, `network-id 1`, `ufrag …`).
    public var extensions: [(name: String, value: String)]

    public init(foundation: String, component: Int, transport: String, priority: UInt32, address: String,
                port: Int, type: CandidateType, relatedAddress: String? = nil, relatedPort: Int? = nil,
                tcpType: String? = nil, extensions: [(name: String, value: String)] = []) {
        self.foundation = foundation
        self.component = component
        self.transport = transport
        self.priority = priority
        self.address = address
        self.port = port
        self.type = type
        self.relatedAddress = relatedAddress
        self.relatedPort = relatedPort
        self.tcpType = tcpType
        self.extensions = extensions
    }

    /// Parses the attribute value (with or without a leading `candidate:`).
    public init?(attributeValue: String) {
        var text = Substring(attributeValue)
        if text.hasPrefix("candidate:") { text = text.dropFirst("candidate:".count) }
        let fields = text.split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count >= 8, fields[6] == "typ",
              let component = Int(fields[1]), (1...256).contains(component),
              let priority = UInt32(fields[3]),
              let port = Int(fields[5]), (0...65535).contains(port),
              let type = CandidateType(rawValue: String(fields[7])) else { return nil }
        self.init(foundation: String(fields[0]), component: component, transport: fields[2].lowercased(),
                  priority: priority, address: String(fields[4]), port: port, type: type)
        var index = 8
        while index + 1 < fields.count {
            let name = String(fields[index]), value = String(fields[index + 1])
            switch name {
            case "raddr": relatedAddress = value
            case "rport": relatedPort = Int(value)
            case "tcptype": tcpType = value
            default: extensions.append((name, value))
            }
            index += 2
        }
    }

    public var attributeValue: String {
        var text = "\(foundation) \(component) \(transport) \(priority) \(address) \(port) typ \(type.rawValue)"
        if let relatedAddress { text += " raddr \(relatedAddress)" }
        if let relatedPort { text += " rport \(relatedPort)" }
        if let tcpType { text += " tcptype \(tcpType)" }
        for (name, value) in extensions { text += " \(name) \(value)" }
        return text
    }

    /// RFC 8445 section 5.1.2.1 priority: type preference, local preference, component.
    public static func priority(typePreference: UInt32, localPreference: UInt32, component: Int) -> UInt32 {
        (typePreference << 24) + (localPreference << 8) + UInt32(256 - min(max(component, 1), 256))
    }

    public static func == (lhs: ICECandidate, rhs: ICECandidate) -> Bool {
        lhs.attributeValue == rhs.attributeValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(attributeValue)
    }
}
