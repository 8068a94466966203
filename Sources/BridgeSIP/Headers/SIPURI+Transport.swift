import BridgeCore

extension SIPURI {
    /// The transport a request to this URI takes (RFC 3263 section 4.1, without NAPTR and SRV): TLS for
    /// `sips:` or `;transport=tls`, TCP for `;transport=tcp`, else UDP.
    public var requestTransport: SIPTransport {
        if isSecure { return .tls }
        switch transport {
        case "tls": return .tls
        case "tcp": return .tcp
        default: return .udp
        }
    }

    /// The port, else the default of `requestTransport`: 5061 for TLS, 5060 otherwise (RFC 3261 section 19.1.2).
    public var portOrDefault: UInt16 {
        port ?? (requestTransport == .tls ? 5061 : 5060)
    }

    /// This URI (our own Contact) as written for messages on `transport` (RFC 3261 section 19.1.4 and 26.2):
    /// unchanged on UDP; `;transport=tcp` on TCP; on TLS the TLS listener's `tlsPort`, as `sips:` when
    /// `secure` (the dialog's Request-URI was `sips:`, section 8.1.1.8) and `;transport=tls` otherwise.
    public func onTransport(_ transport: SIPTransport, tlsPort: UInt16?, secure: Bool = false) -> SIPURI {
        var uri = self
        switch transport {
        case .udp:
            return uri
        case .tls:
            uri.port = tlsPort ?? port
            if secure {
                uri.isSecure = true
                uri.parameters.remove("transport")
                return uri
            }
        case .tcp, .ws, .wss:
            break
        }
        uri.parameters.set("transport", transport.rawValue.lowercased())
        return uri
    }
}

extension SIPVia {
    /// Our Via sent-by for requests on `transport`: the transport's name, and on TLS the TLS listener's
    /// `tlsPort` (RFC 3261 section 18.1.1: the sent-by is where responses come back when the connection is gone).
    public func onTransport(_ transport: SIPTransport, tlsPort: UInt16?) -> SIPVia {
        var via = self
        via.transport = transport.rawValue
        if transport == .tls, let tlsPort { via.port = tlsPort }
        return via
    }
}
