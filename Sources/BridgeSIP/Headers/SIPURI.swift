import BridgeCore

/// A `sip:` or `sips:` URI (RFC 3261 section 19.1):
///
/// ```
/// sip:user:password@host:port;uri-parameters?headers
///     \______ userinfo ___/\__ hostport _/
/// ```
///
/// The user part keeps its `%` escapes as written. A password is accepted when parsing (RFC 3261 allows
/// it, RFC 3261 section 19.1.1 says not to use it) but held as `Redacted` and never written: `description`
/// leaves it out, so it cannot reach the wire or a log through this type.
public struct SIPURI: Sendable, Hashable, CustomStringConvertible {
    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    /// `sips:` rather than `sip:`.
    public var isSecure: Bool
    public var user: String?
    public var password: Redacted?
    /// A host name, IPv4 address or IPv6 address (without brackets).
    public var host: String
    public var port: UInt16?
    public var parameters: SIPParameters
    public var headers: [Header]

    public init(isSecure: Bool = false, user: String? = nil, host: String, port: UInt16? = nil,
                parameters: SIPParameters = SIPParameters(), headers: [Header] = []) {
        self.isSecure = isSecure
        self.user = user
        self.host = host
        self.port = port
        self.parameters = parameters
        self.headers = headers
    }

    public var isIPv6: Bool { host.contains(":") }

    /// `host` or `[host]` for IPv6, then `:port` when there is one.
    public var hostPort: String {
        (isIPv6 ? "[\(host)]" : host) + (port.map { ":\($0)" } ?? "")
    }

    /// The `transport` parameter, lowercased.
    public var transport: String? { parameters["transport"]?.lowercased() }

    /// Loose routing (`;lr`, RFC 3261 section 16.12.1.1).
    public var isLooseRouter: Bool { parameters.contains("lr") }

    /// The URI as written on the wire, without any password.
    public var description: String {
        var text = isSecure ? "sips:" : "sip:"
        if let user { text += user + "@" }
        text += hostPort + parameters.text
        if !headers.isEmpty { text += "?" + headers.map { "\($0.name)=\($0.value)" }.joined(separator: "&") }
        return text
    }

    public init(parsing text: String, limits: SIPLimits = .default) throws(SIPError) {
        guard text.utf8.count <= limits.maximumLineLength else { throw .limit("URI", "longer than \(limits.maximumLineLength) bytes") }
        guard text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("URI", "whitespace, control or non-ASCII character")
        }
        var rest = Substring(text)
        if rest.lowercased().hasPrefix("sips:") {
            isSecure = true
            rest = rest.dropFirst(5)
        } else if rest.lowercased().hasPrefix("sip:") {
            isSecure = false
            rest = rest.dropFirst(4)
        } else {
            throw .unsupported("URI", "scheme is not sip or sips")
        }
        if let at = rest.firstIndex(of: "@") {
            let userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
            let userPart: Substring
            if let colon = userInfo.firstIndex(of: ":") {
                userPart = userInfo[..<colon]
                password = Redacted(String(userInfo[userInfo.index(after: colon)...]))
            } else {
                userPart = userInfo
                password = nil
            }
            guard !userPart.isEmpty else { throw .malformed("URI", "empty user before @") }
            try Self.checkEscapes(userPart, element: "URI user")
            user = String(userPart)
        } else {
            user = nil
            password = nil
        }
        var headerText: Substring = ""
        if let question = rest.firstIndex(of: "?") {
            headerText = rest[rest.index(after: question)...]
            rest = rest[..<question]
            guard !headerText.isEmpty else { throw .malformed("URI headers", "empty after ?") }
        }
        var parameterText: Substring = ""
        if let semicolon = rest.firstIndex(of: ";") {
            parameterText = rest[rest.index(after: semicolon)...]
            rest = rest[..<semicolon]
            guard !parameterText.isEmpty else { throw .malformed("URI", "empty parameter") }
        }
        (host, port) = try Self.parseHostPort(rest, element: "URI")
        try Self.checkEscapes(parameterText, element: "URI parameters")
        parameters = try SIPParameters.parse(parameterText, element: "URI", allowWhitespace: false, limits: limits)
        headers = []
        if !headerText.isEmpty {
            for piece in headerText.split(separator: "&", omittingEmptySubsequences: false) {
                guard let equals = piece.firstIndex(of: "="), equals != piece.startIndex else {
                    throw .malformed("URI headers", "'\(piece.prefix(32))' is not name=value")
                }
                try Self.checkEscapes(piece, element: "URI headers")
                headers.append(Header(name: String(piece[..<equals]), value: String(piece[piece.index(after: equals)...])))
                guard headers.count <= limits.maximumParameterCount else { throw .limit("URI headers", "too many") }
            }
        }
    }

    /// `host [":" port]` with `host` a name, IPv4 or `[IPv6]` (RFC 3261 section 25.1 `hostport`).
    static func parseHostPort(_ text: Substring, element: String) throws(SIPError) -> (String, UInt16?) {
        var host: Substring
        var portText: Substring?
        if text.first == "[" {
            guard let close = text.firstIndex(of: "]") else { throw .malformed(element, "IPv6 address without ]") }
            host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if !after.isEmpty {
                guard after.first == ":" else { throw .malformed(element, "text after the IPv6 address") }
                portText = after.dropFirst()
            }
            guard TransportAddress(String(host), port: 0)?.family == .ipv6 else {
                throw .malformed(element, "'\(host.prefix(48))' is not an IPv6 address")
            }
        } else {
            if let colon = text.firstIndex(of: ":") {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            } else {
                host = text
            }
            guard !host.isEmpty, host.utf8.allSatisfy({ isHostCharacter($0) }),
                  host.first != "-", host.first != "." || host.count == 1 else {
                throw .malformed(element, "'\(host.prefix(48))' is not a host")
            }
        }
        guard let portText else { return (String(host), nil) }
        guard !portText.isEmpty, portText.utf8.count <= 5, portText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let port = UInt16(portText) else {
            throw .malformed(element, "port '\(portText.prefix(16))' is not 0 to 65535")
        }
        return (String(host), port)
    }

    static func isHostCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."):
            return true
        default:
            return false
        }
    }

    /// Every `%` starts two hex digits (RFC 3261 section 25.1 `escaped`).
    static func checkEscapes(_ text: Substring, element: String) throws(SIPError) {
        var utf8 = text.utf8.makeIterator()
        while let byte = utf8.next() {
            guard byte == UInt8(ascii: "%") else { continue }
            guard let high = utf8.next(), let low = utf8.next(), high.isHexDigit, low.isHexDigit else {
                throw .malformed(element, "% not followed by two hex digits")
            }
        }
    }
}

extension UInt8 {
    var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
