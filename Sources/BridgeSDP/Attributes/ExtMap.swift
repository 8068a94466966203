/// `a=extmap:<id>[/<direction>] <uri> [<attributes>]` (RFC 8285 section 7).
public struct ExtMap: Sendable, Hashable {
    public var id: Int
    public var direction: MediaDirection?
    public var uri: String
    public var extensionAttributes: String?

    public init(id: Int, direction: MediaDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    public init?(attributeValue: String) {
        let parts = attributeValue.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true)
        guard parts.count >= 2 else { return nil }
        let idParts = parts[0].split(separator: "/", maxSplits: 1)
        guard let first = idParts.first, let id = Int(first), (1...255).contains(id), id != 15 else { return nil }
        self.id = id
        if idParts.count == 2 {
            guard let direction = MediaDirection(rawValue: String(idParts[1])) else { return nil }
            self.direction = direction
        }
        uri = String(parts[1])
        extensionAttributes = parts.count == 3 ? String(parts[2]) : nil
    }

    public var attributeValue: String {
        "\(id)" + (direction.map { "/\($0.rawValue)" } ?? "") + " \(uri)" + (extensionAttributes.map { " \($0)" } ?? "")
    }
}

/// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive` (RFC 8866 section 6.7).
public enum MediaDirection: String, Sendable, Hashable, CaseIterable {
    case sendrecv, sendonly, recvonly, inactive

    /// The direction seen from the other end: what one side sends, the other receives.
    public var reversed: MediaDirection {
        switch self {
        case .sendonly: .recvonly
        case .recvonly: .sendonly
        case .sendrecv, .inactive: self
        }
    }

    public var sends: Bool { self == .sendrecv || self == .sendonly }
    public var receives: Bool { self == .sendrecv || self == .recvonly }

    public init(sends: Bool, receives: Bool) {
        switch (sends, receives) {
        case (true, true): self = .sendrecv
        case (true, false): self = .sendonly
        case (false, true): self = .recvonly
        case (false, false): self = .inactive
        }
    }

    /// The answer's direction for an offer's, given what the answerer can do (RFC 3264 section 6.1).
    public func answer(canSend: Bool, canReceive: Bool) -> MediaDirection {
        MediaDirection(sends: receives && canSend, receives: sends && canReceive)
    }
}
