/// An IP address and port as a value, for protocol cores that must not import NIO: where a datagram came
/// from, what a STUN XOR-MAPPED-ADDRESS says. IPv4 keeps 4 bytes, IPv6 16.
public struct TransportAddress: Sendable, Hashable, CustomStringConvertible {
    public enum Family: Sendable, Hashable {
        case ipv4, ipv6
    }

    /// Network byte order; 4 or 16 bytes.
    public let addressBytes: [UInt8]
    public let port: UInt16

    public var family: Family { addressBytes.count == 4 ? .ipv4 : .ipv6 }

    /// nil unless `bytes` has 4 or 16 bytes.
    public init?(addressBytes bytes: [UInt8], port: UInt16) {
        guard bytes.count == 4 || bytes.count == 16 else { return nil }
        addressBytes = bytes
        self.port = port
    }

    public init(ipv4 a: UInt8, _ b: UInt8, _ c: UInt8, _ d: UInt8, port: UInt16) {
        addressBytes = [a, b, c, d]
        self.port = port
    }

    /// Parses dotted IPv4 (`192.0.2.1`) or IPv6 (`2001:db8::1`, `::1`, `::ffff:192.0.2.1`).
    public init?(_ text: String, port: UInt16) {
        if let v4 = Self.parseIPv4(Substring(text)) {
            addressBytes = v4
        } else if let v6 = Self.parseIPv6(text) {
            addressBytes = v6
        } else {
            return nil
        }
        self.port = port
    }

    public var ipString: String {
        switch family {
        case .ipv4:
            return addressBytes.map(String.init).joined(separator: ".")
        case .ipv6:
            let groups = stride(from: 0, to: 16, by: 2).map { UInt16(addressBytes[$0]) << 8 | UInt16(addressBytes[$0 + 1]) }
            // Longest run of zero groups (length 2 or more) becomes "::" (RFC 5952 section 4.2).
            var best: (start: Int, length: Int) = (-1, 0)
            var index = 0
            while index < 8 {
                guard groups[index] == 0 else { index += 1; continue }
                let start = index
                while index < 8 && groups[index] == 0 { index += 1 }
                if index - start > best.length { best = (start, index - start) }
            }
            let hex = groups.map { String($0, radix: 16) }
            guard best.length >= 2 else { return hex.joined(separator: ":") }
            let head = hex[..<best.start].joined(separator: ":")
            let tail = hex[(best.start + best.length)...].joined(separator: ":")
            return head + "::" + tail
        }
    }

    public var description: String {
        family == .ipv4 ? "\(ipString):\(port)" : "[\(ipString)]:\(port)"
    }

    private static func parseIPv4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCII), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var groups: [UInt16] = []
        var trailingIPv4: [UInt8] = []
        func parseGroups(_ part: Substring) -> [UInt16]? {
            guard !part.isEmpty else { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                guard !group.isEmpty, group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        var body = Substring(text)
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard let v4 = parseIPv4(body[body.index(after: lastColon)...]) else { return nil }
            trailingIPv4 = v4
            body = body[...lastColon]
            if body.hasSuffix(":") && !body.hasSuffix("::") { body = body.dropLast() }
        }
        let halves = body.split(separator: "::", omittingEmptySubsequences: false)
        let extra = trailingIPv4.isEmpty ? 0 : 2
        if halves.count == 1 {
            guard let all = parseGroups(Substring(halves[0])), all.count + extra == 8 else { return nil }
            groups = all
        } else if halves.count == 2 {
            guard let head = parseGroups(Substring(halves[0])), let tail = parseGroups(Substring(halves[1])),
                  head.count + tail.count + extra < 8 else { return nil }
            groups = head + Array(repeating: 0, count: 8 - extra - head.count - tail.count) + tail
        } else {
            return nil
        }
        return groups.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } + trailingIPv4
    }
}
