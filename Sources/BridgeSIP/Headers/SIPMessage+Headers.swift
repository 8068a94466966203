/// Typed views of the header fields. Each parses on demand and throws a `SIPError` that names the header
/// and its line; a header that must appear once (RFC 3261 section 20) and appears twice is an error too.
extension SIPMessage {
    /// The one field `name` (nil when absent); an error when there are several.
    func single(_ name: SIPHeaderName) throws(SIPError) -> SIPHeaderField? {
        let matches = fields(name)
        guard matches.count <= 1 else { throw .malformed(name.name, line: matches.last?.line, "appears more than once") }
        return matches.first
    }

    func view<Value>(_ name: SIPHeaderName, _ parse: (String) throws(SIPError) -> Value) throws(SIPError) -> Value? {
        guard let field = try single(name) else { return nil }
        do {
            return try parse(field.value)
        } catch {
            throw error.located(element: name.name, line: field.line)
        }
    }

    func listView<Value>(_ name: SIPHeaderName, _ parse: (String) throws(SIPError) -> Value) throws(SIPError) -> [Value] {
        var result: [Value] = []
        for field in fields(name) {
            guard let pieces = SIPGrammar.split(Substring(field.value), at: ",") else {
                throw .malformed(name.name, line: field.line, "unbalanced quotes")
            }
            for piece in pieces {
                guard result.count < SIPLimits.default.maximumListCount else {
                    throw .limit(name.name, line: field.line, "more than \(SIPLimits.default.maximumListCount) elements")
                }
                do {
                    result.append(try parse(String(piece)))
                } catch {
                    throw error.located(element: name.name, line: field.line)
                }
            }
        }
        return result
    }

    /// Every Via, top first, from repeated lines and comma-separated lists alike.
    public func vias() throws(SIPError) -> [SIPVia] { try listView(.via) { text throws(SIPError) in try SIPVia(parsing: text) } }

    public func topVia() throws(SIPError) -> SIPVia? { try vias().first }

    public func from() throws(SIPError) -> SIPNameAddress? {
        try view(.from) { text throws(SIPError) in try SIPNameAddress(parsing: text, element: "From") }
    }

    public func to() throws(SIPError) -> SIPNameAddress? {
        try view(.to) { text throws(SIPError) in try SIPNameAddress(parsing: text, element: "To") }
    }

    public func callID() throws(SIPError) -> SIPCallID? { try view(.callID) { text throws(SIPError) in try SIPCallID(parsing: text) } }

    public func cseq() throws(SIPError) -> SIPCSeq? { try view(.cseq) { text throws(SIPError) in try SIPCSeq(parsing: text) } }

    public func contacts() throws(SIPError) -> [SIPContact] {
        try listView(.contact) { text throws(SIPError) in try SIPContact(parsing: text) }
    }

    public func maxForwards() throws(SIPError) -> Int? {
        try view(.maxForwards) { text throws(SIPError) in
            guard !text.isEmpty, text.utf8.count <= 10, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let value = Int(text), value <= 255 else { throw .malformed(nil, "'\(text.prefix(24))' is not 0 to 255") }
            return value
        }
    }

    public func routes() throws(SIPError) -> [SIPNameAddress] {
        try listView(.route) { text throws(SIPError) in try SIPNameAddress(parsing: text, element: "Route") }
    }

    public func recordRoutes() throws(SIPError) -> [SIPNameAddress] {
        try listView(.recordRoute) { text throws(SIPError) in try SIPNameAddress(parsing: text, element: "Record-Route") }
    }

    public func contentType() throws(SIPError) -> SIPContentType? {
        try view(.contentType) { text throws(SIPError) in try SIPContentType(parsing: text) }
    }

    public func expires() throws(SIPError) -> UInt32? {
        try view(.expires) { text throws(SIPError) in
            guard let value = SIPDeltaSeconds.parse(text) else { throw .malformed(nil, "not delta-seconds") }
            return value
        }
    }

    public func sessionExpires() throws(SIPError) -> SIPSessionExpires? {
        try view(.sessionExpires) { text throws(SIPError) in try SIPSessionExpires(parsing: text) }
    }

    /// Every challenge or credential in `name` (WWW-Authenticate, Proxy-Authenticate, Authorization,
    /// Proxy-Authorization), one per line: their parameters hold commas, so lines are not split.
    public func authenticationHeaders(_ name: SIPHeaderName) throws(SIPError) -> [SIPAuthenticationHeader] {
        var result: [SIPAuthenticationHeader] = []
        for field in fields(name) {
            do {
                result.append(try SIPAuthenticationHeader(parsing: field.value, element: name.name))
            } catch {
                throw error.located(element: name.name, line: field.line)
            }
        }
        return result
    }

    /// Allow: the methods the sender accepts.
    public func allow() throws(SIPError) -> [SIPMethod] {
        try listView(.allow) { text throws(SIPError) in
            guard let method = SIPMethod(String(SIPGrammar.trimmed(text))) else { throw .malformed(nil, "not a method") }
            return method
        }
    }

    /// Supported (or Require, Unsupported…): option tags.
    public func optionTags(_ name: SIPHeaderName = .supported) throws(SIPError) -> [String] {
        guard !fields(name).allSatisfy({ $0.value.isEmpty }) else { return [] }
        return try listView(name) { text throws(SIPError) in
            let tag = SIPGrammar.trimmed(text)
            guard SIPGrammar.isToken(tag) else { throw .malformed(nil, "option tag is not a token") }
            return String(tag)
        }
    }

    /// The Request-URI as a `SIPURI`; an unsupported error for other schemes.
    public func requestURI() throws(SIPError) -> SIPURI? {
        guard let text = requestURIText else { return nil }
        do {
            return try SIPURI(parsing: text)
        } catch {
            throw error.located(element: "Request-URI", line: 1)
        }
    }

    /// Checks what every transaction needs (RFC 3261 section 8.1.1): one To, From, Call-ID, CSeq (with the
    /// request's method), at least one Via, a Max-Forwards in range, and that the other known headers parse.
    public func validate() throws(SIPError) {
        guard try to() != nil else { throw .malformed("To", "missing") }
        guard try from() != nil else { throw .malformed("From", "missing") }
        guard try callID() != nil else { throw .malformed("Call-ID", "missing") }
        guard let cseq = try cseq() else { throw .malformed("CSeq", "missing") }
        guard try !vias().isEmpty else { throw .malformed("Via", "missing") }
        if let method, cseq.method != method {
            throw .malformed("CSeq", "method \(cseq.method) does not match the request's \(method)")
        }
        _ = try maxForwards()
        _ = try contacts()
        _ = try routes()
        _ = try recordRoutes()
        _ = try contentType()
        _ = try expires()
    }
}
