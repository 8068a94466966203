/// `;name=value` parameters of a URI or header value, in order, names matched without case
/// (RFC 3261 section 7.3.1). A parameter without `=` has a nil value (`;lr`, `;rport`).
public struct SIPParameters: Sendable, Hashable, Sequence {
    public struct Parameter: Sendable, Hashable {
        public var name: String
        /// As written, quotes included for a quoted-string value; nil when there is no `=`.
        public var value: String?

        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var elements: [Parameter]

    public init(_ elements: [Parameter] = []) {
        self.elements = elements
    }

    public func makeIterator() -> IndexingIterator<[Parameter]> { elements.makeIterator() }
    public var isEmpty: Bool { elements.isEmpty }
    public var count: Int { elements.count }

    /// True when a parameter called `name` is present, with or without a value.
    public func contains(_ name: String) -> Bool {
        elements.contains { $0.name.caseInsensitiveEquals(name) }
    }

    /// The value of `name`: nil when absent or valueless (use `contains` to tell them apart).
    public subscript(_ name: String) -> String? {
        get { elements.first { $0.name.caseInsensitiveEquals(name) }?.value }
    }

    /// Sets (or adds at the end) `name`, with `value` nil for a flag parameter.
    public mutating func set(_ name: String, _ value: String?) {
        if let index = elements.firstIndex(where: { $0.name.caseInsensitiveEquals(name) }) {
            elements[index].value = value
        } else {
            elements.append(Parameter(name: name, value: value))
        }
    }

    public mutating func remove(_ name: String) {
        elements.removeAll { $0.name.caseInsensitiveEquals(name) }
    }

    /// `;a=b;c` as written.
    public var text: String {
        elements.map { ";" + $0.name + ($0.value.map { "=" + $0 } ?? "") }.joined()
    }

    /// Parses the text after a first `;` (or an empty string). Whitespace around `;` and `=` is allowed
    /// for header parameters (RFC 3261 section 7.3.1 LWS), never inside a URI (`allowWhitespace` false).
    static func parse(_ text: Substring, element: String, allowWhitespace: Bool,
                      limits: SIPLimits = .default) throws(SIPError) -> SIPParameters {
        guard !text.isEmpty else { return SIPParameters() }
        guard let pieces = SIPGrammar.split(text, at: ";") else { throw .malformed(element, "unbalanced quotes") }
        guard pieces.count <= limits.maximumParameterCount else {
            throw .limit(element, "more than \(limits.maximumParameterCount) parameters")
        }
        var result: [Parameter] = []
        for piece in pieces {
            let part = allowWhitespace ? SIPGrammar.trimmed(piece) : piece
            guard !part.isEmpty else { throw .malformed(element, "empty parameter") }
            var name = part
            var value: Substring?
            if let equals = part.firstIndex(of: "=") {
                name = part[..<equals]
                value = part[part.index(after: equals)...]
                if allowWhitespace {
                    name = SIPGrammar.trimmed(name)
                    value = value.map { SIPGrammar.trimmed($0) }
                }
                guard let value, !value.isEmpty else { throw .malformed(element, "parameter '\(name.prefix(32))' without a value after =") }
                if value.first == "\"" {
                    guard SIPGrammar.unquoted(value) != nil else { throw .malformed(element, "bad quoted parameter value") }
                } else {
                    guard value.utf8.allSatisfy({ isParameterCharacter($0) }) else {
                        throw .malformed(element, "bad character in parameter '\(name.prefix(32))'")
                    }
                }
            }
            guard !name.isEmpty, name.utf8.allSatisfy({ isParameterCharacter($0) }) else {
                throw .malformed(element, "parameter name '\(name.prefix(32))' has a bad character")
            }
            result.append(Parameter(name: String(name), value: value.map(String.init)))
        }
        return SIPParameters(result)
    }

    /// Token characters plus what `paramchar` and `host`/IPv6 values allow (`[ ] / : & + $`); non-ASCII
    /// UTF-8 is accepted in header parameter values (RFC 4475 section 3.1.1.2).
    static func isParameterCharacter(_ byte: UInt8) -> Bool {
        SIPGrammar.isTokenCharacter(byte) || "[]/:&+$".utf8.contains(byte) || byte >= 0x80
    }
}

extension StringProtocol {
    func caseInsensitiveEquals<Other: StringProtocol>(_ other: Other) -> Bool {
        utf8.count == other.utf8.count && lowercased() == other.lowercased()
    }
}
