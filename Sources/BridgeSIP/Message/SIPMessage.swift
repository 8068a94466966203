/// One header line after unfolding: a name and its value with the surrounding whitespace removed.
/// A comma-separated list (`Via: a, b`) stays one field; the typed views split it.
public struct SIPHeaderField: Sendable, Hashable {
    public var name: SIPHeaderName
    public var value: String
    /// 1-based line in the received message head, for error messages; nil for fields built here.
    public var line: Int?

    public init(name: SIPHeaderName, value: String, line: Int? = nil) {
        self.name = name
        self.value = value
        self.line = line
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.name == rhs.name && lhs.value == rhs.value }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(value)
    }
}

/// A SIP request or response (RFC 3261 section 7): start line, header fields in order, body bytes.
///
/// The model keeps every header as text, in order, so that what is not understood passes through
/// unchanged; typed views (`via`, `from`, `cseq`, … in `SIPMessage+Headers.swift`) parse on demand and
/// throw `SIPError` naming the header and line. Content-Length is not stored: the writer derives it
/// from the body.
///
/// ```
/// INVITE sip:bob@biloxi.com SIP/2.0           <- start line
/// Via: SIP/2.0/UDP pc33.atlanta.com;branch=…  <- header fields
/// …
///                                              <- empty line
/// v=0 …                                        <- body (Content-Length bytes)
/// ```
public struct SIPMessage: Sendable, Hashable {
    public enum StartLine: Sendable, Hashable {
        /// `uri` is the Request-URI as text (a `sip:`/`sips:` one was checked by `SIPURI` when parsed).
        case request(method: SIPMethod, uri: String)
        case response(statusCode: Int, reasonPhrase: String)
    }

    public var startLine: StartLine
    public var headers: [SIPHeaderField]
    public var body: [UInt8]

    public init(startLine: StartLine, headers: [SIPHeaderField] = [], body: [UInt8] = []) {
        self.startLine = startLine
        self.headers = headers
        self.body = body
    }

    /// A request to `uri` (written without any password it holds).
    public static func request(_ method: SIPMethod, uri: SIPURI, headers: [SIPHeaderField] = [],
                               body: [UInt8] = []) -> SIPMessage {
        SIPMessage(startLine: .request(method: method, uri: uri.description), headers: headers, body: body)
    }

    public static func response(_ statusCode: Int, _ reasonPhrase: String? = nil, headers: [SIPHeaderField] = [],
                                body: [UInt8] = []) -> SIPMessage {
        SIPMessage(startLine: .response(statusCode: statusCode,
                                        reasonPhrase: reasonPhrase ?? SIPStatus.reasonPhrase(statusCode)),
                   headers: headers, body: body)
    }

    public var isRequest: Bool {
        if case .request = startLine { return true }
        return false
    }

    /// The request's method; nil for a response.
    public var method: SIPMethod? {
        if case .request(let method, _) = startLine { return method }
        return nil
    }

    /// The request's Request-URI text; nil for a response.
    public var requestURIText: String? {
        if case .request(_, let uri) = startLine { return uri }
        return nil
    }

    /// The response's status code; nil for a request.
    public var statusCode: Int? {
        if case .response(let code, _) = startLine { return code }
        return nil
    }

    // MARK: Header access

    /// Every field with `name`, in order.
    public func fields(_ name: SIPHeaderName) -> [SIPHeaderField] {
        headers.filter { $0.name == name }
    }

    /// The first value of `name`.
    public subscript(_ name: SIPHeaderName) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// Every value of `name`, lines and comma-separated elements both split, in order.
    public func values(_ name: SIPHeaderName) throws(SIPError) -> [String] {
        var result: [String] = []
        for field in fields(name) {
            guard let pieces = SIPGrammar.split(Substring(field.value), at: ",") else {
                throw .malformed(name.name, line: field.line, "unbalanced quotes")
            }
            for piece in pieces {
                let element = SIPGrammar.trimmed(piece)
                guard !element.isEmpty else { throw .malformed(name.name, line: field.line, "empty list element") }
                result.append(String(element))
            }
        }
        return result
    }

    /// Replaces every field with `name` by one with `value` (at the place of the first), or appends it.
    public mutating func set(_ name: SIPHeaderName, _ value: String) {
        if let first = headers.firstIndex(where: { $0.name == name }) {
            headers[first] = SIPHeaderField(name: name, value: value)
            var index = headers.index(after: first)
            while index < headers.endIndex {
                if headers[index].name == name { headers.remove(at: index) } else { index += 1 }
            }
        } else {
            headers.append(SIPHeaderField(name: name, value: value))
        }
    }

    public mutating func append(_ name: SIPHeaderName, _ value: String) {
        headers.append(SIPHeaderField(name: name, value: value))
    }

    /// Puts a field before all the others (a new top Via).
    public mutating func prepend(_ name: SIPHeaderName, _ value: String) {
        headers.insert(SIPHeaderField(name: name, value: value), at: 0)
    }

    public mutating func remove(_ name: SIPHeaderName) {
        headers.removeAll { $0.name == name }
    }
}
