/// `a=ssrc:<ssrc> <attribute>[:<value>]` (RFC 5576 section 4.1).
public struct SSRCAttribute: Sendable, Hashable {
    public var ssrc: UInt32
    public var attribute: String
    public var value: String?

    public init(ssrc: UInt32, attribute: String, value: String? = nil) {
        self.ssrc = ssrc
        self.attribute = attribute
        self.value = value
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, let ssrc = UInt32(parts[0]) else { return nil }
        let attribute = SDPAttribute(line: String(parts[1]))
        self.init(ssrc: ssrc, attribute: attribute.name, value: attribute.value)
    }

    public var attributeValue: String { "\(ssrc) \(attribute)" + (value.map { ":\($0)" } ?? "") }
}

/// `a=ssrc-group:<semantics> <ssrc> …` (RFC 5576 section 4.2), e.g. `FID` for RTX.
public struct SSRCGroup: Sendable, Hashable {
    public var semantics: String
    public var ssrcs: [UInt32]

    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        let ssrcs = parts.dropFirst().compactMap { UInt32($0) }
        guard ssrcs.count == parts.count - 1 else { return nil }
        self.init(semantics: String(parts[0]), ssrcs: ssrcs)
    }

    public var attributeValue: String { ([semantics] + ssrcs.map(String.init)).joined(separator: " ") }
}

/// `a=group:<semantics> <mid> …` (RFC 5888), `BUNDLE` among them (RFC 9143).
public struct MediaGroup: Sendable, Hashable {
    public var semantics: String
    public var mids: [String]

    public init(semantics: String, mids: [String]) {
        self.semantics = semantics
        self.mids = mids
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first else { return nil }
        self.init(semantics: String(first), mids: parts.dropFirst().map(String.init))
    }

    public var attributeValue: String { ([semantics] + mids).joined(separator: " ") }
}

/// `a=msid:<stream id> [<track id>]` (RFC 8830).
public struct MediaStreamID: Sendable, Hashable {
    public var stream: String
    public var track: String?

    public init(stream: String, track: String? = nil) {
        self.stream = stream
        self.track = track
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", omittingEmptySubsequences: true)
        guard let first = parts.first, parts.count <= 2 else { return nil }
        self.init(stream: String(first), track: parts.count == 2 ? String(parts[1]) : nil)
    }

    public var attributeValue: String { stream + (track.map { " \($0)" } ?? "") }
}

/// `c=<nettype> <addrtype> <address>[/<ttl>…]` (RFC 8866 section 5.7).
public struct ConnectionData: Sendable, Hashable {
    public var networkType: String
    /// `IP4` or `IP6`.
    public var addressType: String
    public var address: String

    public init(addressType: String = "IP4", address: String) {
        networkType = "IN"
        self.addressType = addressType
        self.address = address
    }

    public init?(value: String) {
        let parts = value.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 3 else { return nil }
        networkType = String(parts[0])
        addressType = String(parts[1])
        address = String(parts[2].split(separator: "/").first ?? parts[2])
    }

    /// For an address the gateway writes: IP6 when it has a colon.
    public init(address: String) {
        self.init(addressType: address.contains(":") ? "IP6" : "IP4", address: address)
    }

    public var value: String { "\(networkType) \(addressType) \(address)" }

    /// `0.0.0.0` (or `::`): RFC 2543-style hold, "do not send to me".
    public var isUnspecified: Bool { address == "0.0.0.0" || address == "::" }
}

/// `b=<type>:<kilobits or bits>` (RFC 8866 section 5.8; `TIAS` from RFC 3890).
public struct Bandwidth: Sendable, Hashable {
    public var type: String
    public var value: Int

    public init(type: String, value: Int) {
        self.type = type
        self.value = value
    }

    public init?(value text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let value = Int(parts[1].trimmingSpaces), value >= 0 else { return nil }
        self.init(type: String(parts[0]), value: value)
    }

    public var lineValue: String { "\(type):\(value)" }
}
