extension SIPMessage {
    /// Appends the message as it goes on the wire: start line, header fields with their full names, a
    /// Content-Length from the body, the empty line, the body. Refuses (rather than writes) a start line or
    /// header value holding CR or LF, which would let a value inject headers.
    public func write(into buffer: inout [UInt8]) throws(SIPError) {
        let line: String
        switch startLine {
        case .request(let method, let uri):
            guard !uri.isEmpty, !uri.contains(" "), !SIPGrammar.hasLineBreak(uri) else {
                throw .malformed("Request-URI", "empty, or holds a space, CR or LF")
            }
            line = "\(method.rawValue) \(uri) SIP/2.0"
        case .response(let code, let reason):
            guard (100...699).contains(code) else { throw .malformed("status line", "status code \(code)") }
            guard !SIPGrammar.hasLineBreak(reason) else {
                throw .malformed("status line", "reason phrase holds CR or LF")
            }
            line = "SIP/2.0 \(code) \(reason)"
        }
        buffer.append(contentsOf: line.utf8)
        buffer.append(contentsOf: "\r\n".utf8)
        for field in headers where field.name != .contentLength {
            guard SIPGrammar.isToken(field.name.name) else { throw .malformed(field.name.name, "name is not a token") }
            guard !SIPGrammar.hasLineBreak(field.value) else {
                throw .malformed(field.name.name, "value holds CR or LF")
            }
            buffer.append(contentsOf: field.name.name.utf8)
            buffer.append(contentsOf: ": ".utf8)
            buffer.append(contentsOf: field.value.utf8)
            buffer.append(contentsOf: "\r\n".utf8)
        }
        buffer.append(contentsOf: "Content-Length: \(body.count)\r\n\r\n".utf8)
        buffer.append(contentsOf: body)
    }

    /// The message as bytes (see `write(into:)`).
    public func serialized() throws(SIPError) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(512 + body.count)
        try write(into: &buffer)
        return buffer
    }

    /// The message as text, for tests and debug logs: authorization headers shown as `***`, and a
    /// password in a `sip:` Request-URI left out.
    public var redactedText: String {
        var copy = self
        if case .request(let method, _) = startLine, let uri = try? requestURI(), uri.password != nil {
            copy.startLine = .request(method: method, uri: uri.description)
        }
        for index in copy.headers.indices
        where copy.headers[index].name == .authorization || copy.headers[index].name == .proxyAuthorization {
            copy.headers[index].value = "***"
        }
        let bytes = (try? copy.serialized()) ?? []
        return String(decoding: bytes, as: UTF8.self)
    }
}
