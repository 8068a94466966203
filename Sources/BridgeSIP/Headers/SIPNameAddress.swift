/// The value of From, To, Contact, Route and Record-Route (RFC 3261 section 20, `name-addr` or `addr-spec`
/// followed by header parameters):
///
/// ```
/// "Alice Liddell" <sip:alice@atlanta.com;transport=tcp>;tag=1928301774
///  \_ display ___/ \_______________ URI ______________/ \_ parameters _/
/// ```
///
/// Without angle brackets, everything after the first `;` belongs to the header, not the URI.
public struct SIPNameAddress: Sendable, Hashable, CustomStringConvertible {
    /// Without quotes or escapes.
    public var displayName: String?
    public var uri: SIPURI
    public var parameters: SIPParameters

    public init(displayName: String? = nil, uri: SIPURI, parameters: SIPParameters = SIPParameters()) {
        self.displayName = displayName
        self.uri = uri
        self.parameters = parameters
    }

    /// The `tag` parameter (From and To, RFC 3261 section 19.3).
    public var tag: String? {
        get { parameters["tag"] }
        set {
            if let newValue { parameters.set("tag", newValue) } else { parameters.remove("tag") }
        }
    }

    /// Always in angle brackets, so URI parameters and header parameters cannot be mixed up.
    public var description: String {
        var text = ""
        if let displayName, !displayName.isEmpty { text = SIPGrammar.quoted(displayName) + " " }
        return text + "<\(uri)>" + parameters.text
    }

    public init(parsing text: String, element: String = "address", limits: SIPLimits = .default) throws(SIPError) {
        let value = SIPGrammar.trimmed(text)
        guard !value.isEmpty else { throw .malformed(element, "empty") }
        guard let open = Self.openingBracket(in: value) else {
            // addr-spec: the URI ends at the first ';' or whitespace.
            let end = value.firstIndex { $0 == ";" || SIPGrammar.isWhitespace($0) } ?? value.endIndex
            uri = try Self.parseURI(value[..<end], element: element, limits: limits)
            displayName = nil
            var rest = SIPGrammar.trimmed(value[end...])
            if rest.isEmpty {
                parameters = SIPParameters()
            } else {
                guard rest.first == ";" else { throw .malformed(element, "text after the URI") }
                rest = rest.dropFirst()
                parameters = try SIPParameters.parse(rest, element: element, allowWhitespace: true, limits: limits)
            }
            return
        }
        let display = SIPGrammar.trimmed(value[..<open])
        if display.isEmpty {
            displayName = nil
        } else if display.first == "\"" {
            guard let name = SIPGrammar.unquoted(display) else { throw .malformed(element, "bad quoted display name") }
            displayName = name
        } else {
            let words = display.split(whereSeparator: SIPGrammar.isWhitespace)
            guard words.allSatisfy({ SIPGrammar.isToken($0) }) else {
                throw .malformed(element, "display name with a separator must be quoted")
            }
            displayName = words.joined(separator: " ")
        }
        let afterOpen = value[value.index(after: open)...]
        guard let close = afterOpen.firstIndex(of: ">") else { throw .malformed(element, "< without >") }
        uri = try Self.parseURI(afterOpen[..<close], element: element, limits: limits)
        var rest = SIPGrammar.trimmed(afterOpen[afterOpen.index(after: close)...])
        if rest.isEmpty {
            parameters = SIPParameters()
        } else {
            guard rest.first == ";" else { throw .malformed(element, "text after >") }
            rest = rest.dropFirst()
            parameters = try SIPParameters.parse(rest, element: element, allowWhitespace: true, limits: limits)
        }
    }

    /// The index of `<` outside a quoted display name.
    private static func openingBracket(in text: Substring) -> Substring.Index? {
        var inQuotes = false
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if inQuotes, character == "\\" {
                index = text.index(after: index)
                if index == text.endIndex { return nil }
            } else if character == "\"" {
                inQuotes.toggle()
            } else if !inQuotes, character == "<" {
                return index
            }
            index = text.index(after: index)
        }
        return nil
    }

    private static func parseURI(_ text: Substring, element: String, limits: SIPLimits) throws(SIPError) -> SIPURI {
        do {
            return try SIPURI(parsing: String(text), limits: limits)
        } catch {
            throw error.located(element: element, line: nil)
        }
    }
}

/// One element of a Contact header (RFC 3261 section 20.10): an address, or `*` in a REGISTER that
/// removes every binding.
public enum SIPContact: Sendable, Hashable, CustomStringConvertible {
    case wildcard
    case address(SIPNameAddress)

    public init(parsing text: String, limits: SIPLimits = .default) throws(SIPError) {
        if SIPGrammar.trimmed(text) == "*" {
            self = .wildcard
        } else {
            self = .address(try SIPNameAddress(parsing: text, element: "Contact", limits: limits))
        }
    }

    /// The `expires` parameter in seconds; nil when absent (or for `*`).
    public var expires: UInt32? {
        guard case .address(let address) = self, let text = address.parameters["expires"] else { return nil }
        return SIPDeltaSeconds.parse(text)
    }

    public var address: SIPNameAddress? {
        if case .address(let address) = self { return address }
        return nil
    }

    public var description: String {
        switch self {
        case .wildcard: "*"
        case .address(let address): address.description
        }
    }
}

/// `delta-seconds` (RFC 3261 section 25.1): digits; values past 2^32-1 are taken as 2^32-1 (section 20.19
/// asks for that for Expires).
enum SIPDeltaSeconds {
    static func parse<S: StringProtocol>(_ text: S) -> UInt32? {
        let digits = SIPGrammar.trimmed(String(text))
        guard !digits.isEmpty, digits.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard digits.utf8.count <= 10, let value = UInt64(digits) else { return UInt32.max }
        return UInt32(clamping: value)
    }
}
