import BridgeCore

/// One Via element (RFC 3261 section 20.42, RFC 3581 for `rport`):
///
/// ```
/// SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds;received=203.0.113.7;rport=40312
/// \_ protocol/ \_ sent-by __/ \______________________ parameters ____________________/
/// ```
public struct SIPVia: Sendable, Hashable, CustomStringConvertible {
    /// RFC 3581: `rport` asks the server to answer to the source port; the server fills in the value.
    public enum RPort: Sendable, Hashable {
        case requested
        case value(UInt16)
    }

    /// The branch prefix that says "RFC 3261 transaction ids" (section 8.1.1.7).
    public static let magicCookie = "z9hG4bK"

    /// Uppercased: UDP, TCP, TLS, SCTP, WS, WSS.
    public var transport: String
    public var host: String
    public var port: UInt16?
    public var parameters: SIPParameters

    public init(transport: String, host: String, port: UInt16? = nil, branch: String? = nil, rport: RPort? = nil) {
        self.transport = transport.uppercased()
        self.host = host
        self.port = port
        parameters = SIPParameters()
        if let branch { parameters.set("branch", branch) }
        self.rport = rport
    }

    public var branch: String? { parameters["branch"] }

    /// True when the branch starts with the RFC 3261 magic cookie.
    public var hasRFC3261Branch: Bool { branch?.hasPrefix(Self.magicCookie) == true }

    /// The address the request really came from (section 18.2.1).
    public var received: String? {
        get { parameters["received"] }
        set {
            if let newValue { parameters.set("received", newValue) } else { parameters.remove("received") }
        }
    }

    public var rport: RPort? {
        get {
            guard parameters.contains("rport") else { return nil }
            guard let text = parameters["rport"] else { return .requested }
            return UInt16(text).map(RPort.value) ?? .requested
        }
        set {
            switch newValue {
            case nil: parameters.remove("rport")
            case .requested: parameters.set("rport", nil)
            case .value(let port): parameters.set("rport", String(port))
            }
        }
    }

    /// `host` or `[host]`, then `:port` when there is one.
    public var sentBy: String {
        (host.contains(":") ? "[\(host)]" : host) + (port.map { ":\($0)" } ?? "")
    }

    public var isReliableTransport: Bool { transport != "UDP" }

    public var description: String { "SIP/2.0/\(transport) \(sentBy)\(parameters.text)" }

    /// Where responses go (RFC 3261 section 18.2.2 with RFC 3581 section 4): the `received` address (or the
    /// sent-by host when it is an IP literal), to the `rport` value, else the sent-by port, else 5060 (5061
    /// for TLS). nil when the host is a name with no `received` (it would need DNS).
    public var responseAddress: TransportAddress? {
        let defaultPort: UInt16 = transport == "TLS" || transport == "WSS" ? 5061 : 5060
        var port = self.port ?? defaultPort
        if case .value(let value) = rport { port = value }
        return TransportAddress(received ?? host, port: port)
    }

    public init(parsing text: String, limits: SIPLimits = .default) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        let semicolon = value.firstIndex(of: ";") ?? value.endIndex
        let head = value[..<semicolon]
        let slashes = head.split(separator: "/", maxSplits: 2, omittingEmptySubsequences: false)
        guard slashes.count == 3 else { throw .malformed("Via", "expected SIP/2.0/transport") }
        guard SIPGrammar.trimmed(slashes[0]).uppercased() == "SIP", SIPGrammar.trimmed(slashes[1]) == "2.0" else {
            throw .unsupported("Via", "protocol is not SIP/2.0")
        }
        let last = SIPGrammar.trimmed(slashes[2])
        guard let space = last.firstIndex(where: SIPGrammar.isWhitespace) else {
            throw .malformed("Via", "missing sent-by")
        }
        let transportText = last[..<space]
        guard SIPGrammar.isToken(transportText) else { throw .malformed("Via", "transport is not a token") }
        transport = transportText.uppercased()
        let sentBy = SIPGrammar.trimmed(last[space...])
        (host, port) = try SIPURI.parseHostPort(sentBy, element: "Via")
        if semicolon < value.endIndex {
            parameters = try SIPParameters.parse(value[value.index(after: semicolon)...], element: "Via",
                                                 allowWhitespace: true, limits: limits)
        } else {
            parameters = SIPParameters()
        }
        if let text = parameters["rport"], UInt16(text) == nil { throw .malformed("Via", "rport '\(text.prefix(16))' is not a port") }
        if parameters.contains("branch"), branch == nil { throw .malformed("Via", "branch without a value") }
    }
}
