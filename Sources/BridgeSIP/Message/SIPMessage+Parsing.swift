/// How the bytes of a message are delimited (RFC 3261 section 18.3).
public enum SIPFraming: Sendable, Hashable {
    /// One UDP datagram holds one message; without Content-Length the body is the rest of the datagram,
    /// and bytes past Content-Length are ignored.
    case datagram
    /// TCP/TLS: Content-Length is required and says where the next message starts.
    case stream
}

extension SIPMessage {
    /// Parses one message (RFC 3261 sections 7 and 25): CRLF before the start line is skipped, header lines
    /// may be folded, names are matched without case and compact forms expanded. Refuses anything past
    /// `limits` with a limit error.
    public init(parsing bytes: [UInt8], framing: SIPFraming = .datagram, limits: SIPLimits = .default) throws(SIPError) {
        let (message, _) = try Self.parse(bytes[...], framing: framing, limits: limits)
        self = message
    }

    public init(parsing text: String, framing: SIPFraming = .datagram, limits: SIPLimits = .default) throws(SIPError) {
        try self.init(parsing: Array(text.utf8), framing: framing, limits: limits)
    }

    /// The start line and header fields of a datagram whose body cannot be framed (a Content-Length that is not
    /// a number, or more than the datagram holds), without Content-Length or body: enough to answer a request
    /// 400 (RFC 3261 section 18.3). Throws what `init(parsing:)` would for a broken head.
    public init(parsingHeadOf bytes: [UInt8], limits: SIPLimits = .default) throws(SIPError) {
        let (message, _) = try Self.parse(bytes[...], framing: .datagram, limits: limits, headOnly: true)
        self = message
    }

    /// Where the head ends: the index of the empty line's first byte and where the body starts.
    static func headBoundary(in bytes: ArraySlice<UInt8>, from start: Int) -> (headEnd: Int, bodyStart: Int)? {
        var index = start
        let lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        while let newline = bytes[index...].firstIndex(of: lf) {
            let next = newline + 1
            if next < bytes.endIndex, bytes[next] == lf { return (newline, next + 1) }
            if next + 1 < bytes.endIndex, bytes[next] == cr, bytes[next + 1] == lf { return (newline, next + 2) }
            index = next
            if index >= bytes.endIndex { break }
        }
        return nil
    }

    /// The index of the first byte after the CRLFs (keep-alives, RFC 5626 section 4.4.1) at the start.
    static func skippingLineBreaks(_ bytes: ArraySlice<UInt8>) -> Int {
        bytes.firstIndex { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") } ?? bytes.endIndex
    }

    /// Parses the message at the start of `bytes`; returns it and the index just past it.
    static func parse(_ bytes: ArraySlice<UInt8>, framing: SIPFraming, limits: SIPLimits,
                      headOnly: Bool = false) throws(SIPError) -> (SIPMessage, Int) {
        let start = skippingLineBreaks(bytes)
        guard start < bytes.endIndex else { throw .incomplete("empty message") }
        guard let boundary = headBoundary(in: bytes, from: start) else {
            if bytes.count > limits.maximumMessageSize {
                throw .limit(nil, "message head longer than \(limits.maximumMessageSize) bytes")
            }
            throw .incomplete("no empty line after the header fields")
        }
        guard boundary.bodyStart - start <= limits.maximumMessageSize else {
            throw .limit(nil, "message head longer than \(limits.maximumMessageSize) bytes")
        }
        let lines = try splitLines(bytes[start..<boundary.headEnd], limits: limits)
        guard let firstLine = lines.first else { throw .malformed("start line", line: 1, "missing") }
        let startLine = try parseStartLine(firstLine)
        var headers: [SIPHeaderField] = []
        var fieldsBesidesLength = 0
        for (offset, line) in lines.dropFirst().enumerated() {
            let number = offset + 2
            if let first = line.first, first == UInt8(ascii: " ") || first == UInt8(ascii: "\t") {
                guard var last = headers.popLast() else {
                    throw .malformed(nil, line: number, "continuation line before any header")
                }
                let more = SIPGrammar.trimmed(String(decoding: line, as: UTF8.self))
                last.value = last.value.isEmpty ? String(more) : more.isEmpty ? last.value : last.value + " " + more
                guard last.value.utf8.count <= limits.maximumLineLength else {
                    throw .limit(last.name.name, line: last.line, "folded header longer than \(limits.maximumLineLength) bytes")
                }
                headers.append(last)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                throw .malformed(nil, line: number, "header line without a colon")
            }
            var nameBytes = line[line.startIndex..<colon]
            while let last = nameBytes.last, last == UInt8(ascii: " ") || last == UInt8(ascii: "\t") {
                nameBytes = nameBytes.dropLast()
            }
            guard !nameBytes.isEmpty, nameBytes.allSatisfy(SIPGrammar.isTokenCharacter) else {
                throw .malformed(nil, line: number, "header name is not a token")
            }
            let name = SIPHeaderName(String(decoding: nameBytes, as: UTF8.self))
            // One place stays for the Content-Length that writing always adds, so that any message read
            // here can be written (and read back) within the same limit.
            if name != .contentLength { fieldsBesidesLength += 1 }
            guard headers.count < limits.maximumHeaderCount, fieldsBesidesLength < limits.maximumHeaderCount else {
                throw .limit(nil, line: number, "more than \(limits.maximumHeaderCount) header fields")
            }
            let value = SIPGrammar.trimmed(String(decoding: line[(colon + 1)...], as: UTF8.self))
            headers.append(SIPHeaderField(name: name, value: String(value), line: number))
        }

        if headOnly {
            return (SIPMessage(startLine: startLine, headers: headers.filter { $0.name != .contentLength }), boundary.bodyStart)
        }
        let (bodyLength, headersWithoutLength) = try contentLength(of: headers, framing: framing)
        let available = bytes.endIndex - boundary.bodyStart
        let length = bodyLength ?? available
        guard boundary.bodyStart - start + length <= limits.maximumMessageSize else {
            throw .limit("Content-Length", "message longer than \(limits.maximumMessageSize) bytes")
        }
        guard length <= available else {
            throw .incomplete("Content-Length says \(length) body bytes, \(available) follow")
        }
        let end = boundary.bodyStart + length
        let message = SIPMessage(startLine: startLine, headers: headersWithoutLength,
                                 body: Array(bytes[boundary.bodyStart..<end]))
        return (message, end)
    }

    /// The head's lines, CR before LF removed; a CR anywhere else is refused.
    private static func splitLines(_ head: ArraySlice<UInt8>, limits: SIPLimits) throws(SIPError) -> [ArraySlice<UInt8>] {
        var lines: [ArraySlice<UInt8>] = []
        for (offset, raw) in head.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            var line = raw
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            guard !line.contains(UInt8(ascii: "\r")) else {
                throw .malformed(nil, line: offset + 1, "CR without LF")
            }
            guard line.count <= limits.maximumLineLength else {
                throw .limit(nil, line: offset + 1, "line longer than \(limits.maximumLineLength) bytes")
            }
            guard lines.count <= limits.maximumHeaderCount * 4 else {
                throw .limit(nil, line: offset + 1, "more than \(limits.maximumHeaderCount * 4) lines")
            }
            lines.append(line)
        }
        return lines
    }

    /// `Request-Line = Method SP Request-URI SP SIP-Version` or `Status-Line = SIP-Version SP Status-Code SP
    /// Reason-Phrase` (RFC 3261 sections 7.1, 7.2): exactly one space between the parts.
    private static func parseStartLine(_ line: ArraySlice<UInt8>) throws(SIPError) -> StartLine {
        let text = String(decoding: line, as: UTF8.self)
        let parts = text.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("start line", line: 1, "expected three parts separated by one space") }
        if parts[0].uppercased().hasPrefix("SIP/") {
            try checkVersion(parts[0])
            guard parts[1].utf8.count == 3, parts[1].utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                  let code = Int(parts[1]), (100...699).contains(code) else {
                throw .malformed("status line", line: 1, "status code '\(parts[1].prefix(16))' is not 100 to 699")
            }
            guard !parts[2].utf8.contains(where: { $0 < 0x20 && $0 != 0x09 }) else {
                throw .malformed("status line", line: 1, "control character in the reason phrase")
            }
            return .response(statusCode: code, reasonPhrase: String(parts[2]))
        }
        guard let method = SIPMethod(String(parts[0])) else {
            throw .malformed("request line", line: 1, "method is not a token")
        }
        guard !parts[2].contains(" ") else {
            throw .malformed("request line", line: 1, "space in the Request-URI or after the version")
        }
        try checkVersion(parts[2])
        let uri = parts[1]
        try checkRequestURI(uri)
        return .request(method: method, uri: String(uri))
    }

    private static func checkVersion(_ version: Substring) throws(SIPError) {
        guard version.uppercased() == "SIP/2.0" else {
            throw .unsupported("start line", "version '\(version.prefix(16))' is not SIP/2.0")
        }
    }

    /// An absolute URI with a scheme; a `sip:`/`sips:` one must parse and carry no headers (RFC 3261
    /// section 19.1.1: headers are not allowed in a Request-URI).
    private static func checkRequestURI(_ uri: Substring) throws(SIPError) {
        guard let colon = uri.firstIndex(of: ":"), let first = uri.first, first.isASCII, first.isLetter,
              uri[..<colon].utf8.allSatisfy({ SIPGrammar.isTokenCharacter($0) }) else {
            throw .malformed("Request-URI", line: 1, "not an absolute URI")
        }
        guard uri[colon...].utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw .malformed("Request-URI", line: 1, "whitespace or control character")
        }
        let scheme = uri[..<colon].lowercased()
        guard scheme == "sip" || scheme == "sips" else { return }
        let parsed: SIPURI
        do {
            parsed = try SIPURI(parsing: String(uri))
        } catch {
            throw error.located(element: "Request-URI", line: 1)
        }
        guard parsed.headers.isEmpty else { throw .malformed("Request-URI", line: 1, "headers are not allowed here") }
    }

    /// The body length from Content-Length (all copies must agree), and the fields without it.
    private static func contentLength(of headers: [SIPHeaderField],
                                      framing: SIPFraming) throws(SIPError) -> (Int?, [SIPHeaderField]) {
        var length: Int?
        var rest: [SIPHeaderField] = []
        rest.reserveCapacity(headers.count)
        for field in headers {
            guard field.name == .contentLength else { rest.append(field); continue }
            guard !field.value.isEmpty, field.value.utf8.count <= 9,
                  field.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let value = Int(field.value) else {
                throw .malformed("Content-Length", line: field.line, "'\(field.value.prefix(24))' is not a length")
            }
            if let length, length != value {
                throw .malformed("Content-Length", line: field.line, "two different values")
            }
            length = value
        }
        if length == nil, framing == .stream {
            throw .malformed("Content-Length", "required on a stream transport")
        }
        return (length, rest)
    }
}
